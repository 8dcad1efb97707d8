"""The API's URLs, included at `api/` by salesopt/urls.py.

The KPI series keeps the name it had before it moved onto ninja, `kpis:kpi-series`; every other
route is in ninja's namespace, `api:` (`api:plan`, `api:openapi-json`, `api:openapi-view`, …).
Ninja authenticates its routes itself and answers 401 JSON, so they are exempt from
LoginRequiredMiddleware; the docs page and the API's root are pages, which send an anonymous
visitor to the login page.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path

from .api import api

PAGES = {"openapi-view", "api-root"}
KPI_SERIES = "kpi-series"

_patterns, _app_name, _namespace = api.urls
# Ninja's routes are endpoints, never includes.
_routes = [route for route in _patterns if isinstance(route, URLPattern)]
for _route in _routes:
    if _route.name not in PAGES:
        login_not_required(_route.callback)

urlpatterns = [
    path("", include(([route for route in _routes if route.name == KPI_SERIES], "kpis"))),
    path("", include(([route for route in _routes if route.name != KPI_SERIES], _namespace))),
]
