"""Salesforce: report exports (field labels) and Data Loader / Data Export files (API names).

Sources for the column names and values:
- "Salesforce Field Reference Guide" pages Lead, Opportunity, OpportunityStage and Task
  (developer.salesforce.com): field labels Lead ID, First Name, Last Name, Company, Lead Source,
  Industry, Converted Date, Created Date, Opportunity ID, Amount, Close Date, Probability (%),
  Account ID, Activity ID, Assigned To, Subject, Type, Due Date, Comments.
- Salesforce Help "Field Mapping for Importing Leads": Lead Status, No. of Employees, Rating.
- Lead Status picklist defaults (Open - Not Contacted, Working - Contacted, Closed - Converted,
  Closed - Not Converted): Shaalan, "Salesforce for Beginners", section "Exploring the Lead
  Status field".
- Opportunity stage defaults: the StageName enum of the Salesforce Sales Cloud opportunity
  schema (api-evangelist/salesforce-sales-cloud) — Prospecting … Closed Lost.
- Report column names "Lead Owner", "Opportunity Owner", "Account Owner", "Company / Account"
  and "Create Date", and the Order object's labels (Order Number, Order Start Date, Order
  Amount): from Salesforce's UI as remembered, not confirmed from a source in this work.
"""

from __future__ import annotations

import re

import pandas as pd

from salesopt.imports.presets.base import Combine, make_preset, signature
from salesopt.imports.schema import RecordKind

CRM, LABEL = "salesforce", "Salesforce"

# Record ids: reports show 15 case-sensitive characters, Data Loader and the API 18, the same 15
# followed by a 3-character checksum of where the capitals are (Salesforce Help, "What are
# Salesforce IDs composed of?"; the algorithm is CASESAFEID's). Both must match one record, so
# every id is stored in its 18-character form.
_ID_15 = re.compile(r"^[a-zA-Z0-9]{15}$")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def id_checksum(id15: str) -> str:
    """The 3 characters that make a 15-character id case-safe: for each block of 5, a bit per
    capital letter (first character, lowest bit) picks a character of A–Z, 0–5."""
    return "".join(
        _CHECKSUM_ALPHABET[
            sum(1 << bit for bit, char in enumerate(id15[block : block + 5]) if "A" <= char <= "Z")
        ]
        for block in range(0, 15, 5)
    )


def eighteen_character_id(value: str) -> str:
    """A Salesforce id in its 18-character form; any other value as it is."""
    if _ID_15.match(value):
        return value + id_checksum(value)
    return value


def record_ids(values: pd.Series) -> pd.Series:
    """A column of ids (or blanks) with each 15-character id in its 18-character form."""
    text = values.astype("object")
    short = text.str.len().eq(15).fillna(False).astype(bool)
    if not short.any():
        return values
    return values.where(~short, text[short].map(eighteen_character_id))


LEAD_STATUS = {
    "Open - Not Contacted": "new",
    "Working - Contacted": "contacted",
    "Closed - Converted": "converted",
    "Closed - Not Converted": "lost",
}

# salesopt has six stages; Salesforce's middle stages fold into the nearest one by what the rep
# has delivered: nothing yet (needs analysis), a proposal, or a contract under review.
OPPORTUNITY_STAGE = {
    "Prospecting": "qualification",
    "Qualification": "qualification",
    "Needs Analysis": "needs_analysis",
    "Value Proposition": "needs_analysis",
    "Id. Decision Makers": "needs_analysis",
    "Perception Analysis": "needs_analysis",
    "Proposal/Price Quote": "proposal",
    "Negotiation/Review": "negotiation",
    "Closed Won": "won",
    "Closed Lost": "lost",
}

TASK_TYPE = {"Call": "call", "Email": "email", "Meeting": "meeting", "Other": "follow_up"}

_OWNER = ("Owner ID", "OwnerId")
_CREATED = {"Created Date": "created_at", "Create Date": "created_at", "CreatedDate": "created_at"}

