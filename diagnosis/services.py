"""Writes of the diagnosis phase: keyword-only, transactional, ValidationError keyed by field.

Who may call these is the views' business (see `access.can_edit_diagnosis`); the services
only keep the data consistent.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from salesopt.core.history import last_change
from salesopt.core.models import Program
from salesopt.core.periods import company_today
from salesopt.kpis import services as kpi_services

from .models import (
    DiagnosisRow,
    DiagnosisTeamMember,
    Duty,
    Finding,
    FindingSource,
    FindingStatus,
    ImpactLevel,
    Interview,
    IntervieweeGroup,
    InterviewTag,
    InterviewTopic,
    ProblemDimension,
    validate_evidence_link,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# SPEC: "a baseline window (6–12 months of history)".
BASELINE_MIN_MONTHS = 6
BASELINE_MAX_MONTHS = 12
FREE_TAG_MAX_LENGTH = 40
ROW_FIELDS = ("dimension", "description", "impact_level", "root_cause", "impact_amount")


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _baseline_errors(program: Program, start: dt.date, end: dt.date) -> dict[str, str]:
    # The window is inclusive: 1 Nov 2025 – 31 Oct 2026 is exactly twelve months.
    earliest_end = _shift_months(start, BASELINE_MIN_MONTHS) - dt.timedelta(days=1)
    latest_end = _shift_months(start, BASELINE_MAX_MONTHS) - dt.timedelta(days=1)
    if end < earliest_end or end > latest_end:
        message = _("The baseline window must cover %(min)s to %(max)s months.") % {
            "min": BASELINE_MIN_MONTHS,
            "max": BASELINE_MAX_MONTHS,
        }
        return {"baseline_end": message}
    if end > company_today():
        return {"baseline_end": _("The baseline is history: it cannot end after today.")}
    if program.execution_start is not None and end >= program.execution_start:
        return {"baseline_end": _("The baseline must end before execution starts.")}
    return {}


@transaction.atomic
def program_set_baseline_window(*, program: Program, start: dt.date, end: dt.date) -> Program:
    """Set the program's baseline window after checking it spans 6–12 months of history."""
    errors = _baseline_errors(program, start, end)
    if errors:
        raise ValidationError(errors)
    program.baseline_start, program.baseline_end = start, end
    program.save(update_fields=["baseline_start", "baseline_end", "updated_at"])
    # Its medians and distinct counts, ready before the dashboard is opened.
    kpi_services.window_figures_compute_later(first_day=start, last_day=end)
    return program


@transaction.atomic
def team_member_add(
    *, program: Program, user: User, duty: str, is_leader: bool = False
) -> DiagnosisTeamMember:
    """Add `user` to the diagnosis team, or change their duty; a new leader replaces the old."""
    if duty not in Duty.values:
        raise ValidationError({"duty": _("Choose one of the duties.")})
    if is_leader:
        DiagnosisTeamMember.objects.filter(program=program, is_leader=True).exclude(
            user=user
        ).update(is_leader=False)
    try:
        # A savepoint, so a concurrent leader change surfaces as a form error, not a 500.
        with transaction.atomic():
            member, _created = DiagnosisTeamMember.objects.update_or_create(
                program=program, user=user, defaults={"duty": duty, "is_leader": is_leader}
            )
    except IntegrityError:
        raise ValidationError(
            {"is_leader": _("Someone else was just made leader; try again.")}
        ) from None
    return member


@transaction.atomic
def team_member_remove(*, member: DiagnosisTeamMember) -> None:
    """Remove a member from the diagnosis team (their interviews stay)."""
    member.delete()


def _tag_names(tags: Iterable[str], free_tags: Iterable[str]) -> list[str]:
    """Fixed tags first, then free tags, without duplicates or blanks."""
    names: list[str] = []
    for tag in tags:
        if tag not in InterviewTopic.values:
            raise ValidationError({"tags": _("Choose tags from the list.")})
        names.append(tag)
    for tag in free_tags:
        name = " ".join(tag.split())
        if len(name) > FREE_TAG_MAX_LENGTH:
            raise ValidationError(
                {
                    "free_tags": _("A tag has at most %(max)s characters.")
                    % {"max": FREE_TAG_MAX_LENGTH}
                }
            )
        if name:
            names.append(name)
    return list(dict.fromkeys(names))


@transaction.atomic
def interview_create(
    *,
    program: Program,
    interviewer: User | None,
    held_on: dt.date,
    interviewee_group: str,
    notes: str,
    interviewee: User | None = None,
    interviewee_name: str = "",
    tags: Iterable[str] = (),
    free_tags: Iterable[str] = (),
) -> Interview:
    """Record an interview's notes with its tags; the interviewee is a user or a name."""
    errors = {}
    if interviewee is None and not interviewee_name.strip():
        errors["interviewee_name"] = _("Choose a person or type the interviewee's name.")
    if interviewee_group not in IntervieweeGroup.values:
        errors["interviewee_group"] = _("Choose a role or department.")
    if not notes.strip():
        errors["notes"] = _("Write down what was said.")
    if held_on > company_today():
        errors["held_on"] = _("An interview cannot be recorded before it is held.")
    if errors:
        raise ValidationError(errors)
    names = _tag_names(tags, free_tags)
    interview = Interview.objects.create(
        program=program,
        interviewer=interviewer,
        held_on=held_on,
        interviewee=interviewee,
        interviewee_name=interviewee_name.strip(),
        interviewee_group=interviewee_group,
        notes=notes.strip(),
    )
    InterviewTag.objects.bulk_create(InterviewTag(interview=interview, name=n) for n in names)
    return interview


