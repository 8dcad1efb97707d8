from django.urls import path

from . import views

app_name = "execution"

urlpatterns = [
    path("", views.landing, name="landing"),
]
