"""The demo program's execution, under way: the plan's measures as tasks (one done, one late
with its reason, the others running), the seed's own tasks, Table 3 with the measure already
carried out rated, and the kick-off with its attendees' duties. Dates follow the program's
execution start, so the demo reads the same whatever day it is seeded; it is written once (a
program with tasks is left alone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from planning import selectors as plan_selectors
from salesopt.core.models import Program, ProgramStatus, Team
from salesopt.core.periods import company_today

from .kickoff_services import acknowledge, attendee_add, kickoff_save
from .models import MeasureTracking, Quality, Task, TaskStatus
from .services import tasks_from_measures

PILOT_TEAM = "华南区域组"
LATE_NOTE = "CRM 厂商的接口权限晚开通两天，提醒规则顺延上线"


@dataclass(frozen=True)
class DemoExecution:
    tasks: int
    created: bool


@transaction.atomic
def seed_demo_execution(*, program: Program) -> DemoExecution:
    if Task.objects.filter(program=program).exists():
        return DemoExecution(Task.objects.filter(program=program).count(), created=False)
    manager = program.manager
    today = company_today()
    starts = program.execution_start or today
    tasks_from_measures(program=program, by=manager)
    program.status = ProgramStatus.EXECUTION  # the plan is set: the program is being carried out
    program.save(update_fields=["status", "updated_at"])
    pilot = Team.objects.filter(name=PILOT_TEAM).first()
    pilot_lead = pilot.lead if pilot is not None else None

    def day(offset: int) -> dt.date:
        """`offset` days after the execution start, never after today when it is done."""
        return starts + dt.timedelta(days=offset)

    # The seed's execution plan rows; the training is planned for next week.
    ahead = (today - starts).days
    seed_rows = [
        ("编写线索分级标准", manager, None, 0, 1, "线索分级标准 v1.0（A/B/C 定义与响应时限）",
         "销售经理 1 天", TaskStatus.DONE, ""),
        ("配置 CRM 跟进提醒与自动分配", manager, None, 0, 2, "CRM 提醒规则、分配规则上线",
         "CRM 管理员 2 天", TaskStatus.IN_PROGRESS, LATE_NOTE),
        ("新人第一期入职培训", pilot_lead, pilot, ahead + 3, ahead + 7, "培训签到表与考核成绩",
         "培训讲师、会议室", TaskStatus.NOT_STARTED, ""),
    ]  # fmt: skip
    for title, owner, team, start, end, deliverable, resources, status, note in seed_rows:
        done = min(day(end), today) if status == TaskStatus.DONE else None
        task = Task(program=program, title=title, owner=owner, team=team,
                    starts_on=day(start), ends_on=day(end), deliverable=deliverable,
                    resources=resources, status=status, done_on=done, note=note)  # fmt: skip
        task._history_user = manager  # type: ignore[attr-defined]
        task.save()
    # The grading measure took effect with the execution: its task is done, Table 3 rates it.
    measures = list(plan_selectors.measures(program=program))
    grading = next((m for m in measures if m.line == "process"), None)
    if grading is not None:
        Task.objects.filter(program=program, measure=grading).update(
            status=TaskStatus.DONE, done_on=min(starts, today),
            deliverable="分级规则 v1 已生效；华南试点组按 2 个工作小时响应",
        )  # fmt: skip
        MeasureTracking.objects.create(measure=grading, actual_completion=min(starts, today),
                                       quality=Quality.GOOD)  # fmt: skip
    _kickoff(program, starts, today, pilot)
    return DemoExecution(Task.objects.filter(program=program).count(), created=True)


def _kickoff(program: Program, starts: dt.date, today: dt.date, pilot: Team | None) -> None:
    """The kick-off on the execution's first day: the leads and some reps of every team, the
    marketing and after-sales departments as guests; all but two have acknowledged."""
    manager = program.manager
    kickoff = kickoff_save(program=program, by=manager, version=0, held_on=starts,
                           place="总部 3 楼大会议室",
                           notes="目标与措施逐条讲解；华南区域组为 A 类线索 2 小时响应的试点组，"
                                 "华东区域组为对照组。每周一上午复盘。",
                           goals=list(plan_selectors.goals(program=program)),
                           measures=list(plan_selectors.measures(program=program)))  # fmt: skip
    people: list[tuple[Any, str]] = [(manager, "主持启动会；每周一主持进度复盘")]
    for team in Team.objects.filter(lead__isnull=False).select_related("lead").order_by("name"):
        duty = "带领本组执行措施；每天检查新人的跟进记录；每周更新执行表"
        if team == pilot:
            duty = "试点组组长：A 类线索 2 个工作小时内响应，每天盯超时线索；" + duty
        people.append((team.lead, duty))
        for rep in get_user_model().objects.filter(profile__team=team,
                                                   profile__role="sales_rep")[:2]:  # fmt: skip
            people.append((rep, "按线索等级的时限响应；首次联系记录客户三大需求；每周五写跟进记录"))
    unacknowledged = {person.pk for person, _duty in people[-2:]}
    for person, duty in people:
        attendee = attendee_add(kickoff=kickoff, by=manager, user=person, duty=duty)
        if person.pk not in unacknowledged:
            acknowledge(attendee=attendee, by=person)
    for name, department, duty in (
        ("周敏", "市场部", "每月按线索来源报告线索量与质量"),
        ("吴磊", "售后服务部", "客户投诉 24 小时内首次响应，月度反馈给销售"),
    ):
        guest = attendee_add(kickoff=kickoff, by=manager, name=name, department=department,
                             duty=duty)  # fmt: skip
        acknowledge(attendee=guest, by=manager)
