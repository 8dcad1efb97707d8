"""Forms of the deal milestones: one milestone of the list, and a deliverable (input shape only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from salesopt.core.models import ProductLine, Region, Role, Team

from .milestone_services import OWNER_ROLES
from .models import DeliverableKind, MilestoneDefinition


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    owner_role = forms.ChoiceField(
        label=_("owner role"),
        choices=[(role.value, role.label) for role in Role if role in OWNER_ROLES],
    )
    deliverable_kind = forms.ChoiceField(label=_("deliverable"), choices=DeliverableKind.choices)
    due_offset_days = forms.IntegerField(
        label=_("due (days after the opportunity is created)"), min_value=0, max_value=3650
    )

    @classmethod
    def of(cls, milestone: MilestoneDefinition, **kwargs: Any) -> MilestoneForm:
        return cls(
            initial={
                "name": milestone.shown_name,
                "owner_role": milestone.owner_role,
                "deliverable_kind": milestone.deliverable_kind,
                "due_offset_days": milestone.due_offset_days,
            },
            **kwargs,
        )


class DeliverableForm(forms.Form):
    """The link or the file, as the milestone asks; the service checks what they hold."""

    link = forms.CharField(label=_("link"), required=False, max_length=500)
    file = forms.FileField(label=_("file"), required=False)


class FunnelForm(forms.Form):
    """The funnel's filters: the months deals entered the pipeline in, and one cut."""

    period_from = forms.DateField(
        label=_("from"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    period_to = forms.DateField(
        label=_("to"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    region = forms.ModelChoiceField(
        label=_("region"), queryset=Region.objects.order_by("name"), required=False
    )
    product_line = forms.ModelChoiceField(
        label=_("product line"), queryset=ProductLine.objects.order_by("name"), required=False
    )
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams.order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("period_from"), cleaned.get("period_to")
        if first and last and first > last:
            raise forms.ValidationError(_("The first month comes after the last one."))
        return cleaned
