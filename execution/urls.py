from django.urls import path

from . import views

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
]
