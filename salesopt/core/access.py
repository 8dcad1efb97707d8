"""Who sees and edits what: the one home of row access.

Every view, export, API and command fetches rows through these functions, never by a bare id.
Admins, sales managers and executives see the whole company; a team lead sees the rows owned by
the members of their own team; a sales rep sees their own rows. A user without a role sees
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import (
    Activity,
    Complaint,
    Customer,
    Lead,
    Opportunity,
    Order,
    Profile,
    Program,
    Role,
    SalesTarget,
    Team,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # request.user: the project keeps Django's own user model.
    AnyUser = User | AnonymousUser

COMPANY_WIDE_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.EXECUTIVE})
PROGRAM_EDITOR_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER})
# Interview notes are candid talk about colleagues: reps do not read the diagnosis.
DIAGNOSIS_READER_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.EXECUTIVE, Role.TEAM_LEAD})


class Reach(StrEnum):
    """How far a user's reading reaches."""

    COMPANY = "company"
    TEAM = "team"
    OWN = "own"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Scope:
    """What a user may read: the whole company, one team's rows, their own rows, or nothing.

    Every row filter below and the KPI reader (salesopt.kpis.selectors) start from this, so
    the role rules live here alone.
    """

    reach: Reach
    team: Team | None = None
    user: Any = None


def scope_of(user: AnyUser) -> Scope:
    role = role_of(user)
    if role in COMPANY_WIDE_ROLES:
        return Scope(Reach.COMPANY)
    team = team_of(user)
    if role == Role.TEAM_LEAD and team is not None:
        return Scope(Reach.TEAM, team=team)
    if role == Role.SALES_REP:
        return Scope(Reach.OWN, user=user)
    return Scope(Reach.NOTHING)


def command_line_reader() -> Any:
    """Who `manage.py` commands read as: an unsaved superuser, i.e. an admin (company-wide).

    Anyone who can run manage.py can read the database anyway; pages and the API always read
    as the signed-in user.
    """
    return get_user_model()(username="manage.py", is_superuser=True, is_active=True)


def role_of(user: AnyUser) -> str | None:
    """The user's role; a superuser without a profile counts as an admin."""
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    if profile is not None:
        return profile.role
    return Role.ADMIN if user.is_superuser else None


def team_of(user: AnyUser) -> Team | None:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile.team if profile is not None else None


def sees_whole_company(user: AnyUser) -> bool:
    return role_of(user) in COMPANY_WIDE_ROLES


def can_import(user: AnyUser) -> bool:
    return role_of(user) == Role.ADMIN


def can_edit_programs(user: AnyUser) -> bool:
    return role_of(user) in PROGRAM_EDITOR_ROLES


def can_view_diagnosis(user: AnyUser) -> bool:
    """Admins, sales managers, executives and team leads read the diagnosis; reps do not."""
    return role_of(user) in DIAGNOSIS_READER_ROLES


def can_edit_diagnosis(user: AnyUser) -> bool:
    """The diagnosis is edited by those who edit programs: admins and sales managers."""
    return can_edit_programs(user)


def can_view_plan(user: AnyUser) -> bool:
    """The plan's goals and measures: read by the diagnosis's readers (reps get their queue)."""
    return can_view_diagnosis(user)


def can_edit_plan(user: AnyUser) -> bool:
    return can_edit_programs(user)


def diagnosis_programs(user: AnyUser) -> QuerySet[Program]:
    """The programs whose diagnosis `user` may read."""
    return visible_programs(user) if can_view_diagnosis(user) else Program.objects.none()


def can_edit_team_tables(user: AnyUser, team: Team) -> bool:
    """Tables 2 and 3 of a team: managers and admins, and that team's own lead."""
    role = role_of(user)
    if role in PROGRAM_EDITOR_ROLES:
        return True
    return role == Role.TEAM_LEAD and team_of(user) == team


def can_add_execution_rows(user: AnyUser) -> bool:
    """Rows of the execution tables are added by managers and admins, and by team leads for
    their own team."""
    role = role_of(user)
    return role in PROGRAM_EDITOR_ROLES or (role == Role.TEAM_LEAD and team_of(user) is not None)


def can_edit_execution_row(user: AnyUser, team: Team | None) -> bool:
    """A row of the execution tables: managers and admins edit every one, a team lead their
    own team's (a company-wide row, with no team, is the manager's); reps and executives read."""
    role = role_of(user)
    if role in PROGRAM_EDITOR_ROLES:
        return True
    return role == Role.TEAM_LEAD and team is not None and team_of(user) == team


def can_read_coaching(user: AnyUser) -> bool:
    """New-rep coaching: team leads (their team), managers and admins, and the executive."""
    return role_of(user) in DIAGNOSIS_READER_ROLES


def can_coach(user: AnyUser, rep: AnyUser) -> bool:
    """Who records the coaching of a rep: managers and admins, and the rep's own team lead."""
    role = role_of(user)
    if role in PROGRAM_EDITOR_ROLES:
        return True
    team = team_of(rep)
    return role == Role.TEAM_LEAD and team is not None and team_of(user) == team


