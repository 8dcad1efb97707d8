from django.contrib import admin

from .models import Goal, Measure


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("metric", "program", "region", "team", "product_line", "baseline_value",
                    "target_value", "deadline", "owner")  # fmt: skip
    list_filter = ("program", "metric")
    raw_id_fields = ("owner",)
    readonly_fields = ("baseline_from", "baseline_to", "baseline_value", "warnings")


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "line", "owner", "planned_completion", "starts_on")
    list_filter = ("program", "line")
    raw_id_fields = ("owner",)
    filter_horizontal = ("goals", "pilot_teams", "control_teams", "pilot_reps", "control_reps")
