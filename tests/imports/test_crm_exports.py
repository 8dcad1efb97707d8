"""Every sample export of every CRM imports end to end, in every encoding Excel users send."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files import File

from salesopt.core.models import Lead, Order
from salesopt.imports import services
from salesopt.imports.models import ImportStatus

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "crm_exports"
CRMS = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir() and p.name != "hostile")
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]


def import_sample(path: Path, encoding: str, tmp_path: Path):
    text = path.read_text(encoding="utf-8")
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
        text = text.replace(",", "\t") if '"' not in text else text
    copy = tmp_path / f"{path.parent.name}-{path.name}"
    copy.write_bytes(text.encode(encoding))
    with copy.open("rb") as handle:
        run = services.import_run_upload(user=None, uploaded=File(handle, name=copy.name))
    services.import_run_set_mapping(
        run=run,
        kind=run.kind,
        preset=run.preset,
        columns=run.mapping["columns"],
        create_missing=True,
    )
    return services.import_run_execute(run_id=run.pk, skip_invalid=False), text


def data_rows(text: str) -> int:
    """The records below the header, up to a blank line (a Salesforce report's footer follows
    one)."""
    records = text.strip().replace("\r\n", "\n").split("\n\n")[0]
    return sum(1 for line in records.splitlines()[1:] if line.strip())


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("crm", CRMS)
def test_every_sample_of_a_crm_imports_without_a_rejected_row(crm, encoding, tmp_path):
    runs = []
    for path in sorted((SAMPLES / crm).glob("*.csv")):
        run, text = import_sample(path, encoding, tmp_path)
        # Every record is written once: created, or (the same record in another export of the
        # CRM, e.g. a report and a Data Loader file) updated or unchanged.
        written = run.created_count + run.updated_count + run.unchanged_count
        runs.append((path.name, run.kind, run.preset, run.status, run.rejected_count,
                     written, data_rows(text), run.error_sample[:2]))  # fmt: skip

    problems = [r for r in runs if r[3] != ImportStatus.DONE or r[4] or r[5] != r[6]]
    assert problems == []
    assert {preset.split(".")[0] for _, _, preset, *_ in runs} == {crm}


def test_a_salesforce_report_and_a_data_loader_export_name_the_same_leads(tmp_path):
    """15-character ids (report) and 18-character ids (Data Loader) are one record each; the
    report's footer and its ICU date-times ("4/1/2024, 3:47 PM") read."""
    loader, _ = import_sample(SAMPLES / "salesforce" / "leads_data_export.csv", "utf-8", tmp_path)
    report, _ = import_sample(SAMPLES / "salesforce" / "leads_report_icu.csv", "utf-8", tmp_path)

    assert (loader.created_count, report.rows_total, report.rejected_count) == (2, 4, 0)
    assert (report.created_count, report.updated_count + report.unchanged_count) == (2, 2)
    assert (
        Lead.objects.filter(external_id__in=["00Q5g00000A1bCdEAJ", "00Q5g00000A1bCeEAJ"]).count()
        == 2
    )
    li = Lead.objects.get(external_id="00Q5g00000A1bCfEAJ")
    assert li.created_in_crm_at == dt.datetime(2024, 4, 1, 7, 47, tzinfo=dt.UTC)


def test_a_dingtalk_contract_order_export_maps_as_orders_without_a_hand_made_mapping(tmp_path):
    run, _ = import_sample(SAMPLES / "dingtalk" / "contract_orders.csv", "utf-8", tmp_path)

    assert (run.kind, run.preset, run.status, run.created_count) == (
        "order",
        "dingtalk.order",
        "done",
        3,
    )
    assert run.mapping["columns"] == {
        "合同单号": "external_id", "合同名称": None, "对应客户": "customer",
        "签单日期": "ordered_on", "总金额": "amount", "所有者": "rep", "审批状态": None,
    }  # fmt: skip
    assert Order.objects.get(external_id="HT20240320001").amount == Decimal("96000.00")


def test_fxiaokes_unique_id_is_the_external_id(tmp_path):
    run, _ = import_sample(SAMPLES / "fxiaoke" / "leads_with_id.csv", "utf-8", tmp_path)

    assert run.mapping["columns"]["唯一性ID"] == "external_id"
    assert run.mapping["columns"]["线索编号"] is None
    assert Lead.objects.filter(external_id="65f1a2b3c4d5e6f708091a2b").exists()
