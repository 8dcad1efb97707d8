"""Writes of the deal milestones: the list the sales manager edits, and a milestone done.

A deliverable is an http(s) link or an uploaded file. A file is kept only when its suffix is
one of DELIVERABLE_TYPES and its first bytes are what that type starts with (a renamed .exe is
refused), under SALESOPT_MILESTONE_FILE_MAX_BYTES; it is stored under a random name, and its
content type is salesopt's (from the suffix), never the browser's. Files are served only
through the deal's page, as an attachment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import Opportunity, Role

from .models import DeliverableKind, MilestoneCompletion, MilestoneDefinition

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The roles a milestone can belong to: the people who work a deal.
OWNER_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_MANAGER)
_ZIP = (b"PK\x03\x04",)


@dataclass(frozen=True)
class DeliverableType:
    content_type: str
    starts_with: tuple[bytes, ...]


DELIVERABLE_TYPES = {
    "pdf": DeliverableType("application/pdf", (b"%PDF-",)),
    "docx": DeliverableType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP
    ),
    "xlsx": DeliverableType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP
    ),
    "pptx": DeliverableType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP
    ),
    "png": DeliverableType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": DeliverableType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": DeliverableType("image/jpeg", (b"\xff\xd8\xff",)),
}


# The list a company starts with (migration 0003 writes the same): key, name, owner role,
# deliverable, due in days after the opportunity's creation.
DEFAULT_MILESTONES = (
    ("proposal_submitted", "Proposal submitted", Role.SALES_REP, DeliverableKind.FILE, 14),
    ("contract_review", "Contract review", Role.TEAM_LEAD, DeliverableKind.FILE, 30),
    ("signed", "Signed", Role.SALES_REP, DeliverableKind.FILE, 45),
)


def milestones_ensure_defaults() -> int:
    """Write the default milestone list when there has never been one (a database emptied
    after its migrations, as the demo's reset and the tests do); how many were written."""
    if MilestoneDefinition.objects.exists():
        return 0
    MilestoneDefinition.objects.bulk_create(
        MilestoneDefinition(
            default_key=key, name=name, position=position, owner_role=role,
            deliverable_kind=kind, due_offset_days=days,
        )
        for position, (key, name, role, kind, days) in enumerate(DEFAULT_MILESTONES, start=1)
    )  # fmt: skip
    return len(DEFAULT_MILESTONES)


def max_file_bytes() -> int:
    return int(getattr(settings, "SALESOPT_MILESTONE_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _require_editor(user: Any) -> None:
    if not access.can_edit_plan(user):
        raise PermissionDenied


def _check_definition(*, name: str, owner_role: str, exclude: int | None = None) -> None:
    if owner_role not in OWNER_ROLES:
        raise ValidationError(
            {"owner_role": _("A milestone belongs to a rep, a team lead or the sales manager.")}
        )
    clash = MilestoneDefinition.objects.filter(active=True, name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("A milestone with this name is already in the list.")})


@transaction.atomic
def milestone_create(
    *,
    user: Any,
    name: str,
    owner_role: str,
    deliverable_kind: str,
    due_offset_days: int,
    position: int | None = None,
) -> MilestoneDefinition:
    """Add a milestone to the list (last unless `position` is given: those from it move down)."""
    _require_editor(user)
    _check_definition(name=name, owner_role=owner_role)
    active = MilestoneDefinition.objects.select_for_update().filter(active=True)
    last = max((milestone.position for milestone in active), default=0)
    position = last + 1 if position is None or position > last else max(position, 1)
    _shift(from_position=position, by=1)
    return MilestoneDefinition.objects.create(
        name=name.strip(),
        position=position,
        owner_role=owner_role,
        deliverable_kind=deliverable_kind,
        due_offset_days=due_offset_days,
    )


@transaction.atomic
def milestone_update(
    *,
    user: Any,
    milestone: MilestoneDefinition,
    name: str,
    owner_role: str,
    deliverable_kind: str,
    due_offset_days: int,
) -> MilestoneDefinition:
    """Change a milestone in place; renaming a default milestone keeps the name as typed."""
    _require_editor(user)
    _check_definition(name=name, owner_role=owner_role, exclude=milestone.pk)
    # A default milestone's name is shown in the reader's language: saved unchanged in any
    # language, it stays the default (and keeps being translated).
    if name.strip() not in (milestone.name, milestone.shown_name):
        milestone.default_key = ""
        milestone.name = name.strip()
    milestone.owner_role = owner_role
    milestone.deliverable_kind = deliverable_kind
    milestone.due_offset_days = due_offset_days
    milestone.save()
    return milestone


@transaction.atomic
def milestone_move(*, user: Any, milestone: MilestoneDefinition, up: bool) -> None:
    """Swap a milestone with its neighbour above or below (nothing at either end)."""
    _require_editor(user)
    active = list(MilestoneDefinition.objects.select_for_update().filter(active=True))
    index = next(i for i, item in enumerate(active) if item.pk == milestone.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(active):
        return
    first, second = active[index], active[other]
    # Through a free position: the unique constraint holds after every statement.
    free = max(item.position for item in active) + 1
    positions = first.position, second.position
    MilestoneDefinition.objects.filter(pk=first.pk).update(position=free)
    MilestoneDefinition.objects.filter(pk=second.pk).update(position=positions[0])
    MilestoneDefinition.objects.filter(pk=first.pk).update(position=positions[1])


@transaction.atomic
def milestone_retire(*, user: Any, milestone: MilestoneDefinition) -> None:
    """Take a milestone off the list; the deals that did it keep their record."""
    _require_editor(user)
    MilestoneDefinition.objects.filter(pk=milestone.pk).update(active=False)
    _shift(from_position=milestone.position + 1, by=-1)


def _shift(*, from_position: int, by: int) -> None:
    """Move the active milestones from `from_position` on by `by` places, one at a time in an
    order that never has two on the same place."""
    moved = MilestoneDefinition.objects.filter(active=True, position__gte=from_position)
    for milestone in moved.order_by("-position" if by > 0 else "position"):
        MilestoneDefinition.objects.filter(pk=milestone.pk).update(position=milestone.position + by)


def milestone_complete(
    *,
    user: Any,
    opportunity: Opportunity,
    milestone: MilestoneDefinition,
    link: str = "",
    file: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> MilestoneCompletion:
    """Mark `milestone` done on `opportunity` with its deliverable; PermissionDenied for a user
    whose role may not, ValidationError (by field) for a missing or refused deliverable or a
    milestone already done. Nothing is stored when it is refused."""
    if not milestone.active or not access.can_complete_milestone(
        user, opportunity, milestone.owner_role
    ):
        raise PermissionDenied
    completion = MilestoneCompletion(
        opportunity=opportunity, milestone=milestone, done_at=now or timezone.now(), done_by=user
    )
    if milestone.deliverable_kind == DeliverableKind.LINK:
        completion.link = _checked_link(link)
    else:
        _attach(completion, _checked_file(file))
    try:
        with transaction.atomic():
            completion.save()
    except IntegrityError:
        if completion.file:
            completion.file.delete(save=False)
        raise ValidationError(_("This milestone is already done on this deal.")) from None
    return completion


def _checked_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        raise ValidationError({"link": _("Give the link to the deliverable.")})
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise ValidationError(
            {"link": _("Give a full web address starting with http:// or https://.")}
        ) from None
    if len(link) > MilestoneCompletion._meta.get_field("link").max_length:  # type: ignore[operator]
        raise ValidationError({"link": _("This link is too long (500 characters at most).")})
    return link


def _checked_file(file: UploadedFile | None) -> tuple[UploadedFile, DeliverableType]:
    if file is None:
        raise ValidationError({"file": _("Attach the deliverable's file.")})
    limit = max_file_bytes()
    if file.size is None or file.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}}
        )
    suffix = Path(file.name or "").suffix.lower().lstrip(".")
    kind = DELIVERABLE_TYPES.get(suffix)
    allowed = ", ".join(sorted(DELIVERABLE_TYPES))
    if kind is None:
        raise ValidationError(
            {
                "file": _("Files of this type are not accepted; use one of: %(allowed)s.")
                % {"allowed": allowed}
            }
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(magic) for magic in kind.starts_with):
        raise ValidationError(
            {"file": _("The file's content is not a .%(suffix)s file.") % {"suffix": suffix}}
        )
    return file, kind


def _attach(completion: MilestoneCompletion, checked: tuple[UploadedFile, DeliverableType]) -> None:
    file, kind = checked
    completion.file_name = Path(file.name or "deliverable").name[:255]
    completion.file_content_type = kind.content_type
    completion.file_size = file.size
    # Stored now, under a random name (models.deliverable_path); removed if the save fails.
    completion.file.save(completion.file_name, file, save=False)
