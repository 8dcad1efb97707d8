"""Zoho CRM: module exports of Leads, Accounts, Deals, Calls and Sales Orders.

Sources:
- Zoho CRM online help "Standard Fields in Leads / Accounts / Deals / Sales Orders" and
  "Standard Modules & Fields" (help.zoho.com): Lead Owner, First Name, Last Name, Company, Lead
  Source, Industry, No. of Employees, Lead Status, Rating; Account Name, Account Owner,
  Employees; Deal Owner, Deal Name, Account Name, Amount, Closing Date, Stage, Probability;
  Sales Order Owner, SO Number, Subject, Account Name, Status.
- Lead Status values (Not Contacted, Attempted to Contact, Contact in Future, Contacted,
  Pre-Qualified, Not Qualified, Lost Lead, Junk Lead) and deal stages (Qualification … Closed
  Lost to Competition): public Zoho CRM integration code, e.g. a lead-status widget and a
  Zoho → HubSpot stage remap listing the standard picklists.
- Calls: "Call Type" (Inbound / Outbound / Missed), "Call Start Time", "Subject" from Zoho
  integration guides (leadcall.tech, MyOperator); "Call Owner" follows Zoho's
  "<Module> Owner" naming and was not confirmed.
- "Record Id" and "Created Time" as export headers: Zoho's export files and API field
  `Created_Time`; "Grand Total" of sales orders was not confirmed.
"""

from __future__ import annotations

from salesopt.imports.presets.base import Combine, OutcomeRule, make_preset, signature
from salesopt.imports.schema import RecordKind

CRM, LABEL = "zoho", "Zoho CRM"

LEAD_STATUS = {
    "Not Contacted": "new",
    "Attempted to Contact": "contacted",
    "Contact in Future": "contacted",
    "Contacted": "contacted",
    "Pre-Qualified": "qualified",
    "Not Qualified": "lost",
    "Lost Lead": "lost",
    "Junk Lead": "lost",
}

DEAL_STAGE = {
    "Qualification": "qualification",
    "Needs Analysis": "needs_analysis",
    "Value Proposition": "needs_analysis",
    "Identify Decision Makers": "needs_analysis",
    "Proposal/Price Quote": "proposal",
    "Negotiation/Review": "negotiation",
    "Closed Won": "won",
    "Closed Lost": "lost",
    "Closed Lost to Competition": "lost",
}

CALL_TYPE = {"Outbound": "call", "Inbound": "call", "Missed": "call"}

# Zoho's lead "Rating" (Acquired, Active, Market Failed, Project Cancelled, Shut Down) rates the
# lead's business, not the sales focus, so it feeds no grade.

_ID = {"Record Id": "external_id"}
_CREATED = {"Created Time": "created_at"}

LEADS = make_preset(
    CRM,
    LABEL,
    RecordKind.LEAD,
    columns={
        **_ID,
        "First Name": "name", "Last Name": "name",
        "Company": "company_name",
        "Lead Source": "channel",
        "Lead Status": "status",
        "Industry": "industry",
        "No. of Employees": "company_size",
        "State": "region",
        "Lead Owner": "owner",
        **_CREATED,
    },
    signature=signature(
        "Record Id", "Lead Owner", "First Name", "Last Name", "Company", "Lead Source",
        "Lead Status", "Created Time",
    ),
    values={"status": LEAD_STATUS},
    combine=(Combine("name", ("First Name", "Last Name"), cjk_reversed=True),),
    # A converted Zoho lead leaves the Leads module with its Lead Conversion Time (and the
    # deal it became) filled in; its Lead Status is not changed to a "converted" value.
    outcomes=(
        OutcomeRule("converted", "Lead Conversion Time"),
        OutcomeRule("converted", "Converted Deal"),
    ),
)  # fmt: skip

ACCOUNTS = make_preset(
    CRM,
    LABEL,
    RecordKind.CUSTOMER,
    columns={
        **_ID,
        "Account Name": "name",
        "Industry": "industry",
        "Employees": "company_size",
        "Billing State": "region",
        "Account Owner": "owner",
        **_CREATED,
    },
    signature=signature(
        "Record Id", "Account Name", "Account Owner", "Industry", "Employees", "Created Time",
    ),
)  # fmt: skip

DEALS = make_preset(
    CRM,
    LABEL,
    RecordKind.OPPORTUNITY,
    columns={
        **_ID,
        "Deal Name": "name",
        "Account Name": "customer",
        "Stage": "stage",
        "Amount": "amount",
        "Probability (%)": "probability", "Probability": "probability",
        "Closing Date": "expected_close",
        "Deal Owner": "owner",
        **_CREATED,
    },
    signature=signature(
        "Record Id", "Deal Name", "Deal Owner", "Stage", "Amount", "Closing Date",
        "Account Name", "Created Time",
    ),
    values={"stage": DEAL_STAGE},
)  # fmt: skip

CALLS = make_preset(
    CRM,
    LABEL,
    RecordKind.ACTIVITY,
    columns={
        **_ID,
        "Call Type": "kind",
        "Subject": "subject",
        "Call Start Time": "occurred_at",
        "Call Owner": "rep",
    },
    signature=signature("Record Id", "Subject", "Call Type", "Call Start Time", "Call Owner"),
    values={"kind": CALL_TYPE},
)

# Zoho sales orders carry no order date of their own: the record's creation is the order.
SALES_ORDERS = make_preset(
    CRM,
    LABEL,
    RecordKind.ORDER,
    columns={
        "SO Number": "external_id",
        **_ID,
        "Account Name": "customer",
        "Grand Total": "amount",
        "Sales Order Owner": "rep",
        "Created Time": "ordered_on",
    },
    signature=signature(
        "Record Id", "SO Number", "Subject", "Account Name", "Grand Total", "Sales Order Owner",
        "Created Time",
    ),
)  # fmt: skip

PRESETS = (LEADS, ACCOUNTS, DEALS, CALLS, SALES_ORDERS)
