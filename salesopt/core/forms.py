"""Input shapes for core pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .periods import Quarter


class QuarterForm(forms.Form):
    quarter = forms.CharField(required=False, max_length=8)

    def clean_quarter(self) -> Quarter | None:
        text = self.cleaned_data["quarter"]
        if not text:
            return None
        try:
            return Quarter.parse(text)
        except ValueError:
            raise forms.ValidationError(_("Choose a quarter such as 2024-Q2.")) from None


class ProgramChoiceForm(forms.Form):
    program = forms.IntegerField(min_value=1)
