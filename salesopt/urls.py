"""Top-level URLs: one include per phase app, plus login, language and admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from django.views.i18n import set_language

from salesopt.core import views as core_views

admin.site.site_header = "salesopt"
admin.site.site_title = "salesopt"

urlpatterns = [
    path("", include("salesopt.kpis.overview_urls")),
    path("", include("salesopt.core.urls")),
    path("diagnosis/", include("diagnosis.urls")),
    path("plan/", include("planning.urls")),
    path("execution/", include("execution.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("leads/", include("salesopt.leads.urls")),
    path("imports/", include("salesopt.imports.urls")),
    path("api/", include("salesopt.api.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switcher must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", core_views.health, name="health"),
    # Browsers ask for /favicon.ico whatever the page says (the admin's pages say nothing).
    path(
        "favicon.ico",
        login_not_required(
            RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)
        ),
    ),
    path("admin/", admin.site.urls),
]
