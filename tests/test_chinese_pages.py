"""Every page in Chinese: no choice label left in English and no raw code shown to the reader.

The demo company, read by its admin, its sales manager and a team lead; every page of the
navigation, the diagnosis report and an import's own page. The visible text (no markup, no
scripts or chart data, no form values) must not hold any choice's English label or its stored
code ("lead", "done", "sales_rep"), where the Chinese label differs.
"""

from __future__ import annotations

import html
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from salesopt.core.models import Profile, Role
from salesopt.imports.models import ImportRun

pytestmark = pytest.mark.django_db

PAGES = ["/", "/diagnosis/", "/diagnosis/report/", "/plan/", "/execution/", "/evaluation/"]
# Words our pages show as they are in both languages: product names, formats, units.
ALWAYS_AS_IS = {"csv", "xlsx", "salesopt", "id"}


@pytest.fixture
def demo(frozen_today):
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)


def choices() -> list[tuple[str, str, str]]:
    """(stored code, English label, Chinese label) of every model field with choices."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                with translation.override("en"):
                    english = str(label)
                with translation.override("zh-hans"):
                    chinese = str(label)
                found.add((str(value), english, chinese))
    return sorted(found)


def visible_text(body: str) -> str:
    body = re.sub(r"<(script|style|select|datalist|textarea)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def leftovers(text: str) -> list[str]:
    found = []
    for code, english, chinese in choices():
        if english == chinese:
            continue  # a label the same in both languages (a name, a grade letter)
        for word in {code, english}:
            if len(word) < 3 or word.casefold() in ALWAYS_AS_IS:
                continue
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
                found.append(f"{word!r} (for {chinese})")
    return found


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SALES_MANAGER, Role.TEAM_LEAD])
def test_every_page_in_chinese_shows_no_english_choice_and_no_raw_code(client, demo, role):
    user = Profile.objects.filter(role=role, user__is_active=True).first().user
    client.force_login(user)
    pages = list(PAGES)
    if role == Role.ADMIN:
        content = (
            "线索编号,姓名,公司,线索来源,线索状态,创建时间\nL1,王伟,伟业,官网,未处理,2024-03-01\n"
        )
        upload = SimpleUploadedFile("线索.csv", content.encode(), content_type="text/csv")
        client.post(reverse("imports:run-list"), {"file": upload},
                    headers={"accept-language": "zh-CN"})  # fmt: skip
        pages += [
            "/imports/",
            reverse("imports:run-detail", kwargs={"pk": ImportRun.objects.get().pk}),
        ]

    problems = {}
    for path in pages:
        response = client.get(path, headers={"accept-language": "zh-CN,zh;q=0.9"})
        assert response.status_code == 200, path
        if found := leftovers(visible_text(response.content.decode())):
            problems[path] = found

    assert problems == {}


def test_the_import_history_names_the_crm_not_its_code(client, demo):
    client.force_login(Profile.objects.filter(role=Role.ADMIN).first().user)
    content = "Lead ID,First Name,Last Name,Company,Lead Source,Lead Status,Create Date\n"
    content += "00Q1,Lei,Wang,Huanan,Web,Open - Not Contacted,3/1/2024 2:05 PM\n"
    client.post(reverse("imports:run-list"),
                {"file": SimpleUploadedFile("leads.csv", content.encode())})  # fmt: skip

    page = visible_text(client.get("/imports/").content.decode())

    assert "Salesforce" in page
    assert not re.search(r"(?<![\w.])salesforce(?![\w.])", page)


def test_the_check_finds_a_raw_code():
    assert leftovers("导入 lead 完成") != []
    assert leftovers("导入线索完成") == []
