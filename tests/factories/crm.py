import datetime as dt
from decimal import Decimal

import factory

from salesopt.core.models import (
    Activity,
    ActivityKind,
    Complaint,
    ComplaintKind,
    Customer,
    Lead,
    Opportunity,
    OpportunityStage,
    Order,
    SalesTarget,
    TargetGrain,
)
from salesopt.leads.grading import grade_leads

SOURCE = "test"


class ImportedRecordFactory(factory.django.DjangoModelFactory):
    source = SOURCE
    external_id = factory.Sequence(lambda n: f"EXT-{n}")


class CustomerFactory(ImportedRecordFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}有限公司")


class LeadFactory(ImportedRecordFactory):
    class Meta:
        model = Lead
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"联系人{n}")
    created_in_crm_at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    # The grade given is the CRM's, as an import writes it; the lead process then decides the
    # grade in force and the due time, as after an import.
    grade = ""
    crm_grade = factory.LazyAttribute(lambda lead: lead.grade)

    @factory.post_generation
    def lead_process(self, create, extracted, **kwargs):
        if create and extracted is not False:
            grade_leads("id = %s", [self.pk])
            self.refresh_from_db()


class ActivityFactory(ImportedRecordFactory):
    class Meta:
        model = Activity

    kind = ActivityKind.CALL
    occurred_at = dt.datetime(2026, 10, 1, 10, 0, tzinfo=dt.UTC)


class OpportunityFactory(ImportedRecordFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"商机{n}")
    stage = OpportunityStage.QUALIFICATION
    amount = Decimal("10000.00")
    created_in_crm_at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


class OrderFactory(ImportedRecordFactory):
    class Meta:
        model = Order

    amount = Decimal("10000.00")
    ordered_on = dt.date(2026, 10, 15)


class ComplaintFactory(ImportedRecordFactory):
    class Meta:
        model = Complaint

    kind = ComplaintKind.SERVICE
    created_in_crm_at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


class SalesTargetFactory(ImportedRecordFactory):
    class Meta:
        model = SalesTarget

    grain = TargetGrain.MONTH
    period_start = dt.date(2026, 10, 1)
    amount = Decimal("100000.00")
