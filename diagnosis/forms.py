"""Input shapes of the diagnosis pages; the rules live in services."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Duty, ImpactLevel, IntervieweeGroup, InterviewTopic

# Chinese keyboards type "，" and "、" between words; accept them as well as commas.
TAG_SEPARATORS = re.compile(r"[,，、;；]")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        if profile is None:
            return str(obj.get_username())
        if profile.created_by_import:  # activated by an admin: still said where they came from
            return _("%(name)s (created by import)") % {"name": profile}
        return str(profile)


class BaselineWindowForm(forms.Form):
    baseline_start = forms.DateField(label=_("baseline from"), widget=DATE_INPUT)
    baseline_end = forms.DateField(label=_("baseline to"), widget=DATE_INPUT)


class TeamMemberForm(forms.Form):
    user = PersonChoiceField(label=_("member"), queryset=None)
    duty = forms.ChoiceField(label=_("duty"), choices=Duty.choices)
    is_leader = forms.BooleanField(label=_("team leader"), required=False)

    def __init__(self, *args: Any, people: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = people


class InterviewForm(forms.Form):
    interviewee = PersonChoiceField(label=_("interviewee"), queryset=None, required=False)
    interviewee_name = forms.CharField(
        label=_("or their name"),
        max_length=128,
        required=False,
        help_text=_("For someone without a salesopt account."),
    )
    interviewee_group = forms.ChoiceField(
        label=_("role or department"), choices=IntervieweeGroup.choices
    )
    interviewer = PersonChoiceField(label=_("interviewer"), queryset=None, required=False)
    held_on = forms.DateField(label=_("held on"), widget=DATE_INPUT)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 4}))
    tags = forms.MultipleChoiceField(
        label=_("tags"),
        choices=InterviewTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    free_tags = forms.CharField(
        label=_("other tags"),
        max_length=200,
        required=False,
        help_text=_("Separated by commas, e.g. approvals, CRM training."),
    )

    def __init__(self, *args: Any, people: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["interviewee"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["interviewer"]).queryset = people

    def clean_free_tags(self) -> list[str]:
        return [tag for tag in TAG_SEPARATORS.split(self.cleaned_data["free_tags"]) if tag.strip()]


class InterviewFilterForm(forms.Form):
    q = forms.CharField(label=_("Search the notes"), max_length=100, required=False)
    tag = forms.CharField(label=_("tag"), max_length=40, required=False)


class DiagnosisRowForm(forms.Form):
    """A Table 1 row; the dimension is free text with the known dimensions suggested."""

    dimension = forms.CharField(
        label=_("problem dimension"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "diagnosis-dimensions"}),
    )
    description = forms.CharField(
        label=_("problem description"), widget=forms.Textarea(attrs={"rows": 2})
    )
    impact_level = forms.ChoiceField(label=_("impact level"), choices=ImpactLevel.choices)
    impact_amount = forms.DecimalField(
        label=_("impact per quarter"), max_digits=14, decimal_places=2, required=False
    )
    root_cause = forms.CharField(
        label=_("root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_url = forms.CharField(label=_("evidence link"), max_length=500, required=False)

    def __init__(self, *args: Any, html_form_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if html_form_id:
            # Inline editing lays the inputs out in table cells, where a <form> cannot wrap
            # them; the HTML `form` attribute ties each input to the form in the last cell.
            for field in self.fields.values():
                field.widget.attrs["form"] = html_form_id


class DiagnosisRowEditForm(DiagnosisRowForm):
    """A Table 1 row edited in place: it names the row's version it was opened on."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": _("The form is out of date: open the row again.")},
    )


class FindingForm(forms.Form):
    """An issue logged by hand; it joins the proposals until accepted into Table 1."""

    title = forms.CharField(label=_("issue"), max_length=200)
    dimension = forms.CharField(
        label=_("problem dimension"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "diagnosis-dimensions"}),
    )
    description = forms.CharField(
        label=_("problem description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    impact_level = forms.ChoiceField(
        label=_("impact level"), choices=ImpactLevel.choices, initial=ImpactLevel.MEDIUM
    )
    impact_amount = forms.DecimalField(
        label=_("impact per quarter"), max_digits=14, decimal_places=2, required=False
    )


class RowMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class DashboardFilterForm(forms.Form):
    """The baseline dashboard's filters: months within the baseline window and three cuts."""

    period_from = forms.ChoiceField(label=_("from"), required=False)
    period_to = forms.ChoiceField(label=_("to"), required=False)
    region = forms.ChoiceField(label=_("region"), required=False)
    product_line = forms.ChoiceField(label=_("product line"), required=False)
    team = forms.ChoiceField(label=_("team"), required=False)

    def __init__(self, data: Any = None, *, months: list[str], names: dict[str, list[str]]) -> None:
        super().__init__(data)
        month_choices = [(month, month) for month in months]
        cast(forms.ChoiceField, self.fields["period_from"]).choices = month_choices
        cast(forms.ChoiceField, self.fields["period_to"]).choices = month_choices
        for name, values in names.items():
            choices = [("", _("all")), *((value, value) for value in values)]
            cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("period_from"), cleaned.get("period_to")
        if first and last and first > last:
            self.add_error("period_to", _("The last month comes before the first."))
        return cleaned
