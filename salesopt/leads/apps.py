from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "salesopt.leads"
    label = "leads"
    verbose_name = _("Lead process")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from salesopt.core.models import BusinessCalendar, CalendarException

        from .signals import calendar_changed

        for model in (BusinessCalendar, CalendarException):
            post_save.connect(calendar_changed, sender=model, dispatch_uid=f"deadlines-{model}")
            post_delete.connect(calendar_changed, sender=model, dispatch_uid=f"deadlines-{model}")