def visible_team_rows(
    queryset: QuerySet, user: AnyUser, *, team_field: str = "team", owner_field: str = "owner"
) -> QuerySet:
    """Rows that belong to a team and have an owner (the execution tables): every row for
    the company-wide roles; for a team lead, their team's rows, the company-wide ones (no
    team: the plan's shared work) and those they own; for a rep, their own."""
    scope = scope_of(user)
    if scope.reach == Reach.COMPANY:
        return queryset
    if scope.reach == Reach.TEAM:
        return queryset.filter(
            Q(**{team_field: scope.team})
            | Q(**{f"{team_field}__isnull": True})
            | Q(**{owner_field: user})
        )
    if scope.reach == Reach.OWN:
        return queryset.filter(**{owner_field: scope.user})
    return queryset.none()


def scoped(queryset: QuerySet, user: AnyUser, *user_fields: str) -> QuerySet:
    """`queryset` narrowed to `user`'s scope; `user_fields` are the paths to the owning user.

    A row is a team's when any of its users is on the team, and a rep's when any is the rep.
    """
    scope = scope_of(user)
    if scope.reach == Reach.COMPANY:
        return queryset
    if scope.reach == Reach.NOTHING:
        return queryset.none()
    condition = Q()
    for field in user_fields:
        if scope.reach == Reach.TEAM:
            condition |= Q(**{f"{field}__profile__team": scope.team})
        else:
            condition |= Q(**{field: scope.user})
    return queryset.filter(condition)


def visible_leads(user: AnyUser) -> QuerySet[Lead]:
    return scoped(Lead.objects.all(), user, "owner")


def visible_activities(user: AnyUser) -> QuerySet[Activity]:
    return scoped(Activity.objects.all(), user, "rep")


def visible_opportunities(user: AnyUser) -> QuerySet[Opportunity]:
    return scoped(Opportunity.objects.all(), user, "owner")


def visible_orders(user: AnyUser) -> QuerySet[Order]:
    return scoped(Order.objects.all(), user, "rep")


def visible_customers(user: AnyUser) -> QuerySet[Customer]:
    return scoped(Customer.objects.all(), user, "owner")


def visible_complaints(user: AnyUser) -> QuerySet[Complaint]:
    return scoped(Complaint.objects.all(), user, "handled_by", "customer__owner")


def visible_targets(user: AnyUser) -> QuerySet[SalesTarget]:
    """Company-wide roles see every target; a team lead their team's and its reps'; a rep theirs."""
    scope = scope_of(user)
    if scope.reach == Reach.COMPANY:
        return SalesTarget.objects.all()
    if scope.reach == Reach.TEAM:
        return SalesTarget.objects.filter(Q(team=scope.team) | Q(rep__profile__team=scope.team))
    if scope.reach == Reach.OWN:
        return SalesTarget.objects.filter(rep=scope.user)
    return SalesTarget.objects.none()


def visible_profiles(user: AnyUser) -> QuerySet[Profile]:
    scope = scope_of(user)
    profiles = Profile.objects.select_related("user", "team")
    if scope.reach == Reach.COMPANY:
        return profiles
    if scope.reach == Reach.TEAM:
        return profiles.filter(team=scope.team)
    if scope.reach == Reach.OWN:
        return profiles.filter(user=scope.user)
    return profiles.none()


def visible_teams(user: AnyUser) -> QuerySet[Team]:
    """The teams whose totals `user` reads: every team company-wide, a team lead their own.

    A rep reads no team total (it holds colleagues' rows), as in the KPI reader.
    """
    scope = scope_of(user)
    if scope.reach == Reach.COMPANY:
        return Team.objects.all()
    if scope.reach == Reach.TEAM and scope.team is not None:  # a team scope has its team
        return Team.objects.filter(pk=scope.team.pk)
    return Team.objects.none()


def visible_programs(user: AnyUser) -> QuerySet[Program]:
    """Every role follows the programs (executives and reps read-only); no role, none."""
    if role_of(user) is None:
        return Program.objects.none()
    return Program.objects.all()


# Deal milestones: who marks one done. A milestone's owner role says whose job it is; the
# people above that role on the deal's side may do it too (a rep's proposal can be filed by
# their team lead or the manager), never those below, and executives read only.
_MILESTONE_RANK: dict[str, int] = {
    Role.SALES_REP: 1,
    Role.TEAM_LEAD: 2,
    Role.SALES_MANAGER: 3,
    Role.ADMIN: 4,
}


def can_read_deals(user: AnyUser) -> bool:
    """Every role reads the deal pages, within the opportunities it sees."""
    return role_of(user) is not None


def can_complete_milestone(user: AnyUser, opportunity: Opportunity, owner_role: str) -> bool:
    """Whether `user` may mark a milestone owned by `owner_role` done on `opportunity`.

    The opportunity must be within the user's reach (the rep's own, the team lead's team's);
    callers fetch it through `visible_opportunities` first, and this checks it again.
    """
    rank = _MILESTONE_RANK.get(role_of(user) or "", 0)
    if rank == 0 or rank < _MILESTONE_RANK.get(owner_role, 0):
        return False
    return visible_opportunities(user).filter(pk=opportunity.pk).exists()
