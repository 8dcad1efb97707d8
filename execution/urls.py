from django.urls import path

from . import measure_views, views

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
    path(
        "measures/<int:pk>/<str:field>/", measure_views.measure_cell_save, name="measure_cell_save"
    ),
    path(
        "measures/<int:pk>/<str:field>/edit/",
        measure_views.measure_cell_editor,
        name="measure_cell_editor",
    ),
]
