import datetime as dt

import factory

from planning.models import DeliverableKind, MilestoneCompletion, MilestoneDefinition, StageEntry
from salesopt.core.models import Role

from .crm import OpportunityFactory


class StageEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageEntry

    opportunity = factory.SubFactory(OpportunityFactory)
    stage = "qualification"
    entered_at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    origin = StageEntry.Origin.APP


class MilestoneDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneDefinition

    name = factory.Sequence(lambda n: f"里程碑 {n}")
    position = factory.Sequence(lambda n: 100 + n)
    owner_role = Role.SALES_REP
    deliverable_kind = DeliverableKind.LINK
    due_offset_days = 10


class MilestoneCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneCompletion

    opportunity = factory.SubFactory(OpportunityFactory)
    milestone = factory.SubFactory(MilestoneDefinitionFactory)
    done_at = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
    link = "https://docs.example.com/proposal"
