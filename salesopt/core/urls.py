from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("programs/switch/", views.switch_program, name="program-switch"),
]
