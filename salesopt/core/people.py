"""How people are named on pages, pickers and exports."""

from __future__ import annotations

from typing import Any


def person_name(user: Any) -> str:
    """A user as pickers and exports name them: their display name, else their username."""
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.get_username()
