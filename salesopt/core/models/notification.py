"""In-app notifications (the bell in the top bar), each also sent once by e-mail.

`key` says what a notification is about ("due_soon:<lead>:<due time>", "breach:<lead>:…"): it is
unique, so the reminder job can run twice at once (two workers, a redelivered task) and each
notification still exists, and is mailed, exactly once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .crm import Lead


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("deadline near")
    OVERDUE = "overdue", _("deadline passed")
    TEAM_BREACH = "team_breach", _("a team lead's breach notice")
    REASSIGNED_AWAY = "reassigned_away", _("lead reassigned away")
    ASSIGNED = "assigned", _("lead assigned")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    key = models.CharField(_("key"), max_length=120)
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    # What the text needs, kept so it is rendered in the reader's language when read.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_notification_once"),
        ]
        indexes = [
            # The bell: a user's unread notifications, newest first.
            models.Index(
                fields=["user", "-created_at"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            # The mailer: what is not yet mailed.
            models.Index(
                fields=["created_at"],
                name="notification_unmailed",
                condition=models.Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
