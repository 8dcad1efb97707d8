"""A person using `make run`'s zero-setup configuration, for tests/test_zero_setup.py.

Runs in a process of its own, against the SQLite file and the local queue the test set up in
its environment (not the test database): `python -m tests.zero_setup_driver <step>`. Each step
prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesopt.settings.base")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from salesopt.core.models import Lead, Profile, Region, Role  # noqa: E402
from salesopt.imports.models import ImportRun  # noqa: E402
from salesopt.kpis.models import KpiSnapshot  # noqa: E402

EXPORT = (
    "Lead ID,Name,Company,Lead Source,Lead Status,Created Date,Region\n"
    "00Q1,王伟,伟业科技,Web,Working - Contacted,2024-03-01 14:05,华南\n"
    "00Q2,李娜,某公司,Web,Open - Not Contacted,2024-03-02 09:00,华南\n"
    "00Q3,赵敏,某公司,Web,Open - Not Contacted,2024-04-02 09:00,华南\n"
)
FIELDS = ["external_id", "name", "company_name", "channel", "status", "created_at", "region"]


def _admin_client() -> Client:
    user, _created = get_user_model().objects.get_or_create(
        username="zero.admin", defaults={"is_staff": True}
    )
    Profile.objects.get_or_create(user=user, defaults={"role": Role.ADMIN})
    client = Client()
    client.force_login(user)
    return client


def upload_and_validate() -> dict[str, object]:
    """Upload, map and ask for the check: the request must return before the check is done."""
    Region.objects.get_or_create(name="华南", defaults={"code": "south"})
    client = _admin_client()
    file = SimpleUploadedFile("leads.csv", EXPORT.encode(), content_type="text/csv")
    client.post(reverse("imports:run-list"), {"file": file})
    run = ImportRun.objects.latest("pk")
    form = {"kind": "lead", "preset": "salesforce.lead", "time_zone": "Asia/Shanghai",
            "validate": "1"}  # fmt: skip
    form |= {f"column_{index}": name for index, name in enumerate(FIELDS)}
    response = client.post(reverse("imports:run-detail", kwargs={"pk": run.pk}), form)
    run.refresh_from_db()
    return {"run": run.pk, "status": run.status, "http": response.status_code}


def start_import(run_id: int) -> dict[str, object]:
    client = _admin_client()
    response = client.post(reverse("imports:run-start", kwargs={"pk": run_id}))
    page = client.get(reverse("imports:run-detail", kwargs={"pk": run_id}))
    return {
        "status": ImportRun.objects.get(pk=run_id).status,
        "http": response.status_code,
        "progress_shown": 'id="progress"' in page.content.decode(),
    }


def state(run_id: int) -> dict[str, object]:
    run = ImportRun.objects.get(pk=run_id)
    return {
        "status": run.status,
        "leads": Lead.objects.count(),
        "lead_count_months": sorted(
            f"{start:%Y-%m}"
            for start in KpiSnapshot.objects.filter(
                metric="lead_count", grain="month", cut="", value__gt=0
            ).values_list("period_start", flat=True)
        ),
    }


if __name__ == "__main__":
    step, *arguments = sys.argv[1:]
    steps = {"upload_and_validate": upload_and_validate, "start_import": start_import,
             "state": state}  # fmt: skip
    print(json.dumps(steps[step](*map(int, arguments))))
