"""Row access by role: each rule, including the denials."""

from decimal import Decimal

import pytest

from salesopt.core import access
from salesopt.core.models import Lead, Role
from tests.factories import (
    ActivityFactory,
    ComplaintFactory,
    CustomerFactory,
    LeadFactory,
    OrderFactory,
    SalesTargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(rep, other_rep, east_rep):
    return {
        "rep": LeadFactory(owner=rep, name="mine"),
        "teammate": LeadFactory(owner=other_rep, name="teammate's"),
        "east": LeadFactory(owner=east_rep, name="other team's"),
        "unowned": LeadFactory(owner=None, name="unassigned"),
    }


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.parametrize("role_fixture", ["admin_user", "manager", "executive"])
def test_company_wide_roles_see_every_lead(request, leads, role_fixture):
    user = request.getfixturevalue(role_fixture)

    assert access.visible_leads(user).count() == 4


def test_team_lead_sees_only_the_leads_of_their_own_team(team_lead, leads):
    assert names(access.visible_leads(team_lead)) == ["mine", "teammate's"]


def test_rep_sees_only_their_own_leads(rep, leads):
    assert names(access.visible_leads(rep)) == ["mine"]


def test_user_without_a_role_sees_nothing(leads):
    stranger = UserFactory(username="stranger", profile=None)

    assert access.visible_leads(stranger).count() == 0
    assert access.visible_programs(stranger).count() == 0


def test_superuser_without_profile_counts_as_admin(leads):
    root = UserFactory(username="root", profile=None, is_superuser=True)

    assert access.role_of(root) == Role.ADMIN
    assert access.visible_leads(root).count() == 4


def test_orders_activities_customers_follow_the_same_scope(rep, east_rep, team_lead):
    OrderFactory(rep=rep, amount=Decimal("100.00"))
    OrderFactory(rep=east_rep, amount=Decimal("200.00"))
    ActivityFactory(rep=rep)
    ActivityFactory(rep=east_rep)
    CustomerFactory(owner=rep, name="south customer")
    CustomerFactory(owner=east_rep, name="east customer")

    assert [o.amount for o in access.visible_orders(rep)] == [Decimal("100.00")]
    assert access.visible_activities(team_lead).count() == 1
    assert names(access.visible_customers(team_lead)) == ["south customer"]


def test_complaints_are_visible_through_the_customer_owner(team_lead, rep, east_rep):
    south_customer = CustomerFactory(owner=rep)
    east_customer = CustomerFactory(owner=east_rep)
    mine = ComplaintFactory(customer=south_customer)
    ComplaintFactory(customer=east_customer)

    assert list(access.visible_complaints(team_lead)) == [mine]
    assert list(access.visible_complaints(east_rep)) != [mine]


def test_targets_team_lead_sees_team_and_its_reps_rep_sees_own(
    team_lead, rep, east_rep, south_team, east_team
):
    team_target = SalesTargetFactory(team=south_team)
    rep_target = SalesTargetFactory(rep=rep)
    SalesTargetFactory(team=east_team)
    SalesTargetFactory(rep=east_rep)
    SalesTargetFactory()  # company-wide

    assert set(access.visible_targets(team_lead)) == {team_target, rep_target}
    assert list(access.visible_targets(rep)) == [rep_target]


def test_profiles_team_lead_sees_own_team_only(team_lead, rep, east_rep):
    usernames = sorted(p.user.username for p in access.visible_profiles(team_lead))

    assert usernames == ["lead.south", "rep.south"]


def test_only_admins_import(admin_user, manager, team_lead, rep, executive):
    assert [access.can_import(u) for u in (admin_user, manager, team_lead, rep, executive)] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_programs_are_edited_by_managers_and_admins_only(
    admin_user, manager, team_lead, rep, executive
):
    assert [
        access.can_edit_programs(u) for u in (admin_user, manager, team_lead, rep, executive)
    ] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_team_lead_edits_own_team_tables_not_another_team(team_lead, south_team, east_team):
    assert access.can_edit_team_tables(team_lead, south_team) is True
    assert access.can_edit_team_tables(team_lead, east_team) is False


def test_rep_and_executive_do_not_edit_team_tables(rep, executive, south_team):
    assert access.can_edit_team_tables(rep, south_team) is False
    assert access.can_edit_team_tables(executive, south_team) is False


def test_scoping_does_not_leak_through_unassigned_leads(rep, team_lead, leads):
    unassigned = Lead.objects.get(name="unassigned")

    assert unassigned not in access.visible_leads(rep)
    assert unassigned not in access.visible_leads(team_lead)
