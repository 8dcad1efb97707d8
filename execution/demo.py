"""The demo program's execution, under way: the plan's measures as tasks (one done, one late
with its reason, the others running), the seed's own tasks, Table 3 with the measure already
carried out rated, the kick-off with its attendees' duties, and Table 2 for the current
quarter with live actuals. Dates follow the program's
execution start, so the demo reads the same whatever day it is seeded; it is written once (a
program with tasks is left alone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from planning import selectors as plan_selectors
from salesopt.core import access
from salesopt.core.models import (
    FollowUpCadence,
    FollowUpItem,
    FollowUpStandard,
    Lead,
    Program,
    ProgramStatus,
    Region,
    Team,
)
from salesopt.core.periods import Quarter, company_today, months_spanned
from salesopt.kpis.selectors import kpi_window

from .coaching_selectors import new_reps
from .coaching_services import coaching_record
from .kickoff_services import acknowledge, attendee_add, kickoff_save
from .models import MeasureTracking, MonthTarget, Quality, SplitMethod, Task, TaskStatus
from .review_services import decision_add, review_close, review_notes_save, review_open
from .services import tasks_from_measures
from .target_selectors import table_2_rows
from .target_services import month_note_update, parts_set, quarter_target_set, split_evenly

PILOT_TEAM = "华南区域组"
LATE_NOTE = "CRM 厂商的接口权限迟迟未开通，提醒规则顺延上线；已升级到厂商客户经理"


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
    # The quarter was split down by month and by rep in the first week (Table 2 holds it).
    decomposition = next((m for m in measures if m.line == "goal"), None)
    if decomposition is not None:
        split_on = min(day(6), today)
        Task.objects.filter(program=program, measure=decomposition).update(
            status=TaskStatus.DONE,
            done_on=split_on,
            deliverable="表2：本季度目标按月、按区域和销售分解",
        )
        MeasureTracking.objects.create(
            measure=decomposition, actual_completion=split_on, quality=Quality.EXCELLENT
        )
    _kickoff(program, starts, today, pilot)
    _targets(program, today)
    _weekly_reviews(program, today)
    _new_rep_coaching()
    return DemoExecution(Task.objects.filter(program=program).count(), created=True)


def _targets(program: Program, today: dt.date) -> None:
    """Table 2 for the current quarter: each region's pace in the diagnosis window plus 10%,
    split evenly into months, 华南's part down to its reps, and 华南's shortfalls analysed."""
    manager = program.manager
    quarter = Quarter.containing(today)
    reader = access.command_line_reader()
    # The diagnosis window's pace by region, plus 10%: the demo's history may not reach last
    # year's same quarter.
    window = kpi_window(
        user=reader, metric="revenue", by="region", period_from=program.baseline_start,
        period_to=program.baseline_end,
    )  # fmt: skip
    months = months_spanned(program.baseline_start, program.baseline_end)
    by_region = {point.dims["region"]: (point.value or 0.0) * 3 / months
                 for point in window.rows}  # fmt: skip
    if sum(by_region.values()) <= 0:
        return  # no history to set a target from
    regions = {region.name: region for region in Region.objects.filter(name__in=by_region)}
    amounts = {regions[name].pk: Decimal(round(value * 1.1, -4)) for name, value in
               by_region.items() if name in regions and value > 0}  # fmt: skip
    total = sum(amounts.values(), Decimal(0))
    whole = quarter_target_set(program=program, by=manager, quarter=quarter, amount=total,
                               split=SplitMethod.EVEN)  # fmt: skip
    parts_set(target=whole, by=manager, dimension="region", amounts=amounts,
              split=SplitMethod.EVEN)  # fmt: skip
    south = regions.get("华南")
    if south is None:
        return
    # 华南's part goes down to the reps of its region's team, whose lead keeps their rows.
    south_part = whole.parts.get(region=south)
    reps = list(
        get_user_model().objects.filter(profile__team__name=PILOT_TEAM,
                                        profile__role="sales_rep").order_by("pk")
    )  # fmt: skip
    if reps:
        shares = split_evenly(south_part.amount, len(reps))
        parts_set(target=south_part, by=manager, dimension="owner",
                  amounts={rep.pk: share for rep, share in zip(reps, shares, strict=True)},
                  split=SplitMethod.EVEN)  # fmt: skip
    notes = {
        0: ("竞品促销，华南两个大客户推迟到下月签约", "下周起加大高端客户拜访，经理陪访重点客户"),
        1: ("A 类线索响应仍慢于 2 小时，部分线索流失", "组长每天盯超时线索，本周完成新人跟进复盘"),
    }
    for row in table_2_rows(program=program, user=manager, quarter=quarter):
        offset = (row.month.month.year - quarter.start.year) * 12 + row.month.month.month - \
            quarter.start.month  # fmt: skip
        first_rep = reps[0].pk if reps else None
        analysed = row.target.region_id == south.pk or row.target.owner_id == first_rep
        if analysed and row.below and offset in notes:
            note, action = notes[offset]
            for name, text in (("variance_note", note), ("corrective_action", action)):
                current = MonthTarget.objects.get(pk=row.month.pk)
                month_note_update(month_id=current.pk, field=name, value=text,
                                  version=current.version, by=manager)  # fmt: skip


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


# The last four weeks' reviews, oldest first: notes, then decisions (text, owner, due in days
# after the week's Monday; owner "lead" is the pilot team's lead).
WEEKLY_REVIEWS = (
    (
        "分级规则已生效；CRM 提醒规则因厂商接口权限未开通而顺延。"
        "华南试点组本周开始按 2 个工作小时响应。",
        (
            ("CRM 厂商本周五前开通接口权限，提醒规则随即上线", "manager", 4),
            ("华南组长每天下班前检查超时的 A 类线索", "lead", 7),
        ),
    ),
    (
        "华南 A 类线索的首次响应明显加快，对照组（华东）不变。"
        "CRM 接口权限仍未开通，已升级到厂商客户经理。",
        (("每周例会对比试点组与对照组的响应达标率", "manager", 7),),
    ),
    (
        "新人跟进记录仍有缺失和延迟；本季度目标的差距主要在线索量。",
        (
            ("组长每天复盘新人的跟进记录并记下辅导", "lead", 3),
            ("市场部补充华南线索投放", "manager", 10),
        ),
    ),
    (
        "试点组响应达标率持续改善；下周启动第一期新人入职培训。",
        (("确认培训讲师和会议室", "lead", 5),),
    ),
)


def _weekly_reviews(program: Program, today: dt.date) -> None:
    """The reviews of the last four complete weeks, held and closed, each with its decisions
    (the execution started at least four weeks ago: core.demo.timeline)."""
    manager = program.manager
    pilot = Team.objects.filter(name=PILOT_TEAM).select_related("lead").first()
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=len(WEEKLY_REVIEWS))
    for number, (notes, decisions) in enumerate(WEEKLY_REVIEWS):
        week = first + dt.timedelta(weeks=number)
        if program.execution_start and week + dt.timedelta(days=6) < program.execution_start:
            continue  # a week before the execution (a demo seeded with a past end month)
        review = review_open(program=program, by=manager, week_of=week)
        review_notes_save(review=review, by=manager, version=review.version, notes=notes)
        for text, who, days in decisions:
            owner = pilot.lead if who == "lead" and pilot is not None else manager
            decision_add(
                review=review,
                by=manager,
                text=text,
                owner=owner,
                due_on=week + dt.timedelta(days=days),
            )
        review_close(review=review, by=manager)


def _new_rep_coaching() -> None:
    """The pilot team's newest rep, with three first-contact records of the last days that need
    a word — one missing, one late, one ticked with nothing recorded — and the team lead's
    coaching on the late one (the other two are still to take up)."""
    pilot = Team.objects.filter(name=PILOT_TEAM).select_related("lead").first()
    if pilot is None or pilot.lead is None:
        return
    profile = new_reps(pilot.lead).order_by("-hire_date").first()
    first_contact = FollowUpStandard.objects.filter(cadence=FollowUpCadence.FIRST_CONTACT)
    standard = first_contact.filter(active=True).first()
    if profile is None or standard is None:
        return
    rep = profile.user
    leads = list(Lead.objects.filter(owner=rep).order_by("-created_at")[:3])
    if len(leads) < 3:
        return
    now, hour = timezone.now(), dt.timedelta(hours=1)
    records = []
    for lead, (due, done, note) in zip(leads, (
        (now - 20 * hour, None, ""),
        (now - 44 * hour, now - 26 * hour, "预算 30 万，年底前由总经理拍板"),
        (now - 68 * hour, now - 69 * hour, ""),
    ), strict=True):  # fmt: skip
        item = FollowUpItem.objects.filter(lead=lead, standard=standard).first()
        item = item or FollowUpItem(lead=lead, standard=standard)
        item.due_at, item.done_at, item.note = due, done, note
        item.done_by, item.met_by = (rep if done else None), ""
        item.save()
        records.append(item)
    note = "A 类线索要在 2 个工作小时内首次联系，当天就写下预算、时间和决策人。"
    coaching_record(by=pilot.lead, rep_id=rep.pk, item_ids=[records[1].pk], note=note)
