"""factory_boy factories: every test builds its data through these, never raw creates."""

from .crm import (
    ActivityFactory,
    ComplaintFactory,
    CustomerFactory,
    LeadFactory,
    OpportunityFactory,
    OrderFactory,
    SalesTargetFactory,
)
from .imports import ImportRunFactory
from .org import ProductLineFactory, ProfileFactory, RegionFactory, TeamFactory, UserFactory
from .program import ProgramFactory

__all__ = [
    "ActivityFactory",
    "ComplaintFactory",
    "CustomerFactory",
    "ImportRunFactory",
    "LeadFactory",
    "OpportunityFactory",
    "OrderFactory",
    "ProductLineFactory",
    "ProfileFactory",
    "ProgramFactory",
    "RegionFactory",
    "SalesTargetFactory",
    "TeamFactory",
    "UserFactory",
]
