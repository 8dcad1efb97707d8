from django.urls import path

from . import (
    assignment_views,
    followup_views,
    funnel_views,
    grading_views,
    milestone_views,
    views,
)

app_name = "planning"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("plan.xlsx", views.plan_export, name="export"),
    path("goals/", views.goal_create, name="goal-create"),
    path("goals/<int:pk>/", views.goal_update, name="goal-update"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal-delete"),
    path("measures/", views.measure_create, name="measure-create"),
    path("measures/<int:pk>/", views.measure_update, name="measure-update"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
    path("grading/", grading_views.grading, name="grading"),
    path("grading/draft/", grading_views.draft_start, name="grading-draft-start"),
    path("grading/draft/settings/", grading_views.draft_update, name="grading-draft-update"),
    path("grading/rules/", grading_views.rule_save, name="grading-rule-create"),
    path("grading/rules/<int:pk>/", grading_views.rule_save, name="grading-rule-update"),
    path("grading/rules/<int:pk>/delete/", grading_views.rule_delete, name="grading-rule-delete"),
    path("grading/rules/<int:pk>/move/", grading_views.rule_move, name="grading-rule-move"),
    path("grading/preview/", grading_views.preview, name="grading-preview"),
    path("grading/apply/", grading_views.apply, name="grading-apply"),
    path("grading/regrade/", grading_views.regrade_progress, name="grading-regrade"),
    path("assignment/", assignment_views.assignment, name="assignment"),
    path("assignment/policy/", assignment_views.policy_update, name="assignment-policy"),
    path("assignment/rules/", assignment_views.rule_save, name="assignment-rule-create"),
    path("assignment/rules/<int:pk>/", assignment_views.rule_save, name="assignment-rule-update"),
    path(
        "assignment/rules/<int:pk>/delete/",
        assignment_views.rule_delete,
        name="assignment-rule-delete",
    ),
    path(
        "assignment/rules/<int:pk>/move/", assignment_views.rule_move, name="assignment-rule-move"
    ),
    path(
        "assignment/reps/<int:pk>/capacity/",
        assignment_views.capacity_set,
        name="assignment-capacity",
    ),
    path("assignment/reps/<int:pk>/leave/", assignment_views.leave_add, name="assignment-leave"),
    path(
        "assignment/leaves/<int:pk>/delete/",
        assignment_views.leave_delete,
        name="assignment-leave-delete",
    ),
    path("assignment/queue/", assignment_views.queue_assign, name="assignment-queue"),
    path("follow-up/", followup_views.follow_up, name="follow-up"),
    path("follow-up/standards/", followup_views.standard_save, name="follow-up-create"),
    path("follow-up/standards/<int:pk>/", followup_views.standard_save, name="follow-up-update"),
    path(
        "follow-up/standards/<int:pk>/delete/",
        followup_views.standard_delete,
        name="follow-up-delete",
    ),
    # Deal milestones and the funnel (issue 13, §9).
    path("milestones/", milestone_views.milestone_list, name="milestone-list"),
    path("milestones/new/", milestone_views.milestone_create, name="milestone-create"),
    path("milestones/<int:pk>/", milestone_views.milestone_update, name="milestone-update"),
    path("milestones/<int:pk>/move/", milestone_views.milestone_move, name="milestone-move"),
    path("milestones/<int:pk>/retire/", milestone_views.milestone_retire, name="milestone-retire"),
    path("deals/", milestone_views.deal_list, name="deal-list"),
    path("deals/<int:pk>/", milestone_views.deal_detail, name="deal-detail"),
    path(
        "deals/<int:pk>/milestones/<int:milestone_pk>/done/",
        milestone_views.milestone_done,
        name="milestone-done",
    ),
    path(
        "deals/<int:pk>/milestones/<int:milestone_pk>/file/",
        milestone_views.deliverable_file,
        name="milestone-file",
    ),
    path("funnel/", funnel_views.funnel, name="funnel"),
]
