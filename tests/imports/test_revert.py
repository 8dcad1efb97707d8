"""Reverting an import: what it created goes, what it updated comes back, later changes stay."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File

from salesopt.core.models import Activity, Lead
from salesopt.imports import services
from salesopt.imports.models import ImportStatus
from tests.factories import ActivityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("load_path")]

HEADER = "Lead ID,Name,Company,Lead Status,Created Date\n"
FIRST = HEADER + "00Q1,王伟,伟业科技,Working - Contacted,2024-03-01 14:05\n"
SECOND = (
    HEADER
    + "00Q1,王伟 (VIP),伟业科技,Closed - Converted,2024-03-01 14:05\n"
    + "00Q2,李娜,某公司,Open - Not Contacted,2024-03-02 09:00\n"
)


def import_text(tmp_path, text: str, name: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with path.open("rb") as handle:
        run = services.import_run_upload(user=None, uploaded=File(handle, name=name))
    services.import_run_set_mapping(
        run=run, kind=run.kind, preset=run.preset, columns=run.mapping["columns"]
    )
    return services.import_run_execute(run_id=run.pk)


def test_revert_removes_created_and_restores_updated_records(tmp_path, admin_user):
    import_text(tmp_path, FIRST, "first.csv")
    second = import_text(tmp_path, SECOND, "second.csv")
    assert (second.created_count, second.updated_count) == (1, 1)

    services.import_run_revert(run=second, user=admin_user)

    lead = Lead.objects.get()
    assert (lead.external_id, lead.name, lead.status) == ("00Q1", "王伟", "contacted")
    assert (second.status, second.revert_skipped) == (ImportStatus.REVERTED, [])
    assert second.reverted_by == admin_user


def test_a_record_changed_since_is_left_alone_and_listed(tmp_path, admin_user):
    run = import_text(tmp_path, FIRST, "first.csv")
    Lead.objects.filter(external_id="00Q1").update(name="edited by hand")
    Lead.objects.get().save()  # the edit moves updated_at past the import

    services.import_run_revert(run=run, user=admin_user)

    assert Lead.objects.get().name == "edited by hand"
    assert run.revert_skipped == [{"external_id": "00Q1", "reason": "changed since this import"}]


def test_a_created_record_others_refer_to_is_kept(tmp_path, admin_user):
    run = import_text(tmp_path, FIRST, "first.csv")
    ActivityFactory(lead=Lead.objects.get())

    services.import_run_revert(run=run, user=admin_user)

    assert (Lead.objects.count(), Activity.objects.count()) == (1, 1)
    assert run.revert_skipped == [{"external_id": "00Q1", "reason": "other records refer to it"}]


def test_a_revert_happens_once(tmp_path, admin_user):
    run = import_text(tmp_path, FIRST, "first.csv")
    services.import_run_revert(run=run, user=admin_user)

    with pytest.raises(ValidationError):
        services.import_run_revert(run=run, user=admin_user)
