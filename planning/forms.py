"""Plan forms: a goal and a measure. The forms parse; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from salesopt.core.models import Team
from salesopt.core.people import person_name
from salesopt.kpis.catalog import METRICS, Unit

from .goals import SCOPE_MODELS, GoalScope
from .models import MeasureLine, TargetKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class GoalsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return goal_label(obj)


class FindingsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.shown_title)


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("KPI"))
    scope = forms.ChoiceField(label=_("scope"))
    target_kind = forms.ChoiceField(label=_("target as"), choices=TargetKind.choices)
    target_input = forms.FloatField(
        label=_("target"),
        help_text=_("A value in the KPI's unit (a rate in %), or a change in % such as −20."),
    )
    deadline = forms.DateField(label=_("deadline"), widget=DATE_INPUT, required=False)
    owner = PersonChoiceField(label=_("owner"), queryset=None)
    findings = FindingsField(
        label=_("findings it answers"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, owners: Any, findings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["metric"]).choices = [("", "—")] + [
            (key, metric.label) for key, metric in METRICS.items()
        ]
        cast(forms.ChoiceField, self.fields["scope"]).choices = scope_choices()
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        cast(forms.ModelChoiceField, self.fields["findings"]).queryset = findings

    def clean_scope(self) -> GoalScope:
        key = self.cleaned_data["scope"]
        if key == "company":
            return GoalScope()
        dimension, _sep, pk = key.partition(":")
        found = SCOPE_MODELS[dimension].objects.filter(pk=pk).first()
        if found is None:
            raise forms.ValidationError(_("Choose a scope from the list."))
        return GoalScope(dimension, found.pk, found.name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        metric = METRICS.get(data.get("metric", ""))
        entered = data.get("target_input")
        # A rate's value is typed in percent, as pages show it, and stored as a fraction.
        if (
            metric is not None
            and metric.unit == Unit.RATIO
            and data.get("target_kind") == TargetKind.ABSOLUTE
            and entered is not None
        ):
            data["target_input"] = entered / 100
        return data


class GoalEditForm(forms.Form):
    """What a goal may change once set: its target, deadline, owner and findings."""

    target_kind = forms.ChoiceField(label=_("target as"), choices=TargetKind.choices)
    target_input = forms.FloatField(
        label=_("target"),
        help_text=_("A value in the KPI's unit (a rate in %), or a change in % such as −20."),
    )
    deadline = forms.DateField(label=_("deadline"), widget=DATE_INPUT, required=False)
    owner = PersonChoiceField(label=_("owner"), queryset=None)
    findings = FindingsField(
        label=_("findings it answers"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, goal: Any, owners: Any, findings: Any, **kwargs: Any) -> None:
        self.goal = goal
        entered = goal.target_input
        if goal.target_kind == TargetKind.ABSOLUTE and METRICS[goal.metric].unit == Unit.RATIO:
            entered = round(entered * 100, 6)  # typed in percent, as pages show a rate
        kwargs.setdefault(
            "initial",
            {
                "target_kind": goal.target_kind,
                "target_input": entered,
                "deadline": goal.deadline,
                "owner": goal.owner_id,
                "findings": [finding.pk for finding in goal.findings.all()],
            },
        )
        kwargs["prefix"] = f"goal-{goal.pk}"
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        cast(forms.ModelChoiceField, self.fields["findings"]).queryset = findings

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        entered = data.get("target_input")
        if (
            METRICS[self.goal.metric].unit == Unit.RATIO
            and data.get("target_kind") == TargetKind.ABSOLUTE
            and entered is not None
        ):
            data["target_input"] = entered / 100
        return data


def scope_choices() -> list[tuple[Any, Any]]:
    groups: list[tuple[Any, Any]] = [("company", _("The company"))]
    labels = {"region": _("Region"), "team": _("Team"), "product_line": _("Product line")}
    for dimension, model in SCOPE_MODELS.items():
        label = labels[dimension]
        options = [
            (f"{dimension}:{pk}", name) for pk, name in model.objects.values_list("pk", "name")
        ]
        if options:
            groups.append((label, options))
    return groups


class MeasureForm(forms.Form):
    line = forms.ChoiceField(label=_("line"), choices=MeasureLine.choices)
    title = forms.CharField(label=_("measure"), max_length=200)
    description = forms.CharField(
        label=_("what is done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = PersonChoiceField(label=_("owner"), queryset=None)
    planned_completion = forms.DateField(label=_("planned completion"), widget=DATE_INPUT)
    goals = GoalsField(
        label=_("goals it should move"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    findings = FindingsField(
        label=_("findings it answers"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    pilot_teams = forms.ModelMultipleChoiceField(
        label=_("pilot teams"), queryset=Team.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    pilot_reps = PeopleChoiceField(label=_("pilot reps"), queryset=None, required=False)
    control_teams = forms.ModelMultipleChoiceField(
        label=_("control teams"), queryset=Team.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    control_reps = PeopleChoiceField(label=_("control reps"), queryset=None, required=False)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE_INPUT, required=False)

    def __init__(
        self, *args: Any, owners: Any, reps: Any, goals: Any, findings: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        cast(forms.ModelChoiceField, self.fields["pilot_reps"]).queryset = reps
        cast(forms.ModelChoiceField, self.fields["control_reps"]).queryset = reps
        cast(forms.ModelChoiceField, self.fields["goals"]).queryset = goals
        cast(forms.ModelChoiceField, self.fields["findings"]).queryset = findings


def goal_label(goal: Any) -> str:
    scope = GoalScope.of(goal)
    return f"{METRICS[goal.metric].label} · {scope.label()}"
