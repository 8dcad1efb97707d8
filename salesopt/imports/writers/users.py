"""Importing users (sales reps and their managers) so CRM owners can be matched.

A company has tens to hundreds of users, so this writer uses the ORM row by row; it offers the
same interface as the staging table so the pipeline treats every kind alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from salesopt.core.models import Profile, Role

from .sql import WriteCounts

if TYPE_CHECKING:
    from salesopt.leads.grading import StreamGrader

_PROFILE_FIELDS = ("display_name", "role", "team_id", "hire_date")


class UserWriter:
    def __init__(self, *, source: str) -> None:
        self.grader: StreamGrader | None = None  # users are not graded
        self.source = source
        self.rows: list[dict[str, Any]] = []

    def create(self) -> None:
        self.rows = []

    def frame(self, canonical: pd.DataFrame) -> pd.DataFrame:
        return canonical

    def load(self, frame: pd.DataFrame) -> None:
        for row_number, values in frame.iterrows():
            self.rows.append({"row_number": int(row_number), **values.to_dict()})

    @contextmanager
    def loading(self) -> Iterator[None]:
        yield  # the rows are held in memory until `write`

    def end_loading(self, error: BaseException | None = None) -> None:
        pass

    def create_missing_customers(self, *, run_id: int | None) -> int:
        return 0

    def unresolved_references(self) -> list[tuple[int, str, str]]:
        return []

    def delete_rows(self, row_numbers: list[int]) -> None:
        rejected = set(row_numbers)
        self.rows = [row for row in self.rows if row["row_number"] not in rejected]

    def duplicates(self) -> list[tuple[str, list[int]]]:
        by_id: dict[str, list[int]] = {}
        for row in self.rows:
            by_id.setdefault(row["external_id"], []).append(row["row_number"])
        return [(external_id, rows) for external_id, rows in by_id.items() if len(rows) > 1]

    def keep_last_of_duplicates(self) -> None:
        last = {row["external_id"]: row for row in self.rows}
        self.rows = list(last.values())

    def preview(self) -> WriteCounts:
        return self._apply(save=False)

    def write(self, *, run_id: int | None, then: Callable[[], object] | None = None) -> WriteCounts:
        counts = self._apply(save=True)
        if then is not None:
            then()
        return counts

    def _apply(self, *, save: bool) -> WriteCounts:
        existing = {
            profile.external_id: profile
            for profile in Profile.objects.filter(source=self.source).select_related("user")
        }
        created = updated = 0
        for row in self.rows:
            profile = existing.get(row["external_id"])
            wanted = _profile_values(row, profile)
            if profile is None:
                created += 1
                if save:
                    _create_user(self.source, row, wanted)
            elif _differs(profile, row, wanted):
                updated += 1
                if save:
                    _update_user(profile, row, wanted)
        return WriteCounts(
            created=created, updated=updated, unchanged=len(self.rows) - created - updated
        )


def _profile_values(row: dict[str, Any], profile: Profile | None) -> dict[str, Any]:
    team = row.get("team")
    hire = row.get("hire_date")
    return {
        "display_name": str(row["name"])[:64],
        "role": row.get("role") or (profile.role if profile else Role.SALES_REP),
        "team_id": None if team is None or pd.isna(team) else int(team),
        "hire_date": None if hire is None or pd.isna(hire) else pd.Timestamp(hire).date(),
    }


def _differs(profile: Profile, row: dict[str, Any], wanted: dict[str, Any]) -> bool:
    email = str(row.get("email") or "")
    changed = any(getattr(profile, name) != value for name, value in wanted.items())
    return changed or (email != "" and profile.user.email != email)


def _create_user(source: str, row: dict[str, Any], wanted: dict[str, Any]) -> None:
    email = str(row.get("email") or "")
    username = (email or f"{source}.{row['external_id']}").lower()[:150]
    user = get_user_model().objects.create(
        username=username, email=email, password=make_password(None)
    )
    Profile.objects.create(user=user, source=source, external_id=row["external_id"], **wanted)


def _update_user(profile: Profile, row: dict[str, Any], wanted: dict[str, Any]) -> None:
    for name, value in wanted.items():
        setattr(profile, name, value)
    profile.save(update_fields=[*_PROFILE_FIELDS, "updated_at"])
    email = str(row.get("email") or "")
    if email and profile.user.email != email:
        profile.user.email = email
        profile.user.save(update_fields=["email"])


__all__ = ["UserWriter"]
