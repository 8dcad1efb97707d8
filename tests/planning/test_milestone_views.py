"""The milestone list, the deal pages and marking a milestone done: roles, denials, bad input.

A denial also checks that nothing changed. Default milestones (migration planning.0003):
proposal submitted (rep, file), contract review (team lead, file), signed (rep, file).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from planning.milestone_services import milestone_update
from planning.models import MilestoneCompletion, MilestoneDefinition
from salesopt.core.models import Role
from salesopt.core.stage_history import refresh_progress
from salesopt.kpis.services import kpis_recompute
from tests.factories import (
    MilestoneDefinitionFactory,
    OpportunityFactory,
    StageEntryFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_milestones")]
HTMX = {"HX-Request": "true"}
PDF = b"%PDF-1.7\n% a proposal\n"


def default(key: str) -> MilestoneDefinition:
    return MilestoneDefinition.objects.get(default_key=key)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def deal(rep):
    return OpportunityFactory(
        owner=rep, stage="proposal", created_in_crm_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    )


@pytest.fixture
def east_deal(east_rep):
    return OpportunityFactory(owner=east_rep, stage="proposal")


@pytest.fixture
def east_lead(east_team):
    return UserFactory(username="lead.east", profile__role=Role.TEAM_LEAD, profile__team=east_team)


def new_milestone(**fields):
    return {
        "new-name": "技术评审",
        "new-owner_role": "team_lead",
        "new-deliverable_kind": "link",
        "new-due_offset_days": "21",
    } | fields


def done_url(deal, milestone):
    return reverse("planning:milestone-done", args=[deal.pk, milestone.pk])


def pdf(name="proposal.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# The milestone list


def test_the_manager_adds_a_milestone_at_the_end(client, manager):
    client.force_login(manager)

    response = client.post(reverse("planning:milestone-create"), new_milestone(), headers=HTMX)

    assert response.status_code == 200
    assert "技术评审" in response.content.decode()
    added = MilestoneDefinition.objects.get(name="技术评审")
    assert (added.position, added.owner_role, added.due_offset_days) == (4, "team_lead", 21)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"new-due_offset_days": "-3"}, "greater than or equal to 0"),
        ({"new-due_offset_days": "soon"}, "Enter a whole number"),
        ({"new-name": "Signed"}, "already in the list"),
        ({"new-owner_role": "executive"}, "Select a valid choice"),
        ({"new-name": ""}, "This field is required"),
    ],
)
def test_bad_milestone_input_is_a_form_error_and_adds_nothing(client, manager, fields, message):
    client.force_login(manager)

    response = client.post(
        reverse("planning:milestone-create"), new_milestone(**fields), headers=HTMX
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert MilestoneDefinition.objects.count() == 3


@pytest.mark.parametrize("who", ["rep", "team_lead", "executive"])
def test_only_managers_and_admins_edit_the_list(client, request, who):
    client.force_login(request.getfixturevalue(who))
    signed = default("signed")

    created = client.post(reverse("planning:milestone-create"), new_milestone())
    retired = client.post(reverse("planning:milestone-retire", args=[signed.pk]))

    assert (created.status_code, retired.status_code) == (403, 403)
    assert MilestoneDefinition.objects.filter(active=True).count() == 3


@pytest.mark.parametrize(("who", "status"), [("team_lead", 200), ("executive", 200), ("rep", 403)])
def test_who_reads_the_list(client, request, who, status):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("planning:milestone-list"))

    assert response.status_code == status
    if status == 200:
        assert "Proposal submitted" in response.content.decode()
        assert "Add a milestone" not in response.content.decode()


def test_the_manager_reorders_renames_and_retires(client, manager):
    client.force_login(manager)
    review, signed = default("contract_review"), default("signed")

    client.post(reverse("planning:milestone-move", args=[signed.pk]), {"direction": "up"})
    client.post(
        reverse("planning:milestone-update", args=[review.pk]),
        {f"m{review.pk}-name": "法务审核", f"m{review.pk}-owner_role": "sales_manager",
         f"m{review.pk}-deliverable_kind": "link", f"m{review.pk}-due_offset_days": "35"},
    )  # fmt: skip
    client.post(reverse("planning:milestone-retire", args=[default("proposal_submitted").pk]))

    active = MilestoneDefinition.objects.filter(active=True).order_by("position")
    assert list(active.values_list("position", "name", "default_key")) == [
        (1, "Signed", "signed"),
        (2, "法务审核", ""),
    ]


def test_a_default_milestone_saved_unchanged_in_chinese_stays_translated(manager):
    review = default("contract_review")
    with translation.override("zh-hans"):
        shown = review.shown_name
        milestone_update(user=manager, milestone=review, name=shown, owner_role="team_lead",
                         deliverable_kind="file", due_offset_days=28)  # fmt: skip

    review.refresh_from_db()
    assert (review.default_key, review.name, review.due_offset_days) == (
        "contract_review",
        "Contract review",
        28,
    )


# Deals: who sees which


@pytest.mark.parametrize(("who", "status"), [("rep", 200), ("team_lead", 200), ("executive", 200),
                                             ("east_rep", 404), ("east_lead", 404)])  # fmt: skip
def test_a_deal_is_read_within_the_readers_scope(client, request, deal, who, status):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("planning:deal-detail", args=[deal.pk]))

    assert response.status_code == status


def test_the_deal_list_shows_the_readers_deals_within_a_query_budget(
    client, rep, deal, east_deal, django_assert_max_num_queries
):
    for _number in range(5):
        OpportunityFactory(owner=rep)
    client.force_login(rep)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("planning:deal-list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert deal.name in body
    assert east_deal.name not in body


# Marking a milestone done


def test_the_rep_files_the_proposal(client, rep, deal):
    client.force_login(rep)
    proposal = default("proposal_submitted")

    response = client.post(done_url(deal, proposal), {f"d{proposal.pk}-file": pdf()}, headers=HTMX)

    assert response.status_code == 200
    done = MilestoneCompletion.objects.get()
    assert (done.done_by, done.file_name, done.file_content_type, done.file_size) == (
        rep,
        "proposal.pdf",
        "application/pdf",
        len(PDF),
    )
    assert done.file.name.startswith(f"milestones/{deal.pk}/")
    assert "Download proposal.pdf" in response.content.decode()
    download = client.get(reverse("planning:milestone-file", args=[deal.pk, proposal.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize("who", ["team_lead", "manager", "admin_user"])
def test_the_team_lead_and_above_may_do_the_contract_review(client, request, deal, who):
    client.force_login(request.getfixturevalue(who))
    review = default("contract_review")

    response = client.post(done_url(deal, review), {f"d{review.pk}-file": pdf("contract.pdf")})

    assert response.status_code == 302
    assert MilestoneCompletion.objects.get().milestone == review


@pytest.mark.parametrize(
    ("who", "milestone", "status"),
    [
        ("rep", "contract_review", 403),  # the team lead's milestone
        ("executive", "proposal_submitted", 403),  # reads only
        ("east_rep", "proposal_submitted", 404),  # not their deal
        ("east_lead", "contract_review", 404),  # not their team's deal
    ],
)
def test_marking_done_is_refused_outside_the_role_and_scope(
    client, request, deal, who, milestone, status
):
    client.force_login(request.getfixturevalue(who))
    target = default(milestone)

    response = client.post(done_url(deal, target), {f"d{target.pk}-file": pdf()})

    assert response.status_code == status
    assert not MilestoneCompletion.objects.exists()


def test_another_reps_deliverable_cannot_be_downloaded(client, rep, east_rep, deal):
    client.force_login(rep)
    proposal = default("proposal_submitted")
    client.post(done_url(deal, proposal), {f"d{proposal.pk}-file": pdf()})
    client.force_login(east_rep)

    response = client.get(reverse("planning:milestone-file", args=[deal.pk, proposal.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("javascript:alert(1)", "starting with http:// or https://"),
        ("ftp://files.example.com/proposal", "starting with http:// or https://"),
        ("docs.example.com proposal", "starting with http:// or https://"),
        ("", "Give the link to the deliverable."),
    ],
)
def test_a_bad_link_is_refused(client, rep, deal, link, message):
    client.force_login(rep)
    review_link = MilestoneDefinitionFactory(deliverable_kind="link")

    response = client.post(done_url(deal, review_link), {f"d{review_link.pk}-link": link},
                           headers=HTMX)  # fmt: skip

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MilestoneCompletion.objects.exists()


def test_a_good_link_is_kept(client, rep, deal):
    client.force_login(rep)
    review_link = MilestoneDefinitionFactory(deliverable_kind="link")
    link = "https://docs.example.com/方案/v2?x=1"

    client.post(done_url(deal, review_link), {f"d{review_link.pk}-link": link})

    assert MilestoneCompletion.objects.get().link == link


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf("setup.exe", b"MZ\x90\x00"), "not accepted"),
        (pdf("page.html", b"<script>alert(1)</script>"), "not accepted"),
        (pdf("drawing.svg", b"<svg onload=alert(1)>"), "not accepted"),
        (pdf("proposal.pdf", b"MZ\x90\x00 not a pdf"), "is not a .pdf file"),
        (pdf("proposal.docx", PDF), "is not a .docx file"),
    ],
)
def test_a_forbidden_file_type_is_refused(client, rep, deal, upload, message, tmp_path):
    client.force_login(rep)
    proposal = default("proposal_submitted")

    response = client.post(done_url(deal, proposal), {f"d{proposal.pk}-file": upload},
                           headers=HTMX)  # fmt: skip

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MilestoneCompletion.objects.exists()
    assert not (tmp_path / "milestones").exists()


def test_an_oversized_file_is_refused(client, rep, deal, settings):
    settings.SALESOPT_MILESTONE_FILE_MAX_BYTES = 1024
    client.force_login(rep)
    proposal = default("proposal_submitted")

    response = client.post(done_url(deal, proposal),
                           {f"d{proposal.pk}-file": pdf(content=PDF + b"0" * 2000)},
                           headers=HTMX)  # fmt: skip

    assert response.status_code == 200
    assert "larger than 1.0\xa0KB" in response.content.decode()
    assert not MilestoneCompletion.objects.exists()


def test_a_milestone_is_done_once(client, rep, deal):
    client.force_login(rep)
    proposal = default("proposal_submitted")
    client.post(done_url(deal, proposal), {f"d{proposal.pk}-file": pdf()})

    again = client.post(done_url(deal, proposal), {f"d{proposal.pk}-file": pdf("v2.pdf")},
                        headers=HTMX)  # fmt: skip

    assert again.status_code == 200
    assert MilestoneCompletion.objects.get().file_name == "proposal.pdf"


# The funnel page


@pytest.fixture
def funnel_deals(frozen_today, rep, east_rep, south, east):
    """Two deals entering in October 2026: 华南's won (all five stages), 华东's lost at once."""
    for owner, region, stages in ((rep, south, ["qualification", "needs_analysis", "proposal",
                                                "negotiation", "won"]),
                                  (east_rep, east, ["qualification", "lost"])):  # fmt: skip
        opportunity = OpportunityFactory(owner=owner, region=region, stage=stages[-1])
        for day, stage in enumerate(stages, start=1):
            StageEntryFactory(
                opportunity=opportunity,
                stage=stage,
                entered_at=dt.datetime(2026, 10, day * 3, 9, tzinfo=dt.UTC),
            )
    refresh_progress("1 = 1")
    kpis_recompute(period_from="2026-01", period_to="2026-12")


def test_the_manager_sees_the_funnel_and_its_drop_off(client, manager, funnel_deals):
    client.force_login(manager)

    response = client.get(reverse("planning:funnel"), {"period_from": "2026-10",
                                                       "period_to": "2026-11"})  # fmt: skip

    body = response.content.decode()
    assert response.status_code == 200
    assert "2 deals entered the pipeline 2026-10 – 2026-11" in body
    assert 'id="chart-funnel"' in body
    # qualification 2 → needs analysis 1: 50% went on, 50% dropped out.
    assert '<td>qualification</td>\n            <td class="number">2</td>' in body


def test_a_filter_narrows_the_funnel_and_a_rep_reads_their_own(client, rep, funnel_deals, east):
    client.force_login(rep)

    own = client.get(reverse("planning:funnel"), {"period_from": "2026-10", "period_to": "2026-10"})
    east_only = client.get(reverse("planning:funnel"), {"period_from": "2026-10",
                                                        "period_to": "2026-10",
                                                        "region": east.pk})  # fmt: skip

    assert "1 deal entered the pipeline" in own.content.decode()
    assert "No deal entered the pipeline" in east_only.content.decode()


def test_bad_funnel_filters_are_form_errors(client, manager, funnel_deals):
    client.force_login(manager)

    backwards = client.get(reverse("planning:funnel"), {"period_from": "2026-11",
                                                        "period_to": "2026-10"})  # fmt: skip
    nonsense = client.get(
        reverse("planning:funnel"),
        {"period_from": "last year", "period_to": "2026-10", "team": "x"},
    )

    assert backwards.status_code == nonsense.status_code == 200
    assert "The first month comes after the last one." in backwards.content.decode()
    assert "Enter a valid date." in nonsense.content.decode()


def test_the_default_list_comes_back_only_when_there_never_was_one():
    from planning.milestone_services import milestones_ensure_defaults

    assert milestones_ensure_defaults() == 0  # the list is there: nothing is added
    MilestoneDefinition.objects.exclude(default_key="signed").update(active=False)
    assert milestones_ensure_defaults() == 0  # retired milestones are a list too
    MilestoneDefinition.objects.all().delete()
    assert milestones_ensure_defaults() == 3
    keys = MilestoneDefinition.objects.order_by("position").values_list("default_key", "position")
    assert list(keys) == [("proposal_submitted", 1), ("contract_review", 2), ("signed", 3)]