LEADS = make_preset(
    CRM,
    LABEL,
    RecordKind.LEAD,
    columns={
        "Lead ID": "external_id", "Id": "external_id",
        "First Name": "name", "FirstName": "name", "Last Name": "name", "LastName": "name",
        "Company": "company_name", "Company / Account": "company_name",
        "Lead Source": "channel", "LeadSource": "channel",
        "Lead Status": "status", "Status": "status",
        "Industry": "industry",
        "No. of Employees": "company_size", "NumberOfEmployees": "company_size",
        "Rating": "grade",
        "State/Province": "region", "State": "region",
        "Lead Owner": "owner", **dict.fromkeys(_OWNER, "owner"),
        **_CREATED,
        "Converted Date": "won_at", "ConvertedDate": "won_at",
        "Converted Account ID": "customer", "ConvertedAccountId": "customer",
    },
    signature=signature(
        "First Name|FirstName", "Last Name|LastName", "Company|Company / Account",
        "Lead Source|LeadSource", "Lead Status|Status", "Lead Owner|Owner ID|OwnerId",
        "Created Date|Create Date|CreatedDate",
    ),
    values={"status": LEAD_STATUS},
    combine=(
        Combine("name", ("First Name", "Last Name"), cjk_reversed=True),
        Combine("name", ("FirstName", "LastName"), cjk_reversed=True),
    ),
)  # fmt: skip

OPPORTUNITIES = make_preset(
    CRM,
    LABEL,
    RecordKind.OPPORTUNITY,
    columns={
        "Opportunity ID": "external_id", "Id": "external_id",
        "Opportunity Name": "name", "Name": "name",
        "Account Name": "customer", "Account ID": "customer", "AccountId": "customer",
        "Stage": "stage", "StageName": "stage",
        "Amount": "amount",
        "Probability (%)": "probability", "Probability": "probability",
        # Salesforce keeps one date: expected while open, actual once closed.
        "Close Date": "expected_close", "CloseDate": "expected_close",
        "Opportunity Owner": "owner", **dict.fromkeys(_OWNER, "owner"),
        **_CREATED,
    },
    signature=signature(
        "Opportunity Name|Name", "Stage|StageName", "Amount", "Close Date|CloseDate",
        "Probability (%)|Probability", "Opportunity Owner|Owner ID|OwnerId",
        "Account Name|Account ID|AccountId", "Created Date|CreatedDate",
    ),
    values={"stage": OPPORTUNITY_STAGE},
)  # fmt: skip

ACCOUNTS = make_preset(
    CRM,
    LABEL,
    RecordKind.CUSTOMER,
    columns={
        "Account ID": "external_id", "Id": "external_id",
        "Account Name": "name", "Name": "name",
        "Industry": "industry",
        "Employees": "company_size", "NumberOfEmployees": "company_size",
        "Billing State/Province": "region", "BillingState": "region",
        "Account Owner": "owner", **dict.fromkeys(_OWNER, "owner"),
        **_CREATED,
    },
    signature=signature(
        "Account ID|Id", "Account Name|Name", "Industry", "Employees|NumberOfEmployees",
        "Account Owner|Owner ID|OwnerId", "Created Date|CreatedDate",
    ),
)  # fmt: skip

TASKS = make_preset(
    CRM,
    LABEL,
    RecordKind.ACTIVITY,
    columns={
        "Activity ID": "external_id", "Id": "external_id",
        "Type": "kind", "Task Subtype": "kind", "TaskSubtype": "kind",
        "Subject": "subject",
        "Due Date": "occurred_at", "ActivityDate": "occurred_at",
        "Assigned To": "rep", "Assigned": "rep", **dict.fromkeys(_OWNER, "rep"),
        "Account": "customer", "Account ID": "customer", "AccountId": "customer",
    },
    signature=signature(
        "Activity ID|Id", "Subject", "Type|Task Subtype|TaskSubtype", "Due Date|ActivityDate",
        "Assigned To|Assigned|Owner ID|OwnerId",
    ),
    values={"kind": {**TASK_TYPE, "Task": "follow_up", "ListEmail": "email"}},
)  # fmt: skip

ORDERS = make_preset(
    CRM,
    LABEL,
    RecordKind.ORDER,
    columns={
        "Order Number": "external_id", "OrderNumber": "external_id",
        "Account Name": "customer", "Account ID": "customer", "AccountId": "customer",
        "Opportunity ID": "opportunity", "OpportunityId": "opportunity",
        "Order Amount": "amount", "TotalAmount": "amount",
        "Order Start Date": "ordered_on", "EffectiveDate": "ordered_on",
        "Order Owner": "rep", **dict.fromkeys(_OWNER, "rep"),
    },
    signature=signature(
        "Order Number|OrderNumber", "Account Name|Account ID|AccountId",
        "Order Amount|TotalAmount", "Order Start Date|EffectiveDate",
        "Order Owner|Owner ID|OwnerId",
    ),
)  # fmt: skip

PRESETS = (LEADS, OPPORTUNITIES, ACCOUNTS, TASKS, ORDERS)
