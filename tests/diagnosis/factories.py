"""Factories of the diagnosis models (to move into tests/factories/ with the app's next commit)."""

import datetime as dt

import factory

from diagnosis.models import (
    DiagnosisRow,
    DiagnosisTeamMember,
    Duty,
    Finding,
    FindingSource,
    ImpactLevel,
    Interview,
    IntervieweeGroup,
    InterviewTag,
    ProblemDimension,
)
from tests.factories import ProgramFactory, UserFactory


class DiagnosisTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiagnosisTeamMember

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    duty = Duty.DATA_COLLECTION


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    interviewee_name = factory.Sequence(lambda n: f"受访人{n}")
    interviewee_group = IntervieweeGroup.SALES_REP
    held_on = dt.date(2026, 11, 2)
    notes = "录入客户信息太慢，审批要三级。"

    @factory.post_generation
    def tag_names(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for name in extracted or []:
            InterviewTag.objects.create(interview=self, name=name)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    program = factory.SubFactory(ProgramFactory)
    source = FindingSource.DATA
    rule_key = factory.Sequence(lambda n: f"rule_{n}")
    title = "Leads wait more than 48 hours for a first response"
    dimension = ProblemDimension.LEAD_MANAGEMENT
    description = "线索跟进不及时，平均响应超48小时"
    impact_level = ImpactLevel.HIGH


class DiagnosisRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiagnosisRow

    program = factory.SubFactory(ProgramFactory)
    dimension = ProblemDimension.LEAD_MANAGEMENT
    description = "线索跟进不及时，平均响应超48小时"
    impact_level = ImpactLevel.HIGH
    root_cause = "无明确责任人，缺乏提醒工具"
    position = factory.Sequence(lambda n: n + 1)
