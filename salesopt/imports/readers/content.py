"""Recognise what a file is from its first bytes: Excel, text (and in which encoding) or neither."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.contract import UnreadableFile, human_size

# Enough for ~30 rows of any sane export, and the sample the encoding is judged on.
SNIFF_BYTES = 2**20

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97–2003 (and encrypted Office) files

# How each kind of file starts (a pattern matched at the first byte).
BINARY_SIGNATURES: tuple[tuple[re.Pattern[bytes], Promise], ...] = (
    (re.compile(rb"\x89PNG\r\n\x1a\n"), _("PNG image")),
    (re.compile(rb"\xff\xd8\xff"), _("JPEG image")),
    (re.compile(rb"GIF8"), _("GIF image")),
    (re.compile(rb"%PDF"), _("PDF document")),
    (re.compile(rb"\x1f\x8b"), _("gzip archive")),
    (re.compile(rb"7z\xbc\xaf\x27\x1c"), _("7-Zip archive")),
    (re.compile(rb"Rar!"), _("RAR archive")),
    # "BM", the file size, then four reserved zero bytes: "BM" alone starts CSV headers too
    # ("BMI,…").
    (re.compile(rb"BM[\s\S]{4}\x00\x00\x00\x00"), _("BMP image")),
)

# Share of non-ASCII characters that must fall in GB2312 (the common simplified Chinese
# characters) before a GB18030 decode is believed: cp1252 or Big5 bytes often decode as GB18030
# without error but land on rare characters.
PLAUSIBLE_GB2312_SHARE = 0.8

# Encodings charset-normalizer may choose from when neither UTF-8 nor GB18030 fits: Western
# exports, Traditional Chinese (Taiwan, Hong Kong), Japanese and Korean Excel.
LEGACY_ENCODINGS = ["gb18030", "big5", "cp1252", "shift_jis", "euc_kr"]


def read_head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(SNIFF_BYTES)


def file_format_of(head: bytes) -> str:
    """ "xlsx", "xls" or "csv", from the content (a renamed file is read as what it is)."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "xls"
    for signature, kind in BINARY_SIGNATURES:
        if signature.match(head):
            raise UnreadableFile(
                _("This looks like a binary file (%(kind)s), not a CSV or Excel table."),
                code="binary",
                params={"kind": kind},
            )
    return "csv"


def detect_encoding(head: bytes, *, at_end: bool) -> str:
    """The text encoding: byte-order mark, then strict decodes, then a restricted detector."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = utf16_without_bom(head)
    if utf16:
        return utf16
    if b"\x00" in head:
        raise UnreadableFile(
            _("This looks like a binary file, not a CSV or Excel table."), code="binary"
        )
    if decodes(head, "utf-8", at_end=at_end):
        return "utf-8"
    if decodes(head, "gb18030", at_end=at_end) and looks_like_chinese(head):
        return "gb18030"
    return detect_legacy_encoding(head)


def utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 saved without a BOM: a NUL byte beside each ASCII character (digits, delimiters,
    line breaks), on the same side of every pair."""
    sample = head[:4096]
    pairs = len(sample) // 2
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if pairs >= 4 and odd_nuls >= 0.1 * pairs and odd_nuls > 4 * even_nuls:
        encoding = "utf-16-le"
    elif pairs >= 4 and even_nuls >= 0.1 * pairs and even_nuls > 4 * odd_nuls:
        encoding = "utf-16-be"
    else:
        return None
    return encoding if decodes(head[: len(head) // 2 * 2], encoding, at_end=False) else None


def decodes(head: bytes, encoding: str, *, at_end: bool) -> bool:
    # An incremental decoder accepts a multibyte character cut at the sample's end.
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(head, final=at_end)
    except UnicodeDecodeError:
        return False
    return True


def looks_like_chinese(head: bytes) -> bool:
    text = codecs.getincrementaldecoder("gb18030")(errors="strict").decode(head, final=False)
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if non_ascii == 0:
        return True
    replaced = text.encode("gb2312", errors="replace").count(b"?") - text.count("?")
    return (non_ascii - replaced) >= PLAUSIBLE_GB2312_SHARE * non_ascii


def detect_legacy_encoding(head: bytes) -> str:
    # charset-normalizer alone guesses short samples wrong; restricted to the plausible legacy
    # encodings, and only after UTF-8 and GB18030 failed, it tells Big5 from cp1252 well.
    match = from_bytes(head, cp_isolation=LEGACY_ENCODINGS).best()
    if match is None:
        raise UnreadableFile(
            _(
                "Could not tell the file's text encoding; save it from Excel as "
                "“CSV UTF-8” and upload it again."
            ),
            code="unknown_encoding",
        )
    return str(match.encoding)


def decode_sample(head: bytes, encoding: str, *, at_end: bool) -> str:
    """The sample as text; a character cut at the sample's end is left out."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(head, final=at_end)
    except UnicodeDecodeError as error:
        raise not_valid_text(encoding) from error


def not_valid_text(encoding: str) -> UnreadableFile:
    return UnreadableFile(
        _(
            "Part of the file is not valid %(encoding)s text; save it from Excel as "
            "“CSV UTF-8” and upload it again."
        ),
        code="decode_error",
        params={"encoding": encoding},
    )


def refuse_control_characters(text: str) -> None:
    """Text with many control characters is a binary file that happened to decode."""
    controls = sum(text.count(chr(code)) for code in range(32) if chr(code) not in "\t\n\r\f\v")
    if controls > max(8, len(text) // 100):
        raise UnreadableFile(
            _("This looks like a binary file, not a CSV or Excel table."), code="binary"
        )


def line_break(head: bytes) -> bytes:
    """The byte that ends lines: LF, or CR alone in files saved as "CSV (Macintosh)"."""
    return b"\r" if b"\n" not in head and b"\r" in head else b"\n"


def check_line_lengths(head: bytes, *, limit: int, at_end: bool) -> None:
    lines = head.split(line_break(head))
    if not at_end:
        lines[-1] = lines[-1] if len(lines[-1]) > limit else b""
    for number, line in enumerate(lines, start=1):
        if len(line) > limit:
            raise line_too_long(number, limit)


def line_too_long(line: int, limit: int) -> UnreadableFile:
    return UnreadableFile(
        _("Line %(line)s of the file is longer than the %(limit)s allowed for one row."),
        code="row_too_long",
        params={"line": line, "limit": human_size(limit)},
    )
