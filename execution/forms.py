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


class KickOffForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    held_on = forms.DateField(label=_("meeting date"), widget=DATE_INPUT)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}),
                            required=False)  # fmt: skip
    goals: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("goals presented"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    measures: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("measures presented"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, goals: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = goals  # type: ignore[attr-defined]
        self.fields["goals"].label_from_instance = lambda goal: goal.metric_label  # type: ignore[attr-defined]
        self.fields["measures"].queryset = measures  # type: ignore[attr-defined]


class AttendeeForm(forms.Form):
    user = PersonChoiceField(label=_("salesopt user"), queryset=None, required=False)
    name = forms.CharField(label=_("or a guest's name"), max_length=120, required=False)
    department = forms.CharField(label=_("department"), max_length=120, required=False)
    duty = forms.CharField(label=_("duty"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]
