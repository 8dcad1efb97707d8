"""An admin imports a Chinese CRM export (GB18030) through the pages, like a person would."""

import pytest
from playwright.sync_api import Page, expect

from salesopt.core.models import Lead, Role
from tests.factories import RegionFactory, UserFactory
from tests.factories.org import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROWS = 60_000
# 纷享销客-style headers; "渠道备注" is a column no preset or synonym knows.
HEADER = "线索编号,姓名,公司名称,线索来源,创建时间,所属区域,渠道备注\n"


def chinese_export(path) -> str:
    lines = [f"XS{i:06d},王伟{i},深圳市伟业科技有限公司,官网,2024/3/{i % 28 + 1} 14:05,华南,备注{i}"
             for i in range(ROWS)]  # fmt: skip
    lines[2] = "XS000002,李娜,广州某公司,展会,昨天下午,华南,备注2"  # a date nobody can read
    path.write_bytes((HEADER + "\n".join(lines)).encode("gb18030"))
    return str(path)


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_admin_uploads_maps_checks_and_imports_with_progress(
    live_server, page: Page, routed_celery_worker, tmp_path, screenshot_path
):
    UserFactory(username="admin", profile__role=Role.ADMIN, is_staff=True)
    RegionFactory(name="华南", code="south")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/imports/")

    page.locator("input[type=file]").set_input_files(chinese_export(tmp_path / "线索.csv"))
    page.get_by_role("button", name="Upload and recognise").click()
    expect(page.locator("h1")).to_have_text("线索.csv")
    expect(page.get_by_text("gb18030")).to_be_visible()

    remark = page.locator("#preview thead th", has_text="渠道备注").locator("select")
    remark.select_option("campaign")
    expect(page.locator("#preview thead th", has_text="渠道备注").locator("select")).to_have_value(
        "campaign"
    )
    problem = page.locator("#preview td.cell-problem").first
    expect(problem).to_have_text("昨天下午")
    page.screenshot(path=screenshot_path("import-mapping"), full_page=True)

    page.get_by_role("button", name="Check every row").click()
    expect(page.locator("#validation-summary")).to_be_visible(timeout=60_000)
    expect(page.locator("#error-sample")).to_contain_text("昨天下午")

    page.locator("#start-import").click()
    expect(page.locator("#progress-bar")).to_be_visible()
    page.screenshot(path=screenshot_path("import-progress"))
    expect(page.locator("#import-summary")).to_be_visible(timeout=120_000)
    expect(page.locator('[data-count="created"]')).to_have_text(f"{ROWS - 1:,}")
    expect(page.locator('[data-count="rejected"]')).to_have_text("1")
    page.screenshot(path=screenshot_path("import-summary"), full_page=True)
    assert Lead.objects.filter(campaign="备注7").count() == 1
