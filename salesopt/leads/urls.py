from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.lead_detail, name="lead"),
    path("<int:pk>/assign/", views.lead_assign, name="lead-assign"),
    path("<int:pk>/checklist/<int:item>/", views.checklist_tick, name="checklist-tick"),
    path("compliance/", views.compliance, name="compliance"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/bell/", views.bell, name="bell"),
]
