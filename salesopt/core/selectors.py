"""Reads of the core layer for every page: the programs a user may switch between."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from . import access
from .models import Program

if TYPE_CHECKING:
    from .access import AnyUser


def programs_for_switcher(*, user: AnyUser) -> QuerySet[Program]:
    return access.visible_programs(user).only("id", "name", "status")
