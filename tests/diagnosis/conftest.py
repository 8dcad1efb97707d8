"""Diagnosis fixtures: the seed's Table 1 rows, and the Chinese messages of the app."""

from __future__ import annotations

import array
import struct
from pathlib import Path

import pytest

from diagnosis.models import DiagnosisRow
from tests.diagnosis.factories import DiagnosisRowFactory
from tests.diagnosis.zh_hans import MESSAGES

# The seed's Table 1 (销售现状诊断表), as a manager would type it.
SEED_ROWS = [
    ("线索管理", "线索跟进不及时，平均响应超48小时", "high", "无明确责任人，缺乏提醒工具"),
    (
        "团队协作",
        "销售与售后信息不同步，客户重复反映问题",
        "medium",
        "客户信息未共享，沟通渠道缺失",
    ),
    ("客户转化", "大客户成交周期长，平均90天", "high", "方案定制流程繁琐，决策链不清晰"),
]


@pytest.fixture
def seed_rows(program) -> list[DiagnosisRow]:
    return [
        DiagnosisRowFactory(
            program=program,
            dimension=dimension,
            description=description,
            impact_level=level,
            root_cause=cause,
            position=position,
        )
        for position, (dimension, description, level, cause) in enumerate(SEED_ROWS, start=1)
    ]


def write_mo(path: Path, messages: dict[str | tuple[str, str], str]) -> None:
    """A compiled gettext catalog (the layout of CPython's Tools/i18n/msgfmt.py)."""
    entries = {
        b"": b"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n"
    }
    for key, value in messages.items():
        msgid = "\0".join(key) if isinstance(key, tuple) else key
        entries[msgid.encode()] = value.encode()
    keys = sorted(entries)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(entries[key])))
        ids += key + b"\0"
        strs += entries[key] + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets: list[int] = []
    value_offsets: list[int] = []
    for id_offset, id_length, str_offset, str_length in offsets:
        key_offsets += [id_length, id_offset + key_start]
        value_offsets += [str_length, str_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + array.array("i", key_offsets + value_offsets).tobytes() + ids + strs)


@pytest.fixture
def chinese(tmp_path, settings) -> None:
    """The app's Chinese messages under the project catalog, which wins once it holds them."""
    locale_dir = tmp_path / "locale"
    write_mo(locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.mo", MESSAGES)
    # Django merges LOCALE_PATHS last to first, so the first path wins.
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, locale_dir]
