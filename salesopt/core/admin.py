"""The admin site: for admins to inspect and correct company data. No business logic here."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import (
    Activity,
    BusinessCalendar,
    CalendarException,
    Complaint,
    Customer,
    Lead,
    Opportunity,
    Order,
    ProductLine,
    Profile,
    Program,
    Region,
    SalesTarget,
    Team,
)


@admin.register(Region, ProductLine)
class NamedAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "product_line", "lead"]
    list_filter = ["kind", "region", "product_line"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "role", "team", "hire_date", "origin", "active"]
    list_filter = ["created_by_import", "user__is_active", "role", "team"]
    search_fields = ["user__username", "display_name", "user__email"]
    list_select_related = ["user", "team"]
    autocomplete_fields = ["user"]
    actions = ["activate"]

    @admin.display(description=_("origin"), ordering="created_by_import")
    def origin(self, profile: Profile) -> str:
        return str(_("created by import")) if profile.created_by_import else ""

    @admin.display(description=_("active"), boolean=True, ordering="user__is_active")
    def active(self, profile: Profile) -> bool:
        return profile.user.is_active

    @admin.action(description=_("Activate the selected people (created by an import)"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        count = services.profiles_activate(profiles=queryset)
        message = ngettext(
            "%(count)d person activated: the pickers of active staff now offer them.",
            "%(count)d people activated: the pickers of active staff now offer them.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


class ImportedRecordAdmin(admin.ModelAdmin):
    readonly_fields = ["source", "external_id", "created_at", "updated_at"]
    show_full_result_count = False  # counting a million rows on every page is wasted work
    list_per_page = 50


@admin.register(Customer)
class CustomerAdmin(ImportedRecordAdmin):
    list_display = ["name", "industry", "company_size", "region", "owner"]
    list_filter = ["region", "company_size"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["owner"]


@admin.register(Lead)
class LeadAdmin(ImportedRecordAdmin):
    list_display = [
        "name",
        "company_name",
        "grade",
        "status",
        "region",
        "product_line",
        "owner",
        "created_in_crm_at",
    ]
    list_filter = ["status", "grade", "region", "product_line"]
    search_fields = ["name", "company_name", "external_id"]
    list_select_related = ["region", "product_line", "owner"]
    raw_id_fields = ["owner", "customer"]
    date_hierarchy = "created_in_crm_at"


@admin.register(Activity)
class ActivityAdmin(ImportedRecordAdmin):
    list_display = ["kind", "rep", "lead", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["rep", "lead"]
    raw_id_fields = ["rep", "lead", "customer"]


@admin.register(Opportunity)
class OpportunityAdmin(ImportedRecordAdmin):
    list_display = ["name", "stage", "amount", "probability", "owner", "expected_close"]
    list_filter = ["stage", "region", "product_line"]
    search_fields = ["name", "external_id"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "lead", "customer"]


@admin.register(Order)
class OrderAdmin(ImportedRecordAdmin):
    list_display = [
        "external_id",
        "customer",
        "rep",
        "amount",
        "ordered_on",
        "region",
        "product_line",
    ]
    list_filter = ["region", "product_line"]
    list_select_related = ["customer", "rep", "region", "product_line"]
    raw_id_fields = ["customer", "rep", "opportunity"]
    date_hierarchy = "ordered_on"


@admin.register(Complaint)
class ComplaintAdmin(ImportedRecordAdmin):
    list_display = ["kind", "customer", "created_in_crm_at", "first_response_at", "satisfaction"]
    list_filter = ["kind", "satisfaction"]
    raw_id_fields = ["customer", "handled_by"]


@admin.register(SalesTarget)
class SalesTargetAdmin(ImportedRecordAdmin):
    list_display = ["grain", "period_start", "region", "product_line", "team", "rep", "amount"]
    list_filter = ["grain", "region", "product_line", "team"]
    raw_id_fields = ["rep"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "baseline_start",
        "baseline_end",
        "execution_start",
        "sponsor",
    ]
    list_filter = ["status"]
    search_fields = ["name"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """The one working calendar (pk 1): response deadlines count its working hours."""

    list_display = ("opens", "closes", "weekdays", "china_holidays")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not BusinessCalendar.objects.exists()

    def save_model(
        self, request: HttpRequest, obj: BusinessCalendar, form: object, change: bool
    ) -> None:
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("day", "is_working_day", "note")
    list_filter = ("is_working_day",)
