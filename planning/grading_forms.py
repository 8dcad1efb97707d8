"""Forms of the lead grading page: the draft's settings and one rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salesopt.core.models import (
    CompanySize,
    GradingRule,
    GradingVersion,
    LeadGrade,
    ProductLine,
    Region,
    Urgency,
)


class DraftForm(forms.ModelForm):
    class Meta:
        model = GradingVersion
        fields = [
            "effective_from",
            "crm_grade_wins",
            "default_grade",
            "deadline_a_hours",
            "deadline_b_hours",
            "deadline_c_hours",
            "note",
        ]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}


def _listed(text: str) -> list[str]:
    """Values typed one per line or separated by commas (、 and ， too)."""
    for separator in ("\n", "，", "、", ";", "；"):
        text = text.replace(separator, ",")
    return [value.strip() for value in text.split(",") if value.strip()]


class RuleForm(forms.Form):
    grade = forms.ChoiceField(label=_("grade"), choices=LeadGrade.choices)
    industries = forms.CharField(
        label=_("industries"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas; empty: any industry."),
    )
    company_sizes = forms.MultipleChoiceField(
        label=_("company sizes"),
        choices=CompanySize.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgencies = forms.MultipleChoiceField(
        label=_("urgencies"),
        choices=Urgency.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.CharField(
        label=_("lead sources"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas; empty: any source."),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("regions"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    product_lines = forms.ModelMultipleChoiceField(
        label=_("product lines"),
        queryset=ProductLine.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def of(cls, rule: GradingRule, **kwargs: object) -> RuleForm:
        return cls(
            initial={
                "grade": rule.grade,
                "industries": ", ".join(rule.industries),
                "company_sizes": rule.company_sizes,
                "urgencies": rule.urgencies,
                "channels": ", ".join(rule.channels),
                "regions": list(rule.regions.all()),
                "product_lines": list(rule.product_lines.all()),
            },
            **kwargs,  # type: ignore[arg-type]
        )

    def clean_industries(self) -> list[str]:
        return _listed(self.cleaned_data["industries"])

    def clean_channels(self) -> list[str]:
        return _listed(self.cleaned_data["channels"])
