"""The overview page at the site's root (the KPI API lives at api/kpis/)."""

from django.urls import path

from . import overview_views

app_name = "overview"

urlpatterns = [
    path("", overview_views.home, name="home"),
]
