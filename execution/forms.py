"""Execution forms: a task written by hand. The form parses; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salesopt.core.people import person_name

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("task"), max_length=200)
    owner = PersonChoiceField(label=_("owner"), queryset=None, required=False)
    starts_on = forms.DateField(label=_("start"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("end"), widget=DATE_INPUT)
    deliverable = forms.CharField(label=_("deliverable"), max_length=300, required=False)
    resources = forms.CharField(label=_("resources needed"), max_length=300, required=False)
    measure: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("measure"), queryset=None, required=False
    )

    def __init__(self, *args: Any, owners: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["measure"].queryset = measures  # type: ignore[attr-defined]