@transaction.atomic
def interview_delete(*, interview: Interview) -> None:
    """Delete an interview and its tags."""
    interview.delete()


def dimension_value(text: str) -> str:
    """A known dimension's key when `text` is its key or its label in any language; else text.

    Storing the key lets Table 1 read in each reader's language.
    """
    text = " ".join(text.split())
    for dimension in ProblemDimension:
        if text.casefold() == dimension.value:
            return dimension.value
        for language, _name in settings.LANGUAGES:
            with override(language):
                if text.casefold() == str(dimension.label).casefold():
                    return dimension.value
    return text


def _clean_row_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check the fields shared by Table 1 rows and findings."""
    errors = {}
    cleaned = dict(fields)
    if "dimension" in cleaned:
        cleaned["dimension"] = dimension_value(cleaned["dimension"] or "")
        if not cleaned["dimension"]:
            errors["dimension"] = _("Name the problem dimension.")
    if "impact_level" in cleaned and cleaned["impact_level"] not in ImpactLevel.values:
        errors["impact_level"] = _("Choose high, medium or low.")
    amount = cleaned.get("impact_amount")
    if amount is not None and Decimal(amount) < 0:
        errors["impact_amount"] = _("Give the impact as a positive amount.")
    if cleaned.get("evidence_url"):
        try:
            validate_evidence_link(cleaned["evidence_url"])
        except ValidationError as problem:
            errors["evidence_url"] = problem.messages[0]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _next_position(program: Program) -> int:
    last = DiagnosisRow.objects.filter(program=program).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def diagnosis_row_create(
    *,
    program: Program,
    dimension: str,
    description: str,
    impact_level: str,
    root_cause: str = "",
    impact_amount: Decimal | None = None,
    evidence_url: str = "",
    finding: Finding | None = None,
    description_from_finding: bool = False,
    by: Any = None,
) -> DiagnosisRow:
    """Append a row to the program's Table 1 (its history says `by` wrote it)."""
    if not description.strip():
        raise ValidationError({"description": _("Describe the problem.")})
    fields = _clean_row_fields(
        {
            "dimension": dimension,
            "impact_level": impact_level,
            "impact_amount": impact_amount,
            "evidence_url": evidence_url,
        }
    )
    row = DiagnosisRow(
        program=program,
        finding=finding,
        description=description.strip(),
        description_from_finding=description_from_finding and finding is not None,
        root_cause=root_cause.strip(),
        position=_next_position(program),
        **fields,
    )
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row


class RowChangedError(Exception):
    """The Table 1 row changed since the form was opened: by whom and when, and the row now."""

    def __init__(self, row: DiagnosisRow, changed_by: str, changed_at: Any) -> None:
        super().__init__(row.pk)
        self.row, self.changed_by, self.changed_at = row, changed_by, changed_at


@transaction.atomic
def diagnosis_row_update(
    *, row: DiagnosisRow, by: Any = None, version: int | None = None, **fields: Any
) -> DiagnosisRow:
    """Change a Table 1 row's fields (dimension, description, impact, root cause, evidence).

    With `version`, the one the form was opened on: RowChangedError when someone has saved the
    row since (their change is never written over unknowingly), nothing written."""
    if version is not None:
        current = DiagnosisRow.objects.select_for_update().get(pk=row.pk)
        if current.version != version:
            raise RowChangedError(current, *last_change(current))
        row.version = current.version
    unknown = set(fields) - {*ROW_FIELDS, "evidence_url"}
    if unknown:
        raise TypeError(f"not a Table 1 field: {sorted(unknown)}")
    if "description" in fields and not fields["description"].strip():
        raise ValidationError({"description": _("Describe the problem.")})
    cleaned = _clean_row_fields(fields)
    if "description" in cleaned:
        typed = cleaned["description"].strip()
        if row.description_from_finding and typed in (row.description, row.shown_description):
            del cleaned["description"]  # the finding's words, as shown: still the finding's
        else:
            cleaned["description_from_finding"] = False
    for name, value in cleaned.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.version += 1
    row._history_user = by  # type: ignore[attr-defined]
    row.save(update_fields=[*cleaned, "version", "updated_at"])
    return row


@transaction.atomic
def diagnosis_row_delete(*, row: DiagnosisRow) -> None:
    """Delete a Table 1 row; a finding it came from goes back to the proposals."""
    if row.finding_id is not None:
        Finding.objects.filter(pk=row.finding_id).update(
            status=FindingStatus.PROPOSED, decided_by=None, decided_at=None
        )
    row.delete()


