"""Diagnosis fixtures: the seed's Table 1 rows."""

from __future__ import annotations

import pytest

from diagnosis.models import DiagnosisRow
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
