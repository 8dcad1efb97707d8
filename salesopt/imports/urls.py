from django.urls import path, re_path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("<int:pk>/", views.run_detail, name="run-detail"),
    path("<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("<int:pk>/start/", views.run_start, name="run-start"),
    path("<int:pk>/cancel/", views.run_cancel, name="run-cancel"),
    path("<int:pk>/revert/", views.run_revert, name="run-revert"),
    re_path(
        r"^(?P<pk>\d+)/errors\.(?P<file_format>csv|xlsx)$", views.run_errors, name="run-errors"
    ),
    re_path(
        r"^templates/(?P<kind>[a-z]+)-(?P<language>en|zh)\.(?P<file_format>csv|xlsx)$",
        views.template_download,
        name="template-download",
    ),
]
