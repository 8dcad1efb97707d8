"""Safe access to the XML parts of an Office Open XML (xlsx) archive."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from xml.parsers import expat

from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.contract import UnreadableFile

# Parts are inflated and parsed this much at a time: memory stays flat whatever a part's size.
XML_BLOCK_BYTES = 2**16
# zipfile raises these for a corrupt or unsupported member (bad CRC, a member inflating past
# its declared size, an unknown compression method, encryption, a truncated file).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError)


def damaged(detail: str) -> UnreadableFile:
    return UnreadableFile(
        _("The Excel file is damaged or not a real workbook (%(detail)s)."),
        code="damaged",
        params={"detail": detail},
    )


@contextmanager
def archive_errors() -> Iterator[None]:
    """A broken archive or XML part, as the admin's reason."""
    try:
        yield
    except ZIP_ERRORS as error:
        raise damaged(str(error)) from error
    except expat.ExpatError as error:
        raise damaged(f"XML: {error}") from error


def safe_parser() -> expat.XMLParserType:
    """An expat parser that refuses any DTD, so no entity (billion laughs, external) can exist.

    This is what defusedxml does for expat, without the dependency: entities can only be
    declared inside a DTD, and Excel never writes one.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.buffer_text = True
    return parser


def refuse_dtd(*_arguments: object) -> None:
    raise UnreadableFile(
        _(
            "The Excel file contains an XML DTD or entity declaration, which Excel never "
            "writes; refusing to read it."
        ),
        code="xml_dtd",
    )


def feed(
    archive: zipfile.ZipFile, member: str, parser: expat.XMLParserType
) -> Generator[bool, None, None]:
    """Feed a part to the parser a block at a time, yielding after each block."""
    with archive_errors(), archive.open(member) as stream:
        while block := stream.read(XML_BLOCK_BYTES):
            parser.Parse(block, False)
            yield True
        parser.Parse(b"", True)
        yield True
