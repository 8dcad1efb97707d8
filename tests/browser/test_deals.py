"""Deals as people use them, on the demo company: a rep opens My deals, finds a deal whose
proposal is late, is refused a file that is not what its name says and files the real one; the
manager reads the funnel by region, in English and then in Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from planning.models import MilestoneCompletion, MilestoneDefinition
from salesopt.core.models import Opportunity, Role
from tests.browser.people import in_chinese, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def a_deal_with_its_proposal_to_file() -> Opportunity:
    """An open demo deal of a rep's whose proposal is past due and not on record (the demo
    leaves one deal in seven without its milestones)."""
    proposal = MilestoneDefinition.objects.get(default_key="proposal_submitted")
    filed = MilestoneCompletion.objects.filter(milestone=proposal).values("opportunity")
    past_due = timezone.now() - dt.timedelta(days=proposal.due_offset_days)
    return (
        Opportunity.objects.filter(
            stage__in=["qualification", "needs_analysis", "proposal"],
            owner__profile__role=Role.SALES_REP,
            created_in_crm_at__lt=past_due,
        )
        .exclude(pk__in=filed)
        .order_by("-created_in_crm_at")
        .first()
    )


def test_rep_files_a_late_proposal_on_their_deal(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    deal = a_deal_with_its_proposal_to_file()
    assert deal is not None
    log_in(page, live_server, deal.owner.username)

    page.get_by_role("link", name="My deals").click()
    page.get_by_label("Late milestones only").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#deal-table")).to_contain_text("Proposal submitted")
    page.screenshot(path=screenshot_path("deals-late"), full_page=True)

    page.goto(f"{live_server.url}/plan/deals/{deal.pk}/")
    proposal = page.locator("li", has_text="Proposal submitted")
    upload = proposal.get_by_label("file")
    upload.set_input_files(
        {"name": "proposal.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    proposal.get_by_role("button", name="Mark done").click()
    refusal = page.locator("#deal-milestones")
    expect(refusal).to_contain_text("The file's content is not a .pdf file.")
    assert (
        not MilestoneCompletion.objects.filter(opportunity=deal)
        .filter(milestone__default_key="proposal_submitted")
        .exists()
    )

    proposal = page.locator("li", has_text="Proposal submitted")
    proposal.get_by_label("file").set_input_files(
        {"name": "方案.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    proposal.get_by_role("button", name="Mark done").click()
    expect(page.locator("li", has_text="Proposal submitted")).to_contain_text("Download 方案.pdf")
    # The contract review is the team lead's: the rep gets no form for it.
    expect(page.locator("li", has_text="Contract review").locator("form")).to_have_count(0)
    page.screenshot(path=screenshot_path("deal-proposal-filed"), full_page=True)

    completion = MilestoneCompletion.objects.get(
        opportunity=deal, milestone__default_key="proposal_submitted"
    )
    assert completion.done_by == deal.owner
    assert completion.file.read() == PDF

    in_chinese(page)
    expect(page.locator("#deal-milestones")).to_contain_text("下载 方案.pdf")
    page.screenshot(path=screenshot_path("deal-proposal-filed-zh"), full_page=True)


def test_manager_reads_the_funnel_by_region(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    log_in(page, live_server, "demo.manager")
    page.goto(f"{live_server.url}/plan/")
    page.get_by_role("link", name="Sales funnel: drop-off between stages").click()
    table = page.locator("#funnel-table")
    expect(table).to_contain_text("qualification")
    expect(page.locator("#chart-funnel")).to_be_visible()
    everyone = int(table.locator("tbody tr").first.locator("td").nth(1).inner_text())

    page.get_by_label("region").select_option(label="华南")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"region=\d+"))
    south = int(table.locator("tbody tr").first.locator("td").nth(1).inner_text())
    assert 0 < south < everyone
    page.screenshot(path=screenshot_path("funnel-south"), full_page=True)

    in_chinese(page)
    expect(page.locator("#funnel-table")).to_contain_text("流失")
    page.screenshot(path=screenshot_path("funnel-south-zh"), full_page=True)
