"""Writing the lead grading: the draft version and its rules, and applying it.

There is one draft at a time, started as a copy of the version in force. Applying it re-grades
the open leads created since its effective date on the worker, in one transaction with the
version becoming applied: a failure leaves the leads and the draft as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from salesopt.core.models import (
    OPEN_LEAD_STATUSES,
    CompanySize,
    GradingRule,
    GradingStatus,
    GradingVersion,
    Lead,
    ProductLine,
    Region,
    Regrade,
    RegradeStatus,
    Urgency,
)
from salesopt.core.periods import add_months, company_today, start_of_day
from salesopt.imports.pipeline import IMPORT_LOCK_ID
from salesopt.kpis.services import recompute_after_import

from . import progress
from .grading import GradeCounts, default_deadlines, grade_leads, policy_with


def version_in_force() -> GradingVersion | None:
    """The applied version with the latest effective date on or before today."""
    return (
        GradingVersion.objects.filter(
            status=GradingStatus.APPLIED, effective_from__lte=company_today()
        )
        .order_by("-effective_from", "-number")
        .first()
    )


def latest_applied() -> GradingVersion | None:
    return (
        GradingVersion.objects.filter(status=GradingStatus.APPLIED)
        .order_by("-effective_from", "-number")
        .first()
    )


@transaction.atomic
def grading_draft(*, user: Any) -> GradingVersion:
    """The draft, started as a copy of the latest applied version when there is none."""
    draft = GradingVersion.objects.select_for_update().filter(status=GradingStatus.DRAFT).first()
    if draft is not None:
        return draft
    basis = latest_applied()
    defaults = default_deadlines()
    number = (GradingVersion.objects.aggregate(most=Max("number"))["most"] or 0) + 1
    draft = GradingVersion.objects.create(
        number=number,
        status=GradingStatus.DRAFT,
        effective_from=max(company_today(), basis.effective_from) if basis else company_today(),
        crm_grade_wins=basis.crm_grade_wins if basis else False,
        default_grade=basis.default_grade if basis else "C",
        # A first version starts from the deadlines in force until now.
        deadline_a_hours=basis.deadline_a_hours if basis else defaults["A"],
        deadline_b_hours=basis.deadline_b_hours if basis else defaults["B"],
        deadline_c_hours=basis.deadline_c_hours if basis else defaults["C"],
        created_by=user,
    )
    if basis is not None:
        for rule in basis.rules.prefetch_related("regions", "product_lines"):
            copy = GradingRule.objects.create(
                version=draft,
                position=rule.position,
                grade=rule.grade,
                industries=rule.industries,
                company_sizes=rule.company_sizes,
                urgencies=rule.urgencies,
                channels=rule.channels,
            )
            copy.regions.set(rule.regions.all())
            copy.product_lines.set(rule.product_lines.all())
    return draft


def _require_editable(version: GradingVersion) -> None:
    if not version.is_draft:
        raise ValidationError(
            _("Version %(number)s is applied and can no longer change; edit the draft instead.")
            % {"number": version.number},
            code="applied",
        )
    if Regrade.objects.filter(
        version=version, status__in=(RegradeStatus.QUEUED, RegradeStatus.RUNNING)
    ).exists():
        raise ValidationError(
            _("This draft is being applied; wait until the re-grade has finished."),
            code="applying",
        )


@transaction.atomic
def grading_draft_update(
    *,
    version: GradingVersion,
    effective_from: dt.date,
    crm_grade_wins: bool,
    default_grade: str,
    deadline_a_hours: float,
    deadline_b_hours: float,
    deadline_c_hours: float,
    note: str = "",
) -> GradingVersion:
    _require_editable(version)
    basis = latest_applied()
    if basis is not None and effective_from < basis.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "Version %(number)s takes effect on %(date)s: a new version cannot take "
                    "effect before it."
                )
                % {"number": basis.number, "date": basis.effective_from.isoformat()}
            }
        )
    for field, hours in (
        ("deadline_a_hours", deadline_a_hours),
        ("deadline_b_hours", deadline_b_hours),
        ("deadline_c_hours", deadline_c_hours),
    ):
        if hours is None or hours < 0.25:
            raise ValidationError({field: _("A deadline is at least a quarter of an hour.")})
    if not deadline_a_hours <= deadline_b_hours <= deadline_c_hours:
        raise ValidationError(
            {"deadline_b_hours": _("A leads are answered first: A ≤ B ≤ C working hours.")}
        )
    version.effective_from = effective_from
    version.crm_grade_wins = crm_grade_wins
    version.default_grade = default_grade
    version.deadline_a_hours = deadline_a_hours
    version.deadline_b_hours = deadline_b_hours
    version.deadline_c_hours = deadline_c_hours
    version.note = note
    version.save()
    return version


@transaction.atomic
def grading_rule_save(
    *,
    version: GradingVersion,
    rule: GradingRule | None = None,
    grade: str,
    industries: Iterable[str] = (),
    company_sizes: Iterable[str] = (),
    urgencies: Iterable[str] = (),
    channels: Iterable[str] = (),
    regions: Iterable[Region] = (),
    product_lines: Iterable[ProductLine] = (),
) -> GradingRule:
    """A new rule at the end of the draft, or `rule` changed in place."""
    _require_editable(version)
    conditions = {
        "industries": _cleaned(industries),
        "company_sizes": _in_choice_order(company_sizes, CompanySize.values),
        "urgencies": _in_choice_order(urgencies, Urgency.values),
        "channels": _cleaned(channels),
    }
    regions, product_lines = list(regions), list(product_lines)
    if not any(conditions.values()) and not regions and not product_lines:
        raise ValidationError(
            _(
                "A rule needs at least one condition; the default grade takes the leads no "
                "rule matches."
            ),
            code="no_condition",
        )
    if rule is None:
        last = version.rules.aggregate(most=Max("position"))["most"] or 0
        rule = GradingRule(version=version, position=last + 1)
    elif rule.version_id != version.pk:
        raise ValidationError(_("That rule is not part of the draft."), code="other_version")
    rule.grade = grade
    for name, value in conditions.items():
        setattr(rule, name, value)
    rule.save()
    rule.regions.set(regions)
    rule.product_lines.set(product_lines)
    return rule


@transaction.atomic
def grading_rule_delete(*, version: GradingVersion, rule: GradingRule) -> None:
    _require_editable(version)
    rule.delete()
    _renumber(version, list(version.rules.order_by("position")))


@transaction.atomic
def grading_rule_move(*, version: GradingVersion, rule: GradingRule, up: bool) -> None:
    """Rule order decides which rule grades a lead two rules match: move one up or down."""
    _require_editable(version)
    rules = list(version.rules.order_by("position"))
    at = next(index for index, candidate in enumerate(rules) if candidate.pk == rule.pk)
    to = at - 1 if up else at + 1
    if 0 <= to < len(rules):
        rules[at], rules[to] = rules[to], rules[at]
        _renumber(version, rules)


def _renumber(version: GradingVersion, rules: list[GradingRule]) -> None:
    # Two passes: positions are unique within a version at every statement.
    offset = len(rules) + 1000
    for index, rule in enumerate(rules):
        GradingRule.objects.filter(pk=rule.pk).update(position=offset + index)
    for index, rule in enumerate(rules):
        GradingRule.objects.filter(pk=rule.pk).update(position=index + 1)


@transaction.atomic
def grading_version_apply(*, version: GradingVersion, user: Any) -> Regrade:
    """Queue the re-grade that applies the draft; the page follows its progress."""
    _require_editable(version)
    regrade = Regrade.objects.create(version=version)
    version.applied_by = user
    version.save(update_fields=["applied_by", "updated_at"])
    from .tasks import regrade_task  # tasks import services: import at call time

    transaction.on_commit(partial(regrade_task.delay, regrade.pk))
    return regrade


def open_leads_since(day: dt.date) -> tuple[str, list[object]]:
    """SQL for the open leads created on or after `day` (company zone), and its parameters."""
    statuses = ", ".join(["%s"] * len(OPEN_LEAD_STATUSES))
    return (
        f"status IN ({statuses}) AND created_in_crm_at >= %s",
        [*(str(status) for status in OPEN_LEAD_STATUSES), start_of_day(day)],
    )


def regrade_run(*, regrade_id: int) -> Regrade:
    """Apply the draft: the version becomes applied and its open leads are re-graded, together
    or not at all. Marks the re-grade done, or failed with the reason (the draft stays).

    Safe to run again (a redelivered task, or one whose worker died): the advisory lock
    serialises runs, and a run that finds its version applied only records that it is done."""
    regrade = Regrade.objects.select_related("version").get(pk=regrade_id)
    if regrade.status in (RegradeStatus.DONE, RegradeStatus.FAILED):
        return regrade
    Regrade.objects.filter(pk=regrade.pk).update(status=RegradeStatus.RUNNING)
    try:
        counts = _apply(regrade)
    except Exception as error:  # recorded for the page; the transaction left nothing behind
        Regrade.objects.filter(pk=regrade.pk).update(
            status=RegradeStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
    else:
        Regrade.objects.filter(pk=regrade.pk).update(
            status=RegradeStatus.DONE,
            total=counts.leads,
            done=counts.leads,
            changed=counts.changed_grade,
            finished_at=timezone.now(),
        )
    finally:
        progress.clear(regrade.pk)
    regrade.refresh_from_db()
    return regrade


@transaction.atomic
def _apply(regrade: Regrade) -> GradeCounts:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The import's lock: a re-grade and an import never write leads at once.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
    version = GradingVersion.objects.select_for_update().get(pk=regrade.version_id)
    if not version.is_draft:
        return GradeCounts(leads=0, changed_grade=0, written=0)  # an earlier run applied it
    policy = policy_with(version)
    where, params = open_leads_since(version.effective_from)
    counts = grade_leads(
        where,
        params,
        policy=policy,
        on_progress=lambda done, total: progress.report(regrade.pk, done=done, total=total),
    )
    version.status = GradingStatus.APPLIED
    version.applied_at = timezone.now()
    version.save(update_fields=["status", "applied_at", "updated_at"])
    # The breach rate of every month the re-graded leads were created in.
    recompute_after_import(months=_months_since(version.effective_from))
    return counts


def _months_since(day: dt.date) -> list[dt.date]:
    first, last = day.replace(day=1), company_today().replace(day=1)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, offset) for offset in range(max(count, 0))]


def _in_choice_order(values: Iterable[str], choices: list[str]) -> list[str]:
    chosen = set(values)
    unknown = chosen - set(choices)
    if unknown:
        raise ValidationError(
            _("Not a choice: %(values)s.") % {"values": ", ".join(sorted(unknown))},
            code="invalid_choice",
        )
    return [value for value in choices if value in chosen]


def _cleaned(values: Iterable[str]) -> list[str]:
    """Distinct, trimmed, non-empty, in the order given."""
    return list(dict.fromkeys(value.strip() for value in values if value and value.strip()))


def deadlines_refresh() -> GradeCounts:
    """The due times of every open lead again, after the working calendar changed (its hours,
    weekdays or exceptions); the breach rates of their months are recomputed."""
    statuses = ", ".join(["%s"] * len(OPEN_LEAD_STATUSES))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
        counts = grade_leads(
            f"status IN ({statuses})", [str(status) for status in OPEN_LEAD_STATUSES]
        )
        first = Lead.objects.filter(status__in=OPEN_LEAD_STATUSES).aggregate(
            first=Min("created_in_crm_at")
        )["first"]
        if counts.written and first is not None:
            recompute_after_import(months=_months_since(first.date()))
    return counts
