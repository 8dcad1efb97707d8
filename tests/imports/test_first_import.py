"""A first import a new admin understands: our own templates import into the demo company,
recognition says how sure it is, a run with nothing valid is not "done", created owners are
people marked as created by the import."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from salesopt.imports import services
from salesopt.imports.models import ImportRun, ImportStatus
from salesopt.imports.presets import example_rows, template_headers
from salesopt.imports.schema import RecordKind

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str, **fields: str):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post(reverse("imports:run-list"), {"file": file, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.order_by("-pk").first()


def proposed_form(run: ImportRun, **changes: str) -> dict[str, str]:
    """The mapping page's form as the page proposes it, with `changes`."""
    columns = run.mapping.get("columns", {})
    form = {
        "kind": run.kind,
        "preset": services.chosen_preset(run),
        "time_zone": run.time_zone,
        "validate": "1",
        **{f"column_{i}": columns.get(h) or "" for i, h in enumerate(run.sniffed["headers"])},
    }
    return form | changes


def detail(run: ImportRun) -> str:
    return reverse("imports:run-detail", kwargs={"pk": run.pk})


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Our own templates import into the demo company


@pytest.fixture
def demo_admin(client, frozen_today):
    call_command("seed_demo", scale=0.05, seed=7, verbosity=0)
    client.force_login(get_user_model().objects.get(username="demo.admin"))
    return client


def test_every_downloaded_template_imports_into_the_demo_company_without_a_rejected_row(
    demo_admin, django_capture_on_commit_callbacks
):
    users_before = get_user_model().objects.count()
    outcomes = {}
    for language in ("en", "zh"):
        for kind in RecordKind:  # the page's order: later kinds refer to earlier kinds' rows
            for file_format in ("csv", "xlsx"):
                url = reverse(
                    "imports:template-download",
                    kwargs={"kind": kind.value, "language": language, "file_format": file_format},
                )
                download = demo_admin.get(url)
                assert download.status_code == 200
                run = upload(demo_admin, download.content, f"template.{file_format}")
                assert (run.kind, run.preset) == (kind.value, f"salesopt.{kind.value}")
                with django_capture_on_commit_callbacks(execute=True):
                    demo_admin.post(detail(run), proposed_form(run))
                with django_capture_on_commit_callbacks(execute=True):
                    demo_admin.post(reverse("imports:run-start", kwargs={"pk": run.pk}))
                run.refresh_from_db()
                outcomes[(language, kind.value, file_format)] = (
                    run.status,
                    run.rejected_count,
                    run.error_sample[:2],
                )

    rejected = {key: value for key, value in outcomes.items() if value[:2] != ("done", 0)}
    assert rejected == {}
    # The sample owners are the demo company's reps: no owner was created for them.
    assert get_user_model().objects.count() == users_before + 2  # the users template's two


def test_the_template_samples_name_the_demo_companys_reps_not_invented_people():
    for kind in (RecordKind.LEAD, RecordKind.CUSTOMER, RecordKind.OPPORTUNITY):
        for language in ("en", "zh"):
            owner = template_headers(kind, "en").index("Owner")
            names = {row[owner] for row in example_rows(kind, language)}
            assert names == {"demo.rep.01@demo.salesopt.example", "demo.rep.08"}


# ---------------------------------------------------------------------------------------------
# Nothing to import is not "done"

