"""Odoo: list-view exports ("Export" with field labels) of CRM leads, opportunities, contacts,
activities and sales orders.

An Odoo export names each column by the field's label (its `string`). Sources (odoo/odoo):
- addons/crm/models/crm_lead.py: Opportunity (name), Salesperson, Sales Team, Stage, Tags,
  Expected Revenue, Probability, Expected Closing, Closed Date, Customer, Contact Name,
  Company Name, Email; the UTM mixin adds Campaign, Medium, Source.
- addons/crm/data/crm_stage_data.xml: the default stages New, Qualified, Proposition, Won.
  Lost is not a stage in Odoo (a lost lead is archived with a lost reason), so no stage maps
  to `lost` here.
- addons/sale/models/sale_order.py: Order Reference, Customer, Order Date, Salesperson, Sales
  Team, Total.
- addons/mail/models/mail_activity.py: Activity Type, Summary, Due Date, Assigned to, Document
  Name; default activity types Email, Call, Meeting, To-Do, Upload Document.
- "Created on" (create_date) and "ID" / "External ID": Odoo's base model labels.
res.partner labels (Name, Salesperson, Industry, Is a Company, State) are Odoo's base partner
form labels, not re-checked here.
"""

from __future__ import annotations

from salesopt.imports.presets.base import OutcomeRule, make_preset, signature
from salesopt.imports.schema import RecordKind

CRM, LABEL = "odoo", "Odoo"

OPPORTUNITY_STAGE = {
    "New": "qualification",
    "Qualified": "needs_analysis",
    "Proposition": "proposal",
    "Won": "won",
}

# A lead in a later pipeline stage is at least qualified; reaching Won means it converted.
LEAD_STATUS = {
    "New": "new",
    "Qualified": "qualified",
    "Proposition": "qualified",
    "Won": "converted",
}

# mail.activity holds planned activities: its Due Date is when the activity happens.
ACTIVITY_TYPE = {
    "Email": "email",
    "Call": "call",
    "Phone Call": "call",
    "Meeting": "meeting",
    "To-Do": "follow_up",
    "To Do": "follow_up",
    "Upload Document": "follow_up",
}

_ID = {"ID": "external_id", "External ID": "external_id"}
# Odoo archives a lost lead or opportunity (Active false, with a Lost Reason) and keeps its
# stage; a won one is in a stage flagged won, whatever it is called, at 100% probability.
# Archived records are in an export only when the list was filtered on "Lost" or "Archived".
_ARCHIVED = (
    OutcomeRule("lost", "Active", ("False", "0", "No")),
    OutcomeRule("lost", "Lost Reason"),
)
_CREATED = {"Created on": "created_at"}

LEADS = make_preset(
    CRM,
    LABEL,
    RecordKind.LEAD,
    columns={
        **_ID,
        "Contact Name": "name",
        "Company Name": "company_name",
        "Source": "channel",
        "Campaign": "campaign",
        "Stage": "status",
        "Salesperson": "owner",
        "Expected Revenue": "amount",
        "Customer": "customer",
        **_CREATED,
    },
    signature=signature(
        "Opportunity|Lead", "Contact Name", "Company Name", "Email", "Salesperson",
        "Sales Team", "Source", "Created on",
    ),
    values={"status": LEAD_STATUS},
    outcomes=_ARCHIVED,
)  # fmt: skip

OPPORTUNITIES = make_preset(
    CRM,
    LABEL,
    RecordKind.OPPORTUNITY,
    columns={
        **_ID,
        "Opportunity": "name",
        "Customer": "customer",
        "Stage": "stage",
        "Expected Revenue": "amount",
        "Probability": "probability",
        "Expected Closing": "expected_close",
        "Closed Date": "closed_at",
        "Salesperson": "owner",
        **_CREATED,
    },
    signature=signature(
        "Opportunity", "Customer", "Stage", "Expected Revenue", "Probability",
        "Expected Closing", "Salesperson", "Created on",
    ),
    values={"stage": OPPORTUNITY_STAGE},
    outcomes=(OutcomeRule("won", "Probability", ("100", "100.0", "100.00")), *_ARCHIVED),
)  # fmt: skip

CONTACTS = make_preset(
    CRM,
    LABEL,
    RecordKind.CUSTOMER,
    columns={
        **_ID,
        "Name": "name", "Display Name": "name", "Complete Name": "name",
        "Industry": "industry",
        "State": "region",
        "Salesperson": "owner",
        **_CREATED,
    },
    signature=signature(
        "Name|Display Name|Complete Name", "Is a Company", "Salesperson", "Industry",
        "Created on",
    ),
)  # fmt: skip

ACTIVITIES = make_preset(
    CRM,
    LABEL,
    RecordKind.ACTIVITY,
    columns={
        **_ID,
        "Activity Type": "kind",
        "Summary": "subject",
        "Due Date": "occurred_at",
        "Assigned to": "rep",
    },
    signature=signature("Activity Type", "Summary", "Due Date", "Assigned to", "Document Name"),
    values={"kind": ACTIVITY_TYPE},
)

ORDERS = make_preset(
    CRM,
    LABEL,
    RecordKind.ORDER,
    columns={
        "Order Reference": "external_id",
        **_ID,
        "Customer": "customer",
        "Order Date": "ordered_on",
        "Salesperson": "rep",
        "Total": "amount",
    },
    signature=signature(
        "Order Reference", "Customer", "Order Date", "Salesperson", "Sales Team", "Total",
    ),
)  # fmt: skip

PRESETS = (LEADS, OPPORTUNITIES, CONTACTS, ACTIVITIES, ORDERS)
