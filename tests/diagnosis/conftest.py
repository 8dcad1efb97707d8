"""Diagnosis fixtures: the seed's Table 1 rows and the demo company with its KPIs."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from diagnosis.models import DiagnosisRow
from salesopt.core.models import Program
from tests.diagnosis.factories import DiagnosisRowFactory

# The seed's Table 1 (销售现状诊断表), as a manager would type it.
SEED_ROWS = [
    ("线索管理", "线索跟进不及时，平均响应超48小时", "high", "无明确责任人，缺乏提醒工具"),
    (
        "团队协作",
        "销售与售后信息不同步，客户重复反映问题",
        "medium",
        "客户信息未共享，沟通渠道缺失",
    ),
    ("客户转化", "大客户成交周期长，平均90天", "high", "方案定制流程繁琐，决策链不清晰"),
]


@pytest.fixture
def seed_rows(program) -> list[DiagnosisRow]:
    return [
        DiagnosisRowFactory(
            program=program,
            dimension=dimension,
            description=description,
            impact_level=level,
            root_cause=cause,
            position=position,
        )
        for position, (dimension, description, level, cause) in enumerate(SEED_ROWS, start=1)
    ]


@pytest.fixture
def demo_program(db, frozen_today) -> Program:
    """The demo company, its KPI snapshots, and its program (its baseline: the 12 months before
    its execution starts).

    The clock stays pinned for the test (`frozen_today`): the demo's history ends with the
    current month and the pages fill periods up to today, so the figures depend on the day.
    """
    call_command("seed_demo", scale=0.05, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)
    # The demo's own window: the twelve months before its execution starts (at least four
    # weeks before today), so no month of the pilot is in it.
    return Program.objects.get()
