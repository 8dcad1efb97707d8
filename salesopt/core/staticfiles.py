"""Serve plotly.js from the plotly wheel as `static/vendor/plotly.min.js` (no CDN)."""

from pathlib import Path
from typing import Any, Literal, overload

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS_STATIC_PATH = "vendor/plotly.min.js"
_PLOTLY_PACKAGE_DATA = Path(plotly.__file__).parent / "package_data"


class PlotlyJsFinder(BaseFinder):
    storage = FileSystemStorage(location=str(_PLOTLY_PACKAGE_DATA))

    def check(self, **kwargs: Any) -> list:
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False, **kwargs: Any) -> str: ...
    @overload
    def find(self, path: str, find_all: Literal[True], **kwargs: Any) -> list[str]: ...
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        if path != PLOTLY_JS_STATIC_PATH:
            return [] if find_all else ""
        found = str(_PLOTLY_PACKAGE_DATA / "plotly.min.js")
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Any:
        storage = FileSystemStorage(location=str(_PLOTLY_PACKAGE_DATA))
        storage.prefix = "vendor"  # type: ignore[attr-defined]
        yield "plotly.min.js", storage
