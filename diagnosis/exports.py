"""Table 1 as a spreadsheet: the seed's four columns first, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from salesopt.core.exports import xlsx_bytes
from salesopt.core.models import Program

from . import selectors


def table1_header() -> list[str]:
    """The seed's four columns (问题维度, 具体问题描述, 影响程度, 根本原因分析), then ours."""
    return [
        _("Problem dimension"),
        _("Problem description"),
        _("Impact level (high / medium / low)"),
        _("Root cause analysis"),
        _("Impact per quarter (%(currency)s)") % {"currency": settings.SALESOPT_CURRENCY_SYMBOL},
        _("Evidence"),
    ]


def table1_rows(*, program: Program) -> list[list[Any]]:
    return [
        [
            row.dimension_label,
            row.shown_description,
            row.get_impact_level_display(),
            row.root_cause,
            row.impact_amount,
            row.evidence_url,
        ]
        for row in selectors.table1_rows(program=program)
    ]


def table1_xlsx(*, program: Program) -> bytes:
    """The workbook of the program's Table 1; formula-like text is neutralised by xlsx_bytes."""
    return xlsx_bytes(table1_header(), table1_rows(program=program), sheet=_("Table 1"))
