"""The figures behind a finding, as the reader reads them: a label in their language, a unit.

A rule stores its evidence as plain keys and numbers (`{"sla_breach_rate": 0.648}`) so the
figures stay comparable whatever the language; this module is where a key gets its label and
its format ("deadline breach rate: 64.8%"). A key it does not know is shown as stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from salesopt.core.templatetags.salesopt_format import count, money, percent


def _hours(value: Any) -> str:
    return f"{float(value):.1f} h"


def _days(value: Any) -> str:
    return str(_("%(days)s days") % {"days": f"{float(value):.0f}"})


def _score(value: Any) -> str:
    return f"{float(value):.1f} / 5"


EVIDENCE_FIGURES: dict[str, tuple[Promise, Callable[[Any], str]]] = {
    "attainment": (_("target attainment"), percent),
    "target": (_("target"), money),
    "revenue": (_("revenue"), money),
    "conversion_rate": (_("lead conversion"), percent),
    "company_conversion_rate": (_("company-wide conversion"), percent),
    "sla_breach_rate": (_("deadline breach rate"), percent),
    "median_first_response_hours": (_("median first response"), _hours),
    "median_cycle_days": (_("median sales cycle"), _days),
    "company_median_cycle_days": (_("company-wide median cycle"), _days),
    "median_ramp_up_days": (_("median ramp-up"), _days),
    "threshold_days": (_("threshold"), _days),
    "top_20_percent_share": (_("activities done by the busiest fifth of reps"), percent),
    "repurchase_rate": (_("repurchase rate"), percent),
    "satisfaction_score": (_("satisfaction"), _score),
    "complaints": (_("complaints"), count),
    "leads": (_("leads"), count),
    "reps": (_("reps"), count),
}


def evidence_figures(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, formatted value) for each figure, in the order the rule stored them."""
    figures = []
    for key, value in evidence.items():
        known = EVIDENCE_FIGURES.get(key)
        if known is None or not isinstance(value, int | float) or isinstance(value, bool):
            figures.append((key, str(value)))
            continue
        label, formatted = known
        figures.append((str(label), formatted(value)))
    return figures
