"""Writing Table 2: a quarter's revenue target, its three months and its parts.

The sales manager sets the company's target for a quarter and splits it into months — evenly,
by the shares last year's same months had in the data, or by hand — and down into parts by
region, team or owner, each split into its months the same way. Parts always add up to their
whole: a split whose parts do not is refused with the difference, so no quarter is ever
half-allocated without saying so. Team leads then keep their rows' variance analysis and
corrective action up to date inline (execution.editing's version check and history).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import Program
from salesopt.core.periods import Quarter, add_months

from .editing import conflict, save_edit, typed_text
from .models import MonthTarget, QuarterTarget, SplitMethod
from .target_selectors import (
    PART_DIMENSIONS,
    last_years_shares,
    row_team,
    table_2_row,
    visible_month_targets,
)

CENT = Decimal("0.01")
NOTE_FIELDS = ("variance_note", "corrective_action")
NOTE_LIMIT = 2000


def split_evenly(amount: Decimal, parts: int = 3) -> list[Decimal]:
    """`amount` in `parts` equal parts to the cent, the last taking what rounding leaves."""
    each = (amount / parts).quantize(CENT, rounding=ROUND_DOWN)
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


def split_by_shares(amount: Decimal, shares: Sequence[float]) -> list[Decimal]:
    """`amount` in proportion to `shares` to the cent, the last taking what rounding leaves."""
    total = sum(shares)
    parts = [(amount * Decimal(str(share / total))).quantize(CENT) for share in shares[:-1]]
    return [*parts, amount - sum(parts, Decimal(0))]


def _money(field: str, value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 5000000.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 5000000.")})
    return amount.quantize(CENT)


def _month_amounts(target: QuarterTarget, method: str, hand: Sequence[Any] | None) -> list[Decimal]:
    if method == SplitMethod.EVEN:
        return split_evenly(target.amount)
    if method == SplitMethod.SEASONAL:
        shares = last_years_shares(target)
        if shares is None:
            raise ValidationError({"split": _(
                "Last year's same three months do not all have revenue in this scope: split "
                "evenly or by hand."
            )})  # fmt: skip
        return split_by_shares(target.amount, shares)
    if method != SplitMethod.HAND or hand is None or len(hand) != 3:
        raise ValidationError({"split": _("Choose how to split the quarter into months.")})
    amounts = [_money("months", value) for value in hand]
    _check_sum(sum(amounts, Decimal(0)), target.amount, field="months")
    return amounts


def _check_sum(parts: Decimal, whole: Decimal, *, field: str) -> None:
    if parts == whole:
        return
    figures = {
        "parts": f"{parts:,.2f}",
        "whole": f"{whole:,.2f}",
        "gap": f"{abs(whole - parts):,.2f}",
        "way": _("short") if parts < whole else _("too much"),
    }
    message = _("The parts add up to ¥%(parts)s, not ¥%(whole)s: ¥%(gap)s %(way)s.") % figures
    raise ValidationError({field: message})


def _write_months(target: QuarterTarget, amounts: list[Decimal], by: Any) -> None:
    start = target.quarter_start
    for offset, amount in enumerate(amounts):
        month = add_months(start, offset)
        row = MonthTarget.objects.filter(quarter_target=target, month=month).first()
        if row is None:
            row = MonthTarget(quarter_target=target, month=month, amount=amount, version=0)
        row.amount = amount
        save_edit(row, by)


def quarter_target_set(
    *,
    program: Program,
    by: Any,
    quarter: Quarter,
    amount: Any,
    split: str,
    hand: Sequence[Any] | None = None,
) -> QuarterTarget:
    """The company's target for `quarter`, split into its months. Changing it when it has
    parts is refused: the parts would no longer add up (split it down again first)."""
    if not access.can_edit_plan(by):
        raise PermissionDenied
    total = _money("amount", amount)
    if total <= 0:
        raise ValidationError({"amount": _("A quarterly target is more than zero.")})
    with transaction.atomic():
        target = (
            QuarterTarget.objects.select_for_update()
            .filter(program=program, quarter_start=quarter.start, parent__isnull=True)
            .first()
        )
        if target is None:
            target = QuarterTarget(program=program, quarter_start=quarter.start, amount=total,
                                   version=0)  # fmt: skip
        elif target.amount != total and target.parts.exists():
            raise ValidationError({"amount": _(
                "This target is split into parts: change the parts together with it "
                "(split it down again) so that they still add up."
            )})  # fmt: skip
        target.amount, target.split = total, split
        save_edit(target, by)
        _write_months(target, _month_amounts(target, split, hand), by)
    return target


def months_set(
    *, target: QuarterTarget, by: Any, split: str, hand: Sequence[Any] | None = None
) -> QuarterTarget:
    """Split `target` (the company's or a part) into its months again, another way."""
    if not access.can_edit_plan(by):
        raise PermissionDenied
    with transaction.atomic():
        target = QuarterTarget.objects.select_for_update().get(pk=target.pk)
        amounts = _month_amounts(target, split, hand)
        target.split = split
        save_edit(target, by)
        _write_months(target, amounts, by)
    return target


def parts_set(
    *, target: QuarterTarget, by: Any, dimension: str, amounts: dict[int, Any], split: str
) -> list[QuarterTarget]:
    """Split `target` down by `dimension` (region, team or owner): `amounts` maps each member's
    id to its part; blank and zero parts are left out. The parts must add up to the target.
    Parts kept from before keep their rows' notes."""
    if not access.can_edit_plan(by):
        raise PermissionDenied
    if dimension not in PART_DIMENSIONS:
        raise ValidationError({"dimension": _("Split by region, team or owner.")})
    wanted = {member: _money("parts", value) for member, value in amounts.items()
              if str(value).strip() not in ("", "0")}  # fmt: skip
    wanted = {member: amount for member, amount in wanted.items() if amount > 0}
    if not wanted:
        raise ValidationError({"parts": _("Give at least one part an amount.")})
    _check_sum(sum(wanted.values(), Decimal(0)), target.amount, field="parts")
    model = PART_DIMENSIONS[dimension]
    known = set(model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
    if known != set(wanted):
        raise ValidationError({"parts": _("Split among the listed ones only.")})
    with transaction.atomic():
        existing = list(target.parts.select_for_update())
        other_kind = [part for part in existing if getattr(part, f"{dimension}_id") is None]
        if other_kind:
            raise ValidationError({"dimension": _(
                "This target is split another way already: keep that split, or remove its "
                "parts first."
            )})  # fmt: skip
        by_member = {getattr(part, f"{dimension}_id"): part for part in existing}
        for member, part in by_member.items():
            if member not in wanted:
                part.delete()
        written = []
        for member, amount in wanted.items():
            part = by_member.get(member) or QuarterTarget(
                program=target.program, quarter_start=target.quarter_start, parent=target,
                amount=amount, version=0, **{f"{dimension}_id": member},
            )  # fmt: skip
            part.amount, part.split = amount, split
            save_edit(part, by)
            _write_months(part, _month_amounts(part, split, None), by)
            written.append(part)
    return written


def month_note_update(
    *, month_id: int, field: str, value: str, version: int, by: Any
) -> MonthTarget:
    """Write a Table 2 row's variance analysis or corrective action, as edited on `version`.
    A finished month below the threshold needs both: neither can be emptied then."""
    if field not in NOTE_FIELDS:
        raise ValidationError({field: _("This column cannot be edited.")})
    with transaction.atomic():
        row = MonthTarget.objects.select_for_update(of=("self",)).filter(pk=month_id).first()
        if row is None:
            raise MonthTarget.DoesNotExist
        program = row.quarter_target.program
        if not visible_month_targets(by, program).filter(pk=month_id).exists():
            raise MonthTarget.DoesNotExist
        if not access.can_edit_execution_row(by, row_team(row.quarter_target)):
            raise PermissionDenied
        if row.version != version:
            raise conflict(row, field, getattr(row, field))
        text = typed_text(field, value, limit=NOTE_LIMIT)
        if not text and table_2_row(row, by).below:
            raise ValidationError({field: _(
                "A finished month below its threshold needs its variance analysis and corrective "
                "action."
            )})  # fmt: skip
        setattr(row, field, text)
        save_edit(row, by)
    return row