@transaction.atomic
def diagnosis_row_move(*, row: DiagnosisRow, offset: int) -> None:
    """Move a row `offset` places up (negative) or down in Table 1; renumbers 1…n."""
    # Locking the program's rows serialises concurrent moves, so positions stay a sequence.
    rows = list(
        DiagnosisRow.objects.select_for_update()
        .filter(program_id=row.program_id)
        .order_by("position", "pk")
        .only("pk", "position")
    )
    index = next(i for i, candidate in enumerate(rows) if candidate.pk == row.pk)
    target = min(max(index + offset, 0), len(rows) - 1)
    rows.insert(target, rows.pop(index))
    for position, candidate in enumerate(rows, start=1):
        candidate.position = position
    DiagnosisRow.objects.bulk_update(rows, ["position"])


@transaction.atomic
def finding_propose(
    *,
    program: Program,
    rule_key: str,
    title: str,
    dimension: str,
    description: str,
    impact_level: str,
    impact_amount: Decimal | None = None,
    evidence: dict[str, Any] | None = None,
    evidence_url: str = "",
    text_params: dict[str, Any] | None = None,
) -> Finding:
    """Create or refresh the finding a KPI rule raised; a decision already taken is kept.

    The entry point of the KPI engine (item 7): safe to call on every recompute, since
    (program, rule_key) is unique and the figures are updated in place.
    """
    if not rule_key:
        raise ValidationError({"rule_key": _("A finding from the data names its rule.")})
    fields = _clean_row_fields(
        {
            "dimension": dimension,
            "impact_level": impact_level,
            "impact_amount": impact_amount,
            "evidence_url": evidence_url,
        }
    )
    finding, _created = Finding.objects.update_or_create(
        program=program,
        source=FindingSource.DATA,
        rule_key=rule_key,
        defaults={
            "title": title,
            "description": description,
            "evidence": evidence or {},
            "text_params": text_params or {},
            **fields,
        },
    )
    return finding


@transaction.atomic
def findings_refresh(*, program: Program, user: Any) -> list[Finding]:
    """Run every finding rule over the program's baseline window; create or refresh findings.

    Reads only KPI snapshots, within `user`'s scope (the editors who run it read the whole
    company). A finding already accepted or dismissed keeps its decision.
    """
    from . import rules  # the rules read KPIs; keep the services importable without them
    from .baseline import Filters

    if program.baseline_start is None or program.baseline_end is None:
        raise ValidationError({"baseline_end": _("Set the baseline window first.")})
    filters = Filters(program.baseline_start, program.baseline_end, reader=user)
    return [
        finding_propose(
            program=program,
            rule_key=proposal.rule_key,
            title=proposal.title,
            dimension=proposal.dimension,
            description=proposal.description,
            impact_level=proposal.impact_level,
            impact_amount=proposal.impact_amount,
            evidence=proposal.evidence,
            text_params=proposal.text_params,
        )
        for proposal in rules.proposals(filters)
    ]


@transaction.atomic
def finding_create_manual(
    *,
    program: Program,
    title: str,
    dimension: str,
    description: str = "",
    impact_level: str = ImpactLevel.MEDIUM,
    impact_amount: Decimal | None = None,
) -> Finding:
    """Log an issue by hand (the issue-log duty); it waits among the proposals."""
    if not title.strip():
        raise ValidationError({"title": _("Name the issue.")})
    fields = _clean_row_fields(
        {"dimension": dimension, "impact_level": impact_level, "impact_amount": impact_amount}
    )
    return Finding.objects.create(
        program=program,
        source=FindingSource.MANUAL,
        title=title.strip(),
        description=description.strip(),
        **fields,
    )


def _lock_proposed(finding: Finding) -> Finding:
    """The finding, locked; a ValidationError when someone already decided it."""
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.status != FindingStatus.PROPOSED:
        raise ValidationError({"status": _("This finding has already been decided.")})
    return locked


@transaction.atomic
def finding_accept(*, finding: Finding, user: User) -> DiagnosisRow:
    """Accept a proposed finding: it becomes a new Table 1 row (root cause still to write)."""
    finding = _lock_proposed(finding)
    finding.status = FindingStatus.ACCEPTED
    finding.decided_by, finding.decided_at = user, timezone.now()
    finding.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return diagnosis_row_create(
        program=finding.program,
        finding=finding,
        dimension=finding.dimension,
        description=finding.description or finding.title,
        description_from_finding=finding.source == FindingSource.DATA,
        impact_level=finding.impact_level,
        impact_amount=finding.impact_amount,
        evidence_url=finding.evidence_url,
        by=user,
    )


@transaction.atomic
def finding_dismiss(*, finding: Finding, user: User) -> Finding:
    """Dismiss a proposed finding; a later recompute of its rule will not bring it back."""
    finding = _lock_proposed(finding)
    finding.status = FindingStatus.DISMISSED
    finding.decided_by, finding.decided_at = user, timezone.now()
    finding.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return finding
