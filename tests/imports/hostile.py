"""Builders of hostile files, shared by the reader tests and the web upload tests.

Each builder writes to a path in the test's tmp_path and returns it, so a test can hand the
file to the reader or post its bytes through the upload page.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
# The first bytes of a Linux program and of a Windows one, as a renamed download would start.
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(range(256))
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256))


def write_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def write_workbook(
    path: Path,
    sheet: str,
    *,
    shared_strings: str | None = None,
    styles: str | None = None,
    workbook_properties: str = "",
) -> Path:
    """A minimal .xlsx written by hand, for what openpyxl will not write."""
    relations = [("rId1", "worksheet", "worksheets/sheet1.xml")]
    parts = {"xl/worksheets/sheet1.xml": sheet}
    if shared_strings is not None:
        relations.append(("rId2", "sharedStrings", "sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = shared_strings
    if styles is not None:
        relations.append(("rId3", "styles", "styles.xml"))
        parts["xl/styles.xml"] = styles
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "_rels/.rels", relationships([("rId1", "officeDocument", "xl/workbook.xml")])
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">{workbook_properties}'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", relationships(relations))
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def relationships(entries: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<Relationship Id="{key}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>'
        for key, kind, target in entries
    )
    return f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{body}</Relationships>'


def sheet_xml(rows: str, *, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    namespace = f"xmlns:{prefix}" if prefix else "xmlns"
    return f'<{p}worksheet {namespace}="{MAIN}"><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'


def write_bomb(path: Path, *, uncompressed_bytes: int) -> Path:
    """A sheet of one repeated row, streamed into the archive without building it in memory."""
    write_workbook(path, sheet_xml(""))
    block = b"<row><c><v>1</v></c></row>" * 40_000  # ~1 MB
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet2.xml", b"")
        with archive.open("xl/worksheets/bomb.xml", "w", force_zip64=True) as member:
            member.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for _ in range(uncompressed_bytes // len(block)):
                member.write(block)
            member.write(b"</sheetData></worksheet>")
    return path


def write_billion_laughs(path: Path) -> Path:
    """Nested XML entities in the shared strings: a few hundred bytes that expand to 3 GB."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10 if level > 1 else "&lol;" * 10}">'
            for level in range(1, 10)
        )
        + f']><sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    )
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>0</v></c></row>'
    return write_workbook(path, sheet_xml(rows), shared_strings=laughs)


def write_external_entity(path: Path) -> Path:
    """A sheet whose cell would read /etc/passwd through an external entity."""
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        + sheet_xml('<row r="1"><c t="inlineStr"><is><t>&secret;</t></is></c></row>')
    )
    return write_workbook(path, sheet)


def write_zip_not_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("leads.txt", "id,name\n1,a\n")
    return path


def write_xlsb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "_rels/.rels", relationships([("rId1", "officeDocument", "xl/workbook.bin")])
        )
        archive.writestr("xl/workbook.bin", b"\x00")
    return path


def lying_encoding(*, valid_rows: int) -> bytes:
    """UTF-8 for `valid_rows` rows, then a row in GB18030: valid in the sample, not past it."""
    rows = "".join(f"L{number},name\n" for number in range(valid_rows)).encode()
    return b"id,name\n" + rows + f"L{valid_rows},王伟\n".encode("gb18030")


def wide_header(columns: int) -> bytes:
    header = ",".join(f"c{number}" for number in range(columns))
    row = ",".join("x" for _ in range(columns))
    return f"{header}\n{row}\n".encode()
