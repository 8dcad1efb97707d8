from django.urls import path

from . import views

app_name = "diagnosis"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("report/", views.report, name="report"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data/", views.chart_data, name="chart-data"),
    path("findings/refresh/", views.findings_refresh, name="findings-refresh"),
    path("table1.xlsx", views.table1_export, name="table1-export"),
    path("team/", views.team_member_add, name="team-member-add"),
    path("team/<int:pk>/remove/", views.team_member_remove, name="team-member-remove"),
    path("baseline/", views.baseline_update, name="baseline-update"),
    path("interviews/", views.interview_list, name="interview-list"),
    path("interviews/new/", views.interview_create, name="interview-create"),
    path("interviews/<int:pk>/delete/", views.interview_delete, name="interview-delete"),
    path("findings/new/", views.finding_create, name="finding-create"),
    path("findings/<int:pk>/accept/", views.finding_accept, name="finding-accept"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding-dismiss"),
    path("table1/new/", views.row_create, name="row-create"),
    path("table1/<int:pk>/", views.row_detail, name="row-detail"),
    path("table1/<int:pk>/edit/", views.row_edit, name="row-edit"),
    path("table1/<int:pk>/history/", views.row_history, name="row-history"),
    path("table1/<int:pk>/delete/", views.row_delete, name="row-delete"),
    path("table1/<int:pk>/move/", views.row_move, name="row-move"),
]
