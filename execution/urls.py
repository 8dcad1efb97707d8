from django.urls import path

from . import (
    coaching_views,
    import_views,
    kickoff_views,
    measure_views,
    review_views,
    target_views,
    views,
)

app_name = "execution"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/from-measures/", views.tasks_from_measures, name="tasks_from_measures"),
    path("tasks/export.xlsx", views.export, name="export"),
    path("tasks/<int:pk>/", views.task_row, name="task_row"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/history/", views.task_history, name="task_history"),
    path("tasks/<int:pk>/<str:field>/", views.task_cell_save, name="task_cell_save"),
    path("tasks/<int:pk>/<str:field>/edit/", views.task_cell_editor, name="task_cell_editor"),
    path("measures/", measure_views.measure_table, name="measures"),
    path("measures/export.xlsx", measure_views.measure_export, name="measure_export"),
    path("measures/<int:pk>/", measure_views.measure_row, name="measure_row"),
    path("measures/<int:pk>/history/", measure_views.measure_history, name="measure_history"),
    path(
        "measures/<int:pk>/<str:field>/", measure_views.measure_cell_save, name="measure_cell_save"
    ),
    path(
        "measures/<int:pk>/<str:field>/edit/",
        measure_views.measure_cell_editor,
        name="measure_cell_editor",
    ),
    path("kickoff/", kickoff_views.kickoff, name="kickoff"),
    path("kickoff/save/", kickoff_views.kickoff_save, name="kickoff_save"),
    path("kickoff/attendees/", kickoff_views.attendee_add, name="attendee_add"),
    path(
        "kickoff/attendees/<int:pk>/remove/", kickoff_views.attendee_remove, name="attendee_remove"
    ),
    path(
        "kickoff/attendees/<int:pk>/acknowledge/",
        kickoff_views.attendee_acknowledge,
        name="attendee_acknowledge",
    ),
    path("targets/", target_views.targets, name="targets"),
    path("targets/set/", target_views.target_set, name="target_set"),
    path("targets/parts/", target_views.parts_set, name="target_parts"),
    path("targets/export.xlsx", target_views.target_export, name="target_export"),
    path("targets/<int:pk>/", target_views.target_row, name="target_row"),
    path("targets/<int:pk>/history/", target_views.target_history, name="target_history"),
    path("targets/<int:pk>/<str:field>/", target_views.target_cell_save, name="target_cell_save"),
    path(
        "targets/<int:pk>/<str:field>/edit/",
        target_views.target_cell_editor,
        name="target_cell_editor",
    ),
    path("import/<str:table>/", import_views.sheet_upload, name="sheet_upload"),
    path("imports/<int:pk>/", import_views.sheet_import, name="sheet_import"),
    path("imports/<int:pk>/apply/", import_views.sheet_apply, name="sheet_apply"),
    path(
        "imports/<int:pk>/problems.<str:file_format>",
        import_views.sheet_problems,
        name="sheet_problems",
    ),
    path("coaching/", coaching_views.coaching, name="coaching"),
    path("coaching/<int:rep_id>/", coaching_views.coaching_record, name="coaching_record"),
    path("reviews/", review_views.reviews, name="reviews"),
    path("reviews/open/", review_views.review_open, name="review_open"),
    path("reviews/<str:week>/", review_views.review, name="review"),
    path("reviews/<str:week>/notes/", review_views.review_notes, name="review_notes"),
    path("reviews/<str:week>/decisions/", review_views.decision_add, name="decision_add"),
    path("reviews/<str:week>/close/", review_views.review_close, name="review_close"),
]
