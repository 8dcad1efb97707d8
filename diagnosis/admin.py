"""The admin site: for admins to inspect and correct diagnosis records. No business logic here."""

from django.contrib import admin

from .models import DiagnosisRow, DiagnosisTeamMember, Finding, Interview, InterviewTag


@admin.register(DiagnosisTeamMember)
class DiagnosisTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["program", "user", "duty", "is_leader"]
    list_filter = ["program", "duty"]
    list_select_related = ["program", "user"]


class InterviewTagInline(admin.TabularInline):
    model = InterviewTag
    extra = 0


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["program", "held_on", "interviewee", "interviewee_name", "interviewee_group"]
    list_filter = ["program", "interviewee_group"]
    search_fields = ["notes", "interviewee_name"]
    list_select_related = ["program", "interviewee"]
    inlines = [InterviewTagInline]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["program", "title", "source", "rule_key", "impact_level", "status"]
    list_filter = ["program", "source", "status", "impact_level"]
    search_fields = ["title", "description", "rule_key"]
    list_select_related = ["program"]


@admin.register(DiagnosisRow)
class DiagnosisRowAdmin(admin.ModelAdmin):
    list_display = ["program", "position", "dimension", "impact_level", "impact_amount"]
    list_filter = ["program", "impact_level"]
    search_fields = ["description", "root_cause"]
    list_select_related = ["program"]
