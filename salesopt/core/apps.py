from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "salesopt.core"
    label = "core"
    verbose_name = _("Company data")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_session_start

        # Django's own login hook (every login path sends it: our page, the admin's, tests'
        # force_login): the session's absolute limit counts from the login itself.
        user_logged_in.connect(stamp_session_start, dispatch_uid="salesopt-session-start")
