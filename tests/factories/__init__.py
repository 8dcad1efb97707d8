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
from .milestones import (
    MilestoneCompletionFactory,
    MilestoneDefinitionFactory,
    StageEntryFactory,
)
from .org import ProductLineFactory, ProfileFactory, RegionFactory, TeamFactory, UserFactory
from .program import ProgramFactory

__all__ = [
    "ActivityFactory",
    "ComplaintFactory",
    "CustomerFactory",
    "ImportRunFactory",
    "LeadFactory",
    "MilestoneCompletionFactory",
    "MilestoneDefinitionFactory",
    "OpportunityFactory",
    "OrderFactory",
    "ProductLineFactory",
    "ProfileFactory",
    "ProgramFactory",
    "RegionFactory",
    "SalesTargetFactory",
    "StageEntryFactory",
    "TeamFactory",
    "UserFactory",
]
