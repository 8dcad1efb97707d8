"""Logging filters of our own."""

from __future__ import annotations

import logging


class RefusalsOnOneLine(logging.Filter):
    """A 4xx response (a refusal: 403, 404, 429…) is one log line, without the traceback of
    the PermissionDenied or Http404 that produced it: it is the app working as meant."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
