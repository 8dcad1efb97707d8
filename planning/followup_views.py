"""The plan's follow-up standards page: what reps record on a lead, and when, per grade.

The sales manager and admins write the standards; team leads and executives read them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.http import apply_to_form
from salesopt.core.models import FollowUpStandard
from salesopt.leads import followup

PAGE = "planning/follow_up.html"


class StandardForm(forms.ModelForm):
    class Meta:
        model = FollowUpStandard
        fields = ["grade", "text", "cadence", "weekday", "effective_from", "active"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}


def _page(request: HttpRequest, **overrides: Any) -> HttpResponse:
    can_edit = access.can_edit_plan(request.user)
    context = {
        "can_edit": can_edit,
        "standards": FollowUpStandard.objects.order_by("-active", "grade", "cadence", "pk"),
        "form": StandardForm(prefix="standard") if can_edit else None,
        "edit": None,
    }
    return render(request, PAGE, context | overrides)


@require_GET
def follow_up(request: HttpRequest) -> HttpResponse:
    if not access.can_view_plan(request.user):
        return render(request, "planning/forbidden.html", status=403)
    edit = request.GET.get("edit", "")
    if access.can_edit_plan(request.user) and edit.isdigit():
        standard = get_object_or_404(FollowUpStandard, pk=int(edit))
        return _page(request, edit=standard,
                     form=StandardForm(instance=standard, prefix="standard"))  # fmt: skip
    return _page(request)


@require_POST
def standard_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    standard = get_object_or_404(FollowUpStandard, pk=pk) if pk is not None else None
    form = StandardForm(request.POST, instance=standard, prefix="standard")
    if form.is_valid() and apply_to_form(
        form, followup.standard_save, user=request.user, standard=standard, **form.cleaned_data
    ):
        followup.items_refresh()  # the checklists show it at once, not at the job's next run
        messages.success(request, _("The follow-up standard is saved."))
        return redirect("planning:follow-up")
    return _page(request, form=form, edit=standard)


@require_POST
def standard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    standard = get_object_or_404(FollowUpStandard, pk=pk)
    followup.standard_delete(user=request.user, standard=standard)
    messages.success(request, _("The follow-up standard is removed."))
    return redirect("planning:follow-up")
