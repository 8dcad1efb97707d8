"""Reads of the diagnosis phase, fitted to the workspace, the report and the export.

Who may read what is decided in `salesopt/core/access.py`; the reads here narrow to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from salesopt.core import access
from salesopt.core.history import Change, row_history
from salesopt.core.models import ProductLine, Program, Region

from .models import (
    DiagnosisRow,
    DiagnosisTeamMember,
    Finding,
    FindingStatus,
    ImpactLevel,
    Interview,
    InterviewTag,
    InterviewTopic,
    tag_label,
)

if TYPE_CHECKING:
    from salesopt.core.access import AnyUser

# Interview notes are candid one-to-one talk about colleagues: the people who run or sponsor the
# program read them all; a team lead reads those of their own team's people (as interviewee or
# interviewer), not what other teams' reps said; reps read none (access.can_view_diagnosis).
RECURRING_AT = 2  # a theme raised in two interviews or more is a recurring one
INTERVIEW_LIST_LIMIT = 50


@dataclass(frozen=True)
class Theme:
    """An interview tag and the number of interviews that raised it."""

    name: str
    label: str
    count: int
    is_fixed: bool

    @property
    def is_recurring(self) -> bool:
        return self.count >= RECURRING_AT


@dataclass(frozen=True)
class ImpactSummary:
    row_count: int
    high: int
    medium: int
    low: int
    total_amount: Decimal | None


@dataclass(frozen=True)
class InterviewList:
    interviews: list[Interview]
    total: int
    search: str
    tag: str

    @property
    def truncated(self) -> bool:
        return self.total > len(self.interviews)

    @property
    def tag_label(self) -> str:
        return tag_label(self.tag)


@dataclass(frozen=True)
class WorkspaceFigures:
    """The strip at the top of the workspace: how far the diagnosis has come."""

    program: Program
    team_count: int
    interview_count: int
    recurring_themes: int
    summary: ImpactSummary

    @property
    def baseline_months(self) -> int:
        start, end = self.program.baseline_start, self.program.baseline_end
        # Inclusive window: 1 Nov – 31 Oct is 12 months; a partial last month counts as begun.
        return (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day)


@dataclass(frozen=True)
class DiagnosisReport:
    program: Program
    team: list[DiagnosisTeamMember]
    rows: list[DiagnosisRow]
    summary: ImpactSummary
    accepted_findings: list[Finding]
    themes: list[Theme]
    interview_count: int


def team_members(*, program: Program) -> QuerySet[DiagnosisTeamMember]:
    return DiagnosisTeamMember.objects.filter(program=program).select_related("user__profile")


def team_candidates(*, user: AnyUser) -> QuerySet:
    """The people `user` may put on a diagnosis team: the users whose profile they see."""
    profiles = access.visible_profiles(user).values("user")
    return (
        get_user_model()
        .objects.filter(pk__in=profiles, is_active=True)
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )


def _interview_search(search: str) -> Q:
    """Notes, the interviewee's name, and tags by key, free text or label in this language."""
    wanted = search.casefold()
    topics = [topic.value for topic in InterviewTopic if wanted in str(topic.label).casefold()]
    return (
        Q(notes__icontains=search)
        | Q(interviewee_name__icontains=search)
        | Q(interviewee__profile__display_name__icontains=search)
        | Q(interviewee__username__icontains=search)
        | Q(tags__name__icontains=search)
        | Q(tags__name__in=topics)
    )


def readable_interviews(*, program: Program, user: AnyUser) -> QuerySet[Interview]:
    """The program's interviews `user` may read (see the note at the top)."""
    return access.scoped(
        Interview.objects.filter(program=program), user, "interviewee", "interviewer"
    )


def interviews(
    *, program: Program, user: AnyUser, search: str = "", tag: str = ""
) -> QuerySet[Interview]:
    """The program's interviews `user` reads, newest first, filtered by a search text and a tag."""
    queryset = readable_interviews(program=program, user=user)
    if search:
        # A subquery, not a join, so one interview matching twice is still listed once.
        queryset = queryset.filter(pk__in=Interview.objects.filter(_interview_search(search)))
    if tag:
        queryset = queryset.filter(tags__name=tag)
    return queryset.select_related("interviewee__profile", "interviewer__profile").prefetch_related(
        "tags"
    )


