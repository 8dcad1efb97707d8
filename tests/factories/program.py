import datetime as dt

import factory

from salesopt.core.models import Program, ProgramStatus


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"2026 Q{n % 4 + 1} 销售管理升级 #{n}")
    baseline_start = dt.date(2025, 11, 1)
    baseline_end = dt.date(2026, 10, 31)
    status = ProgramStatus.DIAGNOSIS
