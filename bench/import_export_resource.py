"""Baseline (b) of import_bench.py: the import a Django team would write with
django-import-export, with the same natural-key upsert on (source, external id)."""

from django.contrib.auth import get_user_model
from import_export import fields, resources, widgets

from salesopt.core.models import Lead, ProductLine, Region

TIME = widgets.DateTimeWidget("%Y-%m-%d %H:%M:%S")


class LeadResource(resources.ModelResource):
    external_id = fields.Field(attribute="external_id", column_name="ID")
    name = fields.Field(attribute="name", column_name="Contact name")
    company_name = fields.Field(attribute="company_name", column_name="Company")
    channel = fields.Field(attribute="channel", column_name="Lead source")
    campaign = fields.Field(attribute="campaign", column_name="Campaign")
    industry = fields.Field(attribute="industry", column_name="Industry")
    grade = fields.Field(attribute="grade", column_name="Grade")
    region = fields.Field(attribute="region", column_name="Region",
                          widget=widgets.ForeignKeyWidget(Region, "name"))  # fmt: skip
    product_line = fields.Field(attribute="product_line", column_name="Product line",
                                widget=widgets.ForeignKeyWidget(ProductLine, "name"))  # fmt: skip
    owner = fields.Field(attribute="owner", column_name="Owner",
                         widget=widgets.ForeignKeyWidget(get_user_model(), "email"))  # fmt: skip
    status = fields.Field(attribute="status", column_name="Status")
    created_in_crm_at = fields.Field(
        attribute="created_in_crm_at", column_name="Created at", widget=TIME
    )
    first_response_at = fields.Field(
        attribute="first_response_at", column_name="First response at", widget=TIME
    )
    amount = fields.Field(attribute="amount", column_name="Expected amount",
                          widget=widgets.DecimalWidget())  # fmt: skip

    class Meta:
        model = Lead
        import_id_fields = ("source", "external_id")
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        skip_diff = True
        report_skipped = False
        fields = ("source", "external_id", "name", "company_name", "channel", "campaign",
                  "industry", "grade", "region", "product_line", "owner", "status",
                  "created_in_crm_at", "first_response_at", "amount")  # fmt: skip

    source = fields.Field(attribute="source", column_name="source")

    def before_import_row(self, row, **kwargs):
        row["Status"] = str(row["Status"]).lower()
