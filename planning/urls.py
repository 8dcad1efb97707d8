from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("plan.xlsx", views.plan_export, name="export"),
    path("goals/", views.goal_create, name="goal-create"),
    path("goals/<int:pk>/", views.goal_update, name="goal-update"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal-delete"),
    path("measures/", views.measure_create, name="measure-create"),
    path("measures/<int:pk>/", views.measure_update, name="measure-update"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
]
