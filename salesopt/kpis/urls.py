"""KPI URLs, included at `api/kpis/` by salesopt/urls.py."""

from django.urls import path

from . import views

app_name = "kpis"

urlpatterns = [
    path("", views.kpi_api, name="kpi-series"),
]
