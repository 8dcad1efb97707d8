"""The company's working calendar: its hours and working weekdays, and its own exceptions.

China's public holidays and make-up working days come from the `holidays` library
(salesopt.core.working_time); these rows say how the company works around them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel

WEEKDAY_DIGITS = "1234567"  # ISO weekdays: 1 Monday … 7 Sunday


def validate_weekdays(value: str) -> None:
    if not value or any(digit not in WEEKDAY_DIGITS for digit in value):
        raise ValidationError(
            _("List the working weekdays as digits, 1 Monday to 7 Sunday, e.g. 12345."),
            code="invalid_weekdays",
        )


class BusinessCalendar(TimeStampedModel):
    """The one working calendar of the company (the row with pk 1; defaults when absent)."""

    opens = models.TimeField(_("opens"), default=dt.time(9, 0))
    closes = models.TimeField(_("closes"), default=dt.time(18, 0))
    weekdays = models.CharField(
        _("working weekdays"),
        max_length=7,
        default="12345",
        validators=[validate_weekdays],
        help_text=_("ISO weekdays: 1 Monday … 7 Sunday."),
    )
    china_holidays = models.BooleanField(
        _("observe China's public holidays and make-up working days"), default=True
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendar")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="core_calendar_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekdays} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError(
                {"closes": _("A working day must close after it opens: it has no working hours.")}
            )


class CalendarException(TimeStampedModel):
    """A day the company works differently: a day off, or an extra working day."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"), default=False)
    note = models.CharField(_("note"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'working' if self.is_working_day else 'off'}"