ALL_BAD = (
    "Lead ID,Name,Company,Lead Source,Lead Status,Created Date\n"
    "00Q1,王伟,伟业科技,Web,Working - Contacted,not a date\n"
    "00Q2,李娜,某公司,Web,Open - Not Contacted,yesterday\n"
    "00Q3,赵敏,某公司,Web,Open - Not Contacted,soon\n"
)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def checked_run(client, content: str, django_capture_on_commit_callbacks) -> ImportRun:
    run = upload(client, content.encode(), "leads.csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail(run), proposed_form(run))
    run.refresh_from_db()
    return run


def test_a_check_with_no_valid_row_says_so_and_offers_no_import(
    admin_client, django_capture_on_commit_callbacks
):
    run = checked_run(admin_client, ALL_BAD, django_capture_on_commit_callbacks)
    assert (run.status, run.rows_total, run.rejected_count) == ("validated", 3, 3)

    body = admin_client.get(detail(run)).content.decode()

    assert "None of the 3 rows can be imported: every row has an error (listed below)." in body
    assert 'id="start-import"' not in body
    assert "0 to write" not in body
    assert "not a date" in body  # the errors that explain it


def test_starting_a_run_with_no_valid_row_is_refused_with_the_reason(
    admin_client, django_capture_on_commit_callbacks
):
    run = checked_run(admin_client, ALL_BAD, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("imports:run-start", kwargs={"pk": run.pk}), {"skip_invalid": "on"}, follow=True
        )

    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED
    assert "None of the 3 rows can be imported" in response.content.decode()


def test_a_run_with_no_valid_row_executed_anyway_fails_and_offers_no_revert(
    admin_client, django_capture_on_commit_callbacks
):
    run = checked_run(admin_client, ALL_BAD, django_capture_on_commit_callbacks)

    services.import_run_execute(run_id=run.pk, skip_invalid=True)

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.message.startswith("None of the 3 rows can be imported")
    body = admin_client.get(detail(run)).content.decode()
    assert "Revert this import" not in body
    assert "Nothing was written." in body


def test_the_only_row_invalid_is_said_in_the_singular(
    admin_client, django_capture_on_commit_callbacks
):
    run = checked_run(
        admin_client, "\n".join(ALL_BAD.splitlines()[:2]) + "\n", django_capture_on_commit_callbacks
    )

    body = admin_client.get(detail(run)).content.decode()

    assert "The only row cannot be imported: it has an error (listed below)." in body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("skip_invalid", [True, False])
def test_the_command_line_does_not_call_a_run_with_no_valid_row_a_success(tmp_path, skip_invalid):
    path = tmp_path / "leads.csv"
    path.write_text(ALL_BAD, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = [str(path), "--preset", "salesforce.lead"] + (["--skip-invalid"] if skip_invalid else [])

    with pytest.raises(SystemExit) as exit_:
        call_command("import_crm", *args, stdout=out, stderr=err)

    assert exit_.value.code == 1
    assert json.loads(out.getvalue().splitlines()[-1])["rejected"] == 3
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.message.startswith("None of the 3 rows can be imported")


# ---------------------------------------------------------------------------------------------
# Created owners are people

OWNERS = (
    "Lead ID,Name,Company,Lead Source,Lead Status,Created Date,Lead Owner\n"
    "00Q1,王伟,伟业科技,Web,Working - Contacted,2024-03-01 14:05,Zhao Min\n"
    "00Q2,李娜,某公司,Web,Open - Not Contacted,2024-03-02 09:00,Wang.Fang@example.com\n"
    "00Q3,赵敏,某公司,Web,Open - Not Contacted,2024-03-03 09:00,Zhao Min\n"
)


def import_with_created_owners(client, capture) -> ImportRun:
    run = upload(client, OWNERS.encode(), "leads.csv")
    with capture(execute=True):
        client.post(detail(run), proposed_form(run, create_missing="on"))
    with capture(execute=True):
        client.post(reverse("imports:run-start", kwargs={"pk": run.pk}))
    run.refresh_from_db()
    assert (run.status, run.created_count, run.rejected_count) == ("done", 3, 0)
    return run


def created_people():
    from salesopt.core.models import Profile

    return Profile.objects.filter(created_by_import=True).select_related("user")


def test_owners_created_by_an_import_keep_their_name_and_are_marked_and_inactive(
    admin_client, django_capture_on_commit_callbacks
):
    import_with_created_owners(admin_client, django_capture_on_commit_callbacks)

    people = {p.display_name: (p.user.email, p.user.is_active, str(p)) for p in created_people()}
    assert people == {
        "Zhao Min": ("", False, "Zhao Min"),
        # An e-mail stays an e-mail: its local part ("Wang.Fang") is no name.
        "Wang.Fang@example.com": ("Wang.Fang@example.com", False, "Wang.Fang@example.com"),
    }


def test_a_second_import_naming_a_created_owner_finds_them_and_creates_no_one(
    admin_client, django_capture_on_commit_callbacks
):
    import_with_created_owners(admin_client, django_capture_on_commit_callbacks)
    again = OWNERS.replace("00Q", "00R")

    run = upload(admin_client, again.encode(), "leads.csv")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(detail(run), proposed_form(run))  # create-missing not ticked
    run.refresh_from_db()

    assert (run.created_count, run.rejected_count) == (3, 0)
    assert created_people().count() == 2


@pytest.fixture
def diagnosis_admin(admin_client, admin_user, program):
    admin_user.is_superuser = True  # the Django admin site's action
    admin_user.save(update_fields=["is_superuser"])
    return admin_client


def team_picker(client) -> str:
    return client.get(reverse("diagnosis:landing")).content.decode()


def test_created_owners_stay_out_of_the_pickers_of_active_staff_until_activated(
    diagnosis_admin, django_capture_on_commit_callbacks
):
    import_with_created_owners(diagnosis_admin, django_capture_on_commit_callbacks)
    zhao = created_people().get(display_name="Zhao Min")

    page = team_picker(diagnosis_admin)
    assert "Zhao Min" not in page and "Wang.Fang@example.com" not in page
    refused = diagnosis_admin.post(
        reverse("diagnosis:team-member-add"), {"team-user": zhao.user_id, "team-duty": "interviews"}
    )
    from diagnosis.models import DiagnosisTeamMember

    assert not DiagnosisTeamMember.objects.filter(user_id=zhao.user_id).exists()
    assert refused.status_code in (200, 400)

    changelist = reverse("admin:core_profile_changelist")
    listed = diagnosis_admin.get(changelist, {"created_by_import__exact": "1"}).content.decode()
    assert listed.count("created by import") >= 2
    response = diagnosis_admin.post(
        changelist, {"action": "activate", "_selected_action": [zhao.pk]}, follow=True
    )
    assert "1 person activated" in response.content.decode()

    zhao.user.refresh_from_db()
    assert zhao.user.is_active
    page = team_picker(diagnosis_admin)
    assert "Zhao Min (created by import)" in page
    assert "Wang.Fang@example.com" not in page


def test_the_records_of_created_owners_count_in_the_kpis(
    admin_client, django_capture_on_commit_callbacks
):
    from salesopt.core.access import command_line_reader
    from salesopt.kpis.selectors import kpi_series

    import_with_created_owners(admin_client, django_capture_on_commit_callbacks)
    call_command("compute_kpis", "--from", "2024-03", "--to", "2024-03", verbosity=0)

    series = kpi_series(
        user=command_line_reader(),
        metric="lead_count",
        grain="month",
        by="rep",
        period_from="2024-03",
        period_to="2024-03",
    )
    counts = {point.dims["rep"]: point.value for point in series.rows}
    assert counts == {"Zhao Min": 2, "Wang.Fang@example.com": 1}


# ---------------------------------------------------------------------------------------------
# Recognition says when it is unsure

# The file: our own Chinese leads template, a few optional columns left out.
OWN_LEADS_ZH = [
    h
    for h in template_headers(RecordKind.LEAD, "zh")
    if h
    not in (
        "市场活动",
        "公司规模",
        "紧急程度",
        "产品线",
        "首次响应时间",
        "转化时间",
        "丢单时间",
        "预计金额",
        "客户",
    )
]
OWN_LEADS_ROWS = [
    [
        "L-1",
        "王磊",
        "华南科技",
        "展会",
        "制造业",
        "A",
        "华南",
        "demo.rep.01",
        "已联系",
        "2024/3/1 14:05",
    ],
    [
        "L-2",
        "李娜",
        "东海零售",
        "官网",
        "零售",
        "C",
        "华东",
        "demo.rep.08",
        "未处理",
        "2024/3/2 9:10",
    ],
    [
        "L-3",
        "赵敏",
        "北方物流",
        "展会",
        "物流",
        "B",
        "华北",
        "demo.rep.01",
        "未处理",
        "2024/3/3 9:10",
    ],
]


@pytest.mark.parametrize("kind", ["", "lead"])
def test_our_own_template_with_optional_columns_left_out_is_recognised_as_it_is(admin_client, kind):
    assert OWN_LEADS_ZH == [
        "编号",
        "联系人",
        "公司名称",
        "线索来源",
        "行业",
        "线索等级",
        "区域",
        "负责人",
        "线索状态",
        "创建时间",
    ]
    run = upload(admin_client, csv_bytes(OWN_LEADS_ZH, OWN_LEADS_ROWS), "线索.csv", kind=kind)

    assert (run.kind, run.preset, run.source) == ("lead", "salesopt.lead", "salesopt")
    assert run.recognition["confidence"] == "certain"
    assert {"线索来源", "线索等级", "线索状态"} <= set(run.recognition["decided_by"])
    body = admin_client.get(detail(run)).content.decode()
    assert 'id="recognition-confidence">certain<' in body
    assert "salesopt&#x27;s own template for Leads" in body or "salesopt's own template" in body
    assert "“线索等级”" in body
    assert 'id="recognition-choose"' not in body


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_own_template_with_only_its_required_columns_is_still_ours(kind, language):
    from salesopt.imports.mapping import recognise_file
    from salesopt.imports.schema import SCHEMAS

    headers = template_headers(kind, language)
    required = [
        h
        for h, f in zip(headers, SCHEMAS[kind].fields, strict=True)
        if f.required or f.name == "external_id"
    ]

    found = recognise_file(required)

    assert (found.kind, found.preset.name, found.confidence) == (
        kind,
        f"salesopt.{kind.value}",
        "certain",
    )


def test_a_crm_export_is_recognised_with_how_sure_and_the_headers_that_decided(admin_client):
    run = upload(admin_client, ALL_BAD.encode(), "leads.csv")

    assert (run.kind, run.preset) == ("lead", "salesforce.lead")
    assert run.recognition["confidence"] in ("high", "medium")
    assert run.recognition["needs_choice"] is False
    assert "Lead Status" in run.recognition["decided_by"]
    body = admin_client.get(detail(run)).content.decode()
    assert "Salesforce · Leads" in body and "“Lead Status”" in body


# Two readings fit about as well: 钉钉's customers as leads, or 纷享销客's customers.
CLOSE_CALL = ["客户名称", "负责人", "创建时间", "客户来源", "客户编号"]
CLOSE_ROW = ["伟业科技", "赵敏", "2024/3/1 9:00", "官网", "K-1"]


def test_two_close_readings_are_both_offered_and_the_rows_wait_for_a_choice(
    admin_client, django_capture_on_commit_callbacks
):
    run = upload(admin_client, csv_bytes(CLOSE_CALL, [CLOSE_ROW]), "leads.csv")
    assert run.recognition["needs_choice"] is True, run.recognition
    candidates = run.recognition["candidates"]
    assert len(candidates) >= 2

    body = admin_client.get(detail(run)).content.decode()
    assert 'id="recognition-choose"' in body
    assert 'id="validate-rows" disabled' in body
    with django_capture_on_commit_callbacks(execute=True):
        refused = admin_client.post(detail(run), proposed_form(run))
    run.refresh_from_db()
    assert refused.status_code == 400
    assert "choose the kind of record and the preset" in refused.content.decode()
    assert run.status == ImportStatus.MAPPED

    second = candidates[1]
    admin_client.post(detail(run), {"choose": "1", **second})
    run.refresh_from_db()
    assert (run.kind, run.preset) == (second["kind"], second["preset"])
    assert (run.recognition["needs_choice"], run.recognition["reason"]) == (False, "chosen")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(detail(run), proposed_form(run))
    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED


@pytest.mark.parametrize(
    "choice",
    [
        {"kind": "nope", "preset": ""},
        {"kind": "lead", "preset": "nope.lead"},
        {"kind": "lead", "preset": "saved:999"},
    ],
)
def test_a_bad_choice_gets_a_message_not_an_error_page(admin_client, choice):
    run = upload(admin_client, csv_bytes(CLOSE_CALL, [CLOSE_ROW]), "leads.csv")

    response = admin_client.post(detail(run), {"choose": "1", **choice}, follow=True)

    assert response.status_code == 200
    assert "Choose a kind of record and a preset from the lists." in response.content.decode()
    run.refresh_from_db()
    assert run.recognition["needs_choice"] is True


def test_meaningless_headers_ask_for_the_kind(admin_client):
    run = upload(admin_client, b"foo,bar\n1,2\n", "x.csv")

    assert run.recognition["confidence"] == "none"
    assert run.recognition["needs_choice"] is True
    assert "No header says what this file holds." in admin_client.get(detail(run)).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_command_line_refuses_to_guess_between_close_readings(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes(CLOSE_CALL, [CLOSE_ROW]))
    err = io.StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("import_crm", str(path), stdout=io.StringIO(), stderr=err)

    assert exit_.value.code == 2
    assert "not sure what this file holds" in err.getvalue()
    assert "--preset" in err.getvalue()
    assert ImportRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_command_line_imports_our_own_template_as_ours(tmp_path):
    path = tmp_path / "线索.csv"
    path.write_bytes(csv_bytes(OWN_LEADS_ZH, OWN_LEADS_ROWS))

    with pytest.raises(SystemExit):  # the owners and regions are not in this empty company
        call_command(
            "import_crm", str(path), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO()
        )

    run = ImportRun.objects.get()
    assert (run.kind, run.preset, run.rows_total) == ("lead", "salesopt.lead", 3)
