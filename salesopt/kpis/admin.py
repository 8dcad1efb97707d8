"""Admin: read KPI snapshots, and see or revoke API tokens (they are issued by a command)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ApiToken, KpiSnapshot

# ModelAdmin is generic for the type checker only; subscripting it at run time needs
# django-stubs-ext, which salesopt does not install: hence the type-arg ignores below.


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: snapshots are rewritten by every recompute, an edit would not survive it."""

    list_display = ["metric", "grain", "period_start", "cut", "value", "numerator", "denominator"]
    list_filter = ["metric", "grain", "cut"]
    date_hierarchy = "period_start"
    show_full_result_count = False  # a count(*) of every snapshot on each page is wasted work

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Deleting a token revokes it; new ones come from `manage.py create_api_token`."""

    list_display = ["prefix", "user", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = ["user", "prefix", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
