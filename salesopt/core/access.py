"""Who sees and edits what: the one home of row access.

Every view, export, API and command fetches rows through these functions, never by a bare id.
Admins, sales managers and executives see the whole company; a team lead sees the rows owned by
the members of their own team; a sales rep sees their own rows. A user without a role sees
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def diagnosis_programs(user: AnyUser) -> QuerySet[Program]:
    """The programs whose diagnosis `user` may read."""
    return visible_programs(user) if can_view_diagnosis(user) else Program.objects.none()


def can_edit_team_tables(user: AnyUser, team: Team) -> bool:
    """Tables 2 and 3 of a team: managers and admins, and that team's own lead."""
    role = role_of(user)
    if role in PROGRAM_EDITOR_ROLES:
        return True
    return role == Role.TEAM_LEAD and team_of(user) == team


def _scope(queryset: QuerySet, user: AnyUser, *user_fields: str) -> QuerySet:
    """Filter `queryset` to `user`'s rows; `user_fields` are the paths to the owning user."""
    role = role_of(user)
    if role in COMPANY_WIDE_ROLES:
        return queryset
    if role == Role.TEAM_LEAD and team_of(user) is not None:
        condition = Q()
        for field in user_fields:
            condition |= Q(**{f"{field}__profile__team": team_of(user)})
        return queryset.filter(condition)
    if role == Role.SALES_REP:
        condition = Q()
        for field in user_fields:
            condition |= Q(**{field: user})
        return queryset.filter(condition)
    return queryset.none()


def visible_leads(user: AnyUser) -> QuerySet[Lead]:
    return _scope(Lead.objects.all(), user, "owner")


def visible_activities(user: AnyUser) -> QuerySet[Activity]:
    return _scope(Activity.objects.all(), user, "rep")


def visible_opportunities(user: AnyUser) -> QuerySet[Opportunity]:
    return _scope(Opportunity.objects.all(), user, "owner")


def visible_orders(user: AnyUser) -> QuerySet[Order]:
    return _scope(Order.objects.all(), user, "rep")


def visible_customers(user: AnyUser) -> QuerySet[Customer]:
    return _scope(Customer.objects.all(), user, "owner")


def visible_complaints(user: AnyUser) -> QuerySet[Complaint]:
    return _scope(Complaint.objects.all(), user, "handled_by", "customer__owner")


def visible_targets(user: AnyUser) -> QuerySet[SalesTarget]:
    """Company-wide roles see every target; a team lead their team's and its reps'; a rep theirs."""
    role = role_of(user)
    if role in COMPANY_WIDE_ROLES:
        return SalesTarget.objects.all()
    if role == Role.TEAM_LEAD and team_of(user) is not None:
        team = team_of(user)
        return SalesTarget.objects.filter(Q(team=team) | Q(rep__profile__team=team))
    if role == Role.SALES_REP and user.is_authenticated:  # a role implies a signed-in user
        return SalesTarget.objects.filter(rep=user)
    return SalesTarget.objects.none()


def visible_profiles(user: AnyUser) -> QuerySet[Profile]:
    role = role_of(user)
    profiles = Profile.objects.select_related("user", "team")
    if role in COMPANY_WIDE_ROLES:
        return profiles
    if role == Role.TEAM_LEAD and team_of(user) is not None:
        return profiles.filter(team=team_of(user))
    if role == Role.SALES_REP and user.is_authenticated:  # a role implies a signed-in user
        return profiles.filter(user=user)
    return profiles.none()


def visible_programs(user: AnyUser) -> QuerySet[Program]:
    """Every role follows the programs (executives and reps read-only); no role, none."""
    if role_of(user) is None:
        return Program.objects.none()
    return Program.objects.all()
