"""Every file the reader refuses is refused by the upload page too: 400, the reason and what to
do in the admin's language, and nothing left behind (no run, no stored file, no temporary file).

The files are the reader tests' hostile files (tests/imports/hostile.py), posted through the
real upload view.
"""

from __future__ import annotations

import html
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from salesopt.imports.models import ImportRun
from tests.imports import hostile

pytestmark = pytest.mark.django_db

BINARY = "This looks like a binary file, not a CSV or Excel table."
UPLOAD_THE_EXPORT = "Upload the CRM export itself, as a CSV or Excel (.xlsx) file."
SAVE_AGAIN = (
    "If the file comes from your CRM, open it in Excel, save it again as .xlsx and upload that "
    "copy."
)
XML_DTD = (
    "The Excel file contains an XML DTD or entity declaration, which Excel never writes; "
    f"refusing to read it. {SAVE_AGAIN}"
)
ALERT = re.compile(r'<p class="form-errors" role="alert">(.*?)</p>', re.DOTALL)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def storage(settings, tmp_path, monkeypatch):
    """An empty MEDIA_ROOT and temporary folder of the test's own, to see what is left in them."""
    media, temporary = tmp_path / "media", tmp_path / "tmp"
    media.mkdir()
    temporary.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.FILE_UPLOAD_TEMP_DIR = str(temporary)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django keeps larger uploads in a temporary file
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return media, temporary


def post(client, name: str, content: bytes, **headers: str):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("imports:run-list"), {"file": file}, headers=headers)


def reason(response) -> str:
    found = ALERT.search(response.content.decode())
    return html.unescape(found[1]) if found else ""


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def bomb_reason(path: Path) -> str:
    member = zipfile.ZipFile(path).getinfo("xl/worksheets/bomb.xml")
    ratio = round(member.file_size / member.compress_size)
    return (
        f"Part of the Excel file (xl/worksheets/bomb.xml) expands {ratio} times when unpacked, "
        f"which only a crafted file does; refusing to read it. {SAVE_AGAIN}"
    )


# (name uploaded, the file's bytes from a tmp_path, the reason shown)
CASES = {
    "png-renamed-csv": (
        "leads.csv",
        lambda tmp: hostile.PNG,
        f"This looks like a binary file (PNG image), not a CSV or Excel table. {UPLOAD_THE_EXPORT}",
    ),
    "linux-program-renamed-csv": (
        "leads.csv",
        lambda tmp: hostile.ELF,
        f"{BINARY} {UPLOAD_THE_EXPORT}",
    ),
    "windows-program-renamed-xlsx": (
        "leads.xlsx",
        lambda tmp: hostile.MZ,
        f"{BINARY} {UPLOAD_THE_EXPORT}",
    ),
    "zip-renamed-xlsx": (
        "leads.xlsx",
        lambda tmp: hostile.write_zip_not_workbook(tmp / "leads.zip").read_bytes(),
        "This looks like a binary file (ZIP archive), not a CSV or Excel table. "
        f"{UPLOAD_THE_EXPORT}",
    ),
    "xlsb": (
        "leads.xlsb",
        lambda tmp: hostile.write_xlsb(tmp / "leads.xlsb").read_bytes(),
        "Excel binary workbooks (.xlsb) are not supported; save the file as .xlsx or CSV.",
    ),
    "header-only": (
        "leads.csv",
        lambda tmp: "线索编号,客户名称\r\n".encode("gb18030"),
        "The file has a header row but no data rows. "
        "Export the records from your CRM again and upload that file.",
    ),
    "ten-thousand-column-header": (
        "wide.csv",
        lambda tmp: hostile.wide_header(10_000),
        "Row 1 has 10000 cells; at most 500 columns are allowed. "
        "Remove the columns the import does not need and upload the file again.",
    ),
    "billion-laughs": (
        "laughs.xlsx",
        lambda tmp: hostile.write_billion_laughs(tmp / "laughs.xlsx").read_bytes(),
        XML_DTD,
    ),
    "external-entity": (
        "external.xlsx",
        lambda tmp: hostile.write_external_entity(tmp / "external.xlsx").read_bytes(),
        XML_DTD,
    ),
    # Valid UTF-8 for the first 1.1 MB (past the 1 MB the sniff looks at), then GB18030.
    "lying-encoding": (
        "leads.csv",
        lambda tmp: hostile.lying_encoding(valid_rows=100_000),
        "Part of the file is not valid utf-8 text; save it from Excel as “CSV UTF-8” and "
        "upload it again.",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_upload_is_refused_with_the_reason_and_leaves_nothing(
    admin_client, storage, tmp_path, case
):
    name, content, expected = CASES[case]

    response = post(admin_client, name, content(tmp_path))

    assert (response.status_code, reason(response)) == (400, expected)
    assert ImportRun.objects.count() == 0
    assert (files_in(storage[0]), files_in(storage[1])) == ([], [])


def test_a_decompression_bomb_is_refused_before_it_is_inflated_and_leaves_nothing(
    admin_client, storage, tmp_path
):
    bomb = hostile.write_bomb(tmp_path / "bomb.xlsx", uncompressed_bytes=50 * 2**20)

    response = post(admin_client, "bomb.xlsx", bomb.read_bytes())

    assert (response.status_code, reason(response)) == (400, bomb_reason(bomb))
    assert ImportRun.objects.count() == 0
    assert (files_in(storage[0]), files_in(storage[1])) == ([], [])


def test_a_file_over_the_size_limit_is_refused_and_leaves_nothing(admin_client, storage, settings):
    settings.SALESOPT_IMPORT_MAX_BYTES = 1024
    rows = "".join(f"L{number:04d},王伟,2024-03-01\n" for number in range(100))

    response = post(admin_client, "leads.csv", f"id,name,created\n{rows}".encode())

    assert (response.status_code, reason(response)) == (
        400,
        "The file is larger than the 1 KB limit. "
        "Split the export into smaller files and upload them one at a time.",
    )
    assert ImportRun.objects.count() == 0
    assert (files_in(storage[0]), files_in(storage[1])) == ([], [])


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "This looks like a binary file (PNG image), not a CSV or Excel table. "
            "Upload the CRM export itself, as a CSV or Excel (.xlsx) file.",
        ),
        (
            "zh-hans",
            "这似乎是一个二进制文件（PNG 图片），而不是 CSV 或 Excel 表格。"
            "请上传 CRM 导出的文件本身，保存为 CSV 或 Excel（.xlsx）格式。",
        ),
    ],
    ids=["en", "zh-hans"],
)
def test_the_reason_is_in_the_admins_language(admin_client, storage, language, expected):
    response = post(admin_client, "leads.csv", hostile.PNG, accept_language=language)

    assert (response.status_code, reason(response)) == (400, expected)
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "The file is larger than the 1 KB limit. "
            "Split the export into smaller files and upload them one at a time.",
        ),
        ("zh-hans", "文件超过了 1 KB 的大小上限。请把导出拆分为几个较小的文件，逐个上传。"),
    ],
    ids=["en", "zh-hans"],
)
def test_the_size_refusal_is_in_the_admins_language(
    admin_client, storage, settings, language, expected
):
    settings.SALESOPT_IMPORT_MAX_BYTES = 1024

    response = post(admin_client, "leads.csv", b"id,name\n" + b"L1,a\n" * 400,
                    accept_language=language)  # fmt: skip

    assert (response.status_code, reason(response)) == (400, expected)
