"""Shapes shared by the API's routers."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """Every refusal of the API: 400, 401, 403 and 404 answer `{"error": "..."}`."""

    error: str
