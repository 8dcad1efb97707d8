"""HubSpot: CRM exports of contacts (salesopt leads), companies and deals.

HubSpot exports name columns by property label. Sources:
- HubSpot Knowledge Base "HubSpot's default deal properties", "Set up your import files",
  "How do I import contacts" (Contact owner, Lifecycle stage, Deal name, Pipeline, Deal stage,
  Close date, Company owner) and the default company properties page.
- Default Lead Status values (New, Open, In Progress, Open Deal, Unqualified, Attempted to
  Contact, Connected, Bad Timing): revenuereveal.co "HubSpot Lead Status Explained" and
  coastalconsulting.co "Using Lead Status and Lifecycle Stage in HubSpot".
- Default sales pipeline stages (Appointment Scheduled … Closed Lost): skills.sh
  "hubspot-deal-stages"; internal ids (appointmentscheduled, closedwon, …) as API exports
  write them: HubSpot CRM Pipelines API guide.
- "Record ID", "Create Date", "Associated Company" as export headers: public HubSpot-import code
  (e.g. test fixtures with `Record ID,First Name,Last Name,Email,Phone Number,Lead Status,
  Create Date,Associated Company,…,Contact owner`); HubSpot writes the internal status value
  (OPEN_DEAL) in some exports, so both spellings are listed.
Not covered: HubSpot activity exports (calls, tasks) — their column names could not be
confirmed here.
"""

from __future__ import annotations

from salesopt.imports.presets.base import Combine, OutcomeRule, make_preset, signature
from salesopt.imports.schema import RecordKind

CRM, LABEL = "hubspot", "HubSpot"

# "Bad Timing" and "Unqualified" end the lead's current sales attempt: lost for conversion KPIs.
LEAD_STATUS = {
    "New": "new", "NEW": "new",
    "Open": "new", "OPEN": "new",
    "In Progress": "contacted", "IN_PROGRESS": "contacted",
    "Attempted to Contact": "contacted", "ATTEMPTED_TO_CONTACT": "contacted",
    "Connected": "contacted", "CONNECTED": "contacted",
    "Open Deal": "qualified", "OPEN_DEAL": "qualified",
    "Unqualified": "lost", "UNQUALIFIED": "lost",
    "Bad Timing": "lost", "BAD_TIMING": "lost",
}  # fmt: skip

DEAL_STAGE = {
    "Appointment Scheduled": "qualification", "appointmentscheduled": "qualification",
    "Qualified To Buy": "needs_analysis", "qualifiedtobuy": "needs_analysis",
    "Presentation Scheduled": "proposal", "presentationscheduled": "proposal",
    "Decision Maker Bought-In": "negotiation", "decisionmakerboughtin": "negotiation",
    "Contract Sent": "negotiation", "contractsent": "negotiation",
    "Closed Won": "won", "closedwon": "won",
    "Closed Lost": "lost", "closedlost": "lost",
}  # fmt: skip

CONTACTS = make_preset(
    CRM,
    LABEL,
    RecordKind.LEAD,
    columns={
        "Record ID": "external_id",
        "First Name": "name", "Last Name": "name",
        "Company Name": "company_name", "Associated Company": "company_name",
        "Original Source": "channel",
        "Lead Status": "status",
        "Industry": "industry",
        "State/Region": "region",
        "Contact owner": "owner",
        "Create Date": "created_at",
        "Became a Customer Date": "won_at",
    },
    signature=signature(
        "Record ID", "First Name", "Last Name", "Email", "Contact owner", "Lead Status",
        "Lifecycle Stage", "Create Date",
    ),
    values={"status": LEAD_STATUS},
    combine=(Combine("name", ("First Name", "Last Name"), cjk_reversed=True),),
    # A contact that became a customer says so by its Lifecycle Stage; its Lead Status stays.
    outcomes=(OutcomeRule("converted", "Lifecycle Stage", ("Customer",)),),
)  # fmt: skip

COMPANIES = make_preset(
    CRM,
    LABEL,
    RecordKind.CUSTOMER,
    columns={
        "Record ID": "external_id",
        "Company name": "name",
        "Industry": "industry",
        "Number of Employees": "company_size",
        "State/Region": "region",
        "Company owner": "owner",
        "Create Date": "created_at",
    },
    signature=signature(
        "Record ID", "Company name", "Company owner", "Industry", "Number of Employees",
        "Create Date",
    ),
)  # fmt: skip

DEALS = make_preset(
    CRM,
    LABEL,
    RecordKind.OPPORTUNITY,
    columns={
        "Record ID": "external_id",
        "Deal Name": "name",
        "Associated Company": "customer",
        "Deal Stage": "stage",
        "Amount": "amount",
        "Deal probability": "probability",
        "Close Date": "expected_close",
        "Deal owner": "owner",
        "Create Date": "created_at",
    },
    signature=signature(
        "Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Pipeline", "Deal owner",
        "Create Date",
    ),
    values={"stage": DEAL_STAGE},
)  # fmt: skip

PRESETS = (CONTACTS, COMPANIES, DEALS)
