"""Forms of the lead assignment page: the policy, a routing rule, a rep's capacity and leave."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salesopt.core.models import AssignmentPolicy, ProductLine, Region, Team


class PolicyForm(forms.ModelForm):
    class Meta:
        model = AssignmentPolicy
        fields = [
            "enabled",
            "method",
            "weight_a",
            "weight_b",
            "weight_c",
            "remind_before_hours",
            "reassign_after_hours",
        ]


class RoutingRuleForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.order_by("name"))
    regions = forms.ModelMultipleChoiceField(
        label=_("regions"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: any region."),
    )
    product_lines = forms.ModelMultipleChoiceField(
        label=_("product lines"),
        queryset=ProductLine.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: any product line."),
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("open leads at most"), min_value=0, max_value=100_000, required=False
    )


class LeaveForm(forms.Form):
    starts_on = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("to (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("note"), max_length=120, required=False)
