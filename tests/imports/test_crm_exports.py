"""Every sample export of every CRM imports end to end, in every encoding Excel users send."""

from pathlib import Path

import pytest
from django.core.files import File

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
    return sum(1 for line in text.strip().splitlines()[1:] if line.strip())


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("crm", CRMS)
def test_every_sample_of_a_crm_imports_without_a_rejected_row(crm, encoding, tmp_path):
    runs = []
    for path in sorted((SAMPLES / crm).glob("*.csv")):
        run, text = import_sample(path, encoding, tmp_path)
        runs.append((path.name, run.kind, run.preset, run.status, run.rejected_count,
                     run.created_count, data_rows(text), run.error_sample[:2]))  # fmt: skip

    problems = [r for r in runs if r[3] != ImportStatus.DONE or r[4] or r[5] != r[6]]
    assert problems == []
    assert {preset.split(".")[0] for _, _, preset, *_ in runs} == {crm}
