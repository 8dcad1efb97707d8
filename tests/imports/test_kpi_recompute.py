"""An import that changed something recomputes the KPIs of its months; one that did not, not."""

import datetime as dt

import pytest
from django.core.files import File

from salesopt.imports import services
from salesopt.kpis.models import KpiSnapshot

pytestmark = pytest.mark.django_db

EXPORT = "Lead ID,Name,Created Date\n00Q1,王伟,2024-03-01 14:05\n00Q2,李娜,2024-04-02 09:00\n"


def import_export(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(EXPORT, encoding="utf-8")
    with path.open("rb") as handle:
        run = services.import_run_upload(
            user=None, uploaded=File(handle, name="leads.csv"), kind="lead"
        )
    services.import_run_set_mapping(
        run=run, kind=run.kind, preset=run.preset, columns=run.mapping["columns"]
    )
    return services.import_run_execute(run_id=run.pk)


def test_an_import_that_changed_rows_recomputes_the_kpis(
    tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_export(tmp_path)

    march = KpiSnapshot.objects.get(
        metric="lead_count", grain="month", period_start=dt.date(2024, 3, 1), cut=""
    )
    assert len(callbacks) == 1
    assert march.value == 1


def test_reimporting_the_same_file_queues_no_recompute(
    tmp_path, django_capture_on_commit_callbacks
):
    import_export(tmp_path)

    with django_capture_on_commit_callbacks() as callbacks:
        import_export(tmp_path)

    assert callbacks == []
