from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.lead_detail, name="lead"),
    path("<int:pk>/assign/", views.lead_assign, name="lead-assign"),
]
