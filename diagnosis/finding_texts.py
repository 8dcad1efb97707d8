"""What a finding from the data says, written at the moment it is read, in the reader's language.

A finding keeps what it is made of — its rule (the first part of its rule key), the segment and
the figures (`Finding.text_params`) — and these functions turn that into its title and
description each time a page, the report or an export shows it. Text a person typed (a finding
logged by hand, a Table 1 row once edited) is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from salesopt.core.templatetags.salesopt_format import money, percent

Params = Mapping[str, Any]


def _score(score: float, limit: float) -> str:
    """The score with enough decimals that it never reads as equal to the threshold it misses."""
    shown = f"{score:.1f}"
    return f"{score:.2f}" if float(shown) >= limit else shown


def _slow_response(params: Params) -> tuple[str, str]:
    return (
        _("Slow lead response in %(region)s") % params,
        _(
            "%(region)s answers leads in a median %(hours).0f h, against an A-grade deadline of "
            "%(deadline)s h; %(rate)s of its graded leads miss their deadline (more than the "
            "%(limit)s the rule allows)."
        )
        % {**params, "rate": percent(params["rate"]), "limit": percent(params["limit"])},
    )


def _low_conversion(params: Params) -> tuple[str, str]:
    return (
        _("Low lead conversion: %(region)s × %(product_line)s") % params,
        _(
            "%(region)s × %(product_line)s converts %(rate)s of its leads against %(company)s "
            "company-wide, more than %(gap)s below it."
        )
        % {
            **params,
            "rate": percent(params["rate"]),
            "company": percent(params["company"]),
            "gap": percent(params["gap"]),
        },
    )


def _long_cycle(params: Params) -> tuple[str, str]:
    return (
        _("Long sales cycle on grade %(grade)s leads") % params,
        _(
            "Grade %(grade)s leads (the large deals) take a median %(days).0f days from lead to "
            "win, against %(company).0f days company-wide and the %(limit)s days the rule "
            "allows. Deal size is not a KPI dimension; lead grade is the cut that shows it."
        )
        % params,
    )


def _workload_concentration(params: Params) -> tuple[str, str]:
    return (
        _("Workload concentrated on a few reps"),
        _(
            "The busiest 20%% of reps carry %(share)s of all activities (the rule flags more "
            "than %(limit)s)."
        )
        % {"share": percent(params["share"]), "limit": percent(params["limit"])},
    )


def _slow_ramp_up(params: Params) -> tuple[str, str]:
    return (
        _("New reps are slow to their first win"),
        _(
            "New reps take a median %(days).0f days from hire to their first won deal, longer "
            "than the %(limit)s days the rule allows."
        )
        % params,
    )


def _missed_target(params: Params) -> tuple[str, str]:
    return (
        _("%(name)s misses its targets") % params,
        _(
            "%(name)s reached %(rate)s of its target over the baseline, below the %(limit)s the "
            "rule expects: %(gap)s short per quarter."
        )
        % {
            **params,
            "rate": percent(params["rate"]),
            "limit": percent(params["limit"]),
            "gap": money(params["gap"]),
        },
    )


def _complaint_hot_spot(params: Params) -> tuple[str, str]:
    return (
        _("Unhappy customers in %(region)s") % params,
        _(
            "Complaints in %(region)s score %(score)s of 5 on satisfaction, below the %(limit)s "
            "the rule takes as acceptable."
        )
        % {**params, "score": _score(params["score"], params["limit"])},
    )


def _low_repurchase(params: Params) -> tuple[str, str]:
    return (
        _("Few customers buy again"),
        _(
            "%(rate)s of buying customers order again within a month, fewer than the %(limit)s "
            "the rule expects."
        )
        % {"rate": percent(params["rate"]), "limit": percent(params["limit"])},
    )


TEXTS: dict[str, Callable[[Params], tuple[str, str]]] = {
    "slow_response": _slow_response,
    "low_conversion": _low_conversion,
    "long_cycle": _long_cycle,
    "workload_concentration": _workload_concentration,
    "slow_ramp_up": _slow_ramp_up,
    "missed_target": _missed_target,
    "complaint_hot_spot": _complaint_hot_spot,
    "low_repurchase": _low_repurchase,
}


def finding_text(rule_key: str, params: Params) -> tuple[str, str] | None:
    """(title, description) in the active language; None for a rule this version does not know
    or params it cannot read (the stored text is shown instead)."""
    write = TEXTS.get(rule_key.split(":", 1)[0])
    if write is None or not params:
        return None
    try:
        return write(params)
    except (KeyError, TypeError, ValueError):
        return None