def interview_list(
    *, program: Program, user: AnyUser, search: str = "", tag: str = ""
) -> InterviewList:
    """The newest matching interviews (at most INTERVIEW_LIST_LIMIT) and how many match."""
    matching = interviews(program=program, user=user, search=search, tag=tag)
    shown = list(matching[:INTERVIEW_LIST_LIMIT])
    total = len(shown) if len(shown) < INTERVIEW_LIST_LIMIT else matching.count()
    return InterviewList(interviews=shown, total=total, search=search, tag=tag)


def interview_themes(*, program: Program, user: AnyUser) -> list[Theme]:
    """Every tag with the number of `user`'s readable interviews raising it, most raised first.

    The four fixed topics are always listed, at zero if no interview raised them yet, so the
    board sees that lead quality was asked about and not found, rather than forgotten.
    """
    counts = dict(
        InterviewTag.objects.filter(
            interview__in=readable_interviews(program=program, user=user).values("pk")
        )
        .values_list("name")
        .annotate(interviews=Count("interview", distinct=True))
    )
    names = [*InterviewTopic.values, *sorted(set(counts) - set(InterviewTopic.values))]
    themes = [
        Theme(
            name=name,
            label=tag_label(name),
            count=counts.get(name, 0),
            is_fixed=name in InterviewTopic.values,
        )
        for name in names
    ]
    return sorted(themes, key=lambda theme: -theme.count)


_IMPACT_ORDER = Case(
    When(impact_level=ImpactLevel.HIGH, then=Value(0)),
    When(impact_level=ImpactLevel.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def proposed_findings(*, program: Program) -> QuerySet[Finding]:
    """Findings waiting for a decision, the most damaging first."""
    return (
        Finding.objects.filter(program=program, status=FindingStatus.PROPOSED)
        .annotate(impact_order=_IMPACT_ORDER)
        .order_by("impact_order", "-impact_amount", "pk")
    )


def accepted_findings(*, program: Program) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(program=program, status=FindingStatus.ACCEPTED)
        .annotate(impact_order=_IMPACT_ORDER)
        .order_by("impact_order", "-impact_amount", "pk")
    )


def program_findings(*, program: Program) -> QuerySet[Finding]:
    """Every finding of the program, whatever its status (for looking one up by id)."""
    return Finding.objects.filter(program=program)


def table1_rows(*, program: Program) -> QuerySet[DiagnosisRow]:
    """Table 1 of the program, in the manager's order."""
    # The finding comes along: a row still in its words is written from it for each reader.
    return (
        DiagnosisRow.objects.filter(program=program)
        .select_related("finding")
        .order_by("position", "pk")
    )


def table1_summary(*, program: Program) -> ImpactSummary:
    """How many rows at each impact level, and the quarterly impact they add up to."""
    figures = DiagnosisRow.objects.filter(program=program).aggregate(
        row_count=Count("pk"),
        high=Count("pk", filter=Q(impact_level=ImpactLevel.HIGH)),
        medium=Count("pk", filter=Q(impact_level=ImpactLevel.MEDIUM)),
        low=Count("pk", filter=Q(impact_level=ImpactLevel.LOW)),
        total_amount=Sum("impact_amount"),
    )
    return ImpactSummary(**figures)


def workspace_figures(*, program: Program, user: AnyUser) -> WorkspaceFigures:
    themes = interview_themes(program=program, user=user)
    return WorkspaceFigures(
        program=program,
        team_count=DiagnosisTeamMember.objects.filter(program=program).count(),
        interview_count=readable_interviews(program=program, user=user).count(),
        recurring_themes=sum(theme.is_recurring for theme in themes),
        summary=table1_summary(program=program),
    )


def diagnosis_report(*, program: Program, user: AnyUser) -> DiagnosisReport:
    """Everything the printable report shows, read once."""
    return DiagnosisReport(
        program=program,
        team=list(team_members(program=program)),
        rows=list(table1_rows(program=program)),
        summary=table1_summary(program=program),
        accepted_findings=list(accepted_findings(program=program)),
        themes=interview_themes(program=program, user=user),
        interview_count=readable_interviews(program=program, user=user).count(),
    )


def dashboard_filter_names(*, user: AnyUser) -> dict[str, list[str]]:
    """The names the dashboard filters offer: regions, product lines and the teams `user` reads."""
    return {
        "region": list(Region.objects.order_by("name").values_list("name", flat=True)),
        "product_line": list(ProductLine.objects.order_by("name").values_list("name", flat=True)),
        "team": list(access.visible_teams(user).order_by("name").values_list("name", flat=True)),
    }


def table1_row_history(row: DiagnosisRow) -> list[Change]:
    """The row's accepted changes, newest first; its first record shows what it said."""
    return row_history(row, first=("dimension", "description", "impact_level", "root_cause"))
