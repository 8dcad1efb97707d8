"""The Simplified Chinese catalog is complete: every message in the code has a translation.

The check runs gettext's own extractor over a copy of the sources, so a string marked for
translation but never added to the catalog fails here, not in front of a Chinese user.
"""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOG.with_suffix(".mo")
SOURCE_DIRS = ["salesopt", "diagnosis", "planning", "execution", "evaluation", "templates"]

ENTRY = re.compile(
    r'^(?:msgctxt "(?P<context>(?:[^"\\]|\\.)*)"\n)?'
    r'msgid "(?P<id>(?:[^"\\]|\\.)*)"\n(?:msgid_plural "(?:[^"\\]|\\.)*"\n)?'
    r'msgstr(?:\[0\])? "(?P<str>(?:[^"\\]|\\.)*)"',
    re.MULTILINE,
)


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def catalog_entries(path: Path) -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) → msgstr of a catalog written with --no-wrap (one line per string)."""
    text = path.read_text(encoding="utf-8")
    return {
        (unescape(m["context"]) if m["context"] is not None else None, unescape(m["id"])): unescape(
            m["str"]
        )
        for m in ENTRY.finditer(text)
        if m["id"]
    }


def test_every_message_in_the_catalog_is_translated():
    untranslated = [msgid for msgid, msgstr in catalog_entries(CATALOG).items() if not msgstr]

    assert untranslated == []


def test_catalog_has_no_fuzzy_entries():
    assert "#, fuzzy" not in CATALOG.read_text(encoding="utf-8")


def test_compiled_catalog_matches_the_source_catalog():
    with COMPILED.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    catalog = catalog_entries(CATALOG)
    stale = [
        msgid
        for (context, msgid), msgstr in catalog.items()
        if "%(counter)s" not in msgid
        and (translations.pgettext(context, msgid) if context else translations.gettext(msgid))
        != msgstr
    ]

    assert stale == [], "run `make messages` to recompile the catalog"


def test_every_string_marked_in_the_code_is_in_the_catalog(tmp_path):
    require(shutil.which("xgettext") is not None, "gettext is not installed (xgettext)")
    for name in [*SOURCE_DIRS, "manage.py"]:
        source = ROOT / name
        copy = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location",
         "--no-wrap", "--ignore=.venv"],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    extracted = catalog_entries(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    translated = {msgid for msgid, msgstr in catalog_entries(CATALOG).items() if msgstr}

    assert sorted(set(extracted) - translated) == []


@pytest.mark.django_db
def test_chinese_pages_speak_chinese(client, manager, program):
    client.force_login(manager)

    body = client.get("/diagnosis/", headers={"accept-language": "zh-CN,zh;q=0.9"}).content

    assert "现状诊断".encode() in body
    assert b'lang="zh-hans"' in body
