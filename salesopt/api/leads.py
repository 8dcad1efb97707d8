"""`GET /api/leads/`: the leads the reader may see, with their grade, its reason, the owner, the
due time and where each stands against it; the soonest due first.

Scoped as every read (salesopt.core.access): a rep gets their own leads, a team lead their
team's, the others the company's. Filters: owner (username), grade (A, B, C, or empty for the
ungraded), status, overdue (not answered and past due); pages of at most 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from salesopt.core.models import LeadGrade, LeadStatus
from salesopt.leads.selectors import breach_of, grade_reason, lead_list

from .schemas import ErrorOut

router = Router(tags=["Leads"])
MOST_PER_PAGE = 500


class LeadQuery(Schema):
    owner: str | None = Field(None, description="The owner's username.")
    grade: LeadGrade | None = Field(None, description="A, B or C.")
    ungraded: bool = Field(False, description="Only the leads without a grade.")
    status: LeadStatus | None = None
    overdue: bool | None = Field(
        None, description="true: open, not answered and past due; false: all the others."
    )
    limit: int = Field(100, ge=1, le=MOST_PER_PAGE)
    offset: int = Field(0, ge=0)


class LeadOut(Schema):
    id: int
    external_id: str
    name: str
    company: str
    status: str
    grade: str = Field(description="The grade in force; empty when ungraded.")
    grade_reason: str = Field(description="Why the lead has its grade, in the reader's language.")
    crm_grade: str
    owner: str | None
    created: dt.datetime
    due: dt.datetime | None = Field(description="First response due by (working hours).")
    first_response: dt.datetime | None
    breach: str = Field(description="on_time, late, overdue, open, or none (no deadline).")


class LeadPageOut(Schema):
    count: int
    limit: int
    offset: int
    leads: list[LeadOut]


@router.get(
    "/",
    url_name="leads",
    operation_id="leads",
    summary="The reader's leads with grade, reason, owner, due time and breach status",
    response={200: LeadPageOut, 400: ErrorOut, 401: ErrorOut},
)
def leads_read(request: HttpRequest, query: Query[LeadQuery]) -> dict[str, Any]:
    now = timezone.now()
    leads = lead_list(
        user=request.auth,  # type: ignore[attr-defined]
        owner=query.owner,
        grade="" if query.ungraded else (query.grade.value if query.grade else None),
        status=query.status.value if query.status else None,
        overdue=query.overdue,
        now=now,
    )
    page = leads[query.offset : query.offset + query.limit]
    return {
        "count": leads.count(),
        "limit": query.limit,
        "offset": query.offset,
        "leads": [
            {
                "id": lead.pk,
                "external_id": lead.external_id,
                "name": lead.name,
                "company": lead.company_name,
                "status": lead.status,
                "grade": lead.grade,
                "grade_reason": grade_reason(lead),
                "crm_grade": lead.crm_grade,
                "owner": lead.owner.get_username() if lead.owner else None,
                "created": lead.created_in_crm_at,
                "due": lead.due_at,
                "first_response": lead.first_response_at,
                "breach": breach_of(lead, now),
            }
            for lead in page
        ],
    }
