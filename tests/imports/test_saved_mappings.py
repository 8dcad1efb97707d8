"""A mapping saved under a name is offered again, and applied to files with the same headers."""

import pytest
from django.core.files import File
from django.urls import reverse

from salesopt.imports import services
from salesopt.imports.models import SavedMapping

pytestmark = pytest.mark.django_db

# Headers no preset knows well: the admin maps "Remark" to campaign and saves the mapping.
EXPORT = "Code,Person,Opened,Remark\nA1,王伟,2024-03-01 14:05,春季活动\n"


def upload(tmp_path, name: str = "export.csv"):
    path = tmp_path / name
    path.write_text(EXPORT, encoding="utf-8")
    with path.open("rb") as handle:
        return services.import_run_upload(user=None, uploaded=File(handle, name=name))


COLUMNS = {"Code": "external_id", "Person": "name", "Opened": "created_at", "Remark": "campaign"}


def test_a_saved_mapping_is_applied_to_the_next_file_with_the_same_headers(tmp_path, admin_user):
    first = upload(tmp_path)
    services.import_run_set_mapping(
        run=first,
        kind="lead",
        columns=COLUMNS,
        source="ourcrm",
        save_as="我们的CRM",
        user=admin_user,
    )

    second = upload(tmp_path, "next-week.csv")

    assert SavedMapping.objects.get().name == "我们的CRM"
    assert (second.kind, second.source) == ("lead", "ourcrm")
    assert second.mapping["columns"] == COLUMNS
    assert services.chosen_preset(second) == f"saved:{SavedMapping.objects.get().pk}"


def test_the_mapping_page_offers_saved_mappings_in_the_preset_list(tmp_path, client, admin_user):
    run = upload(tmp_path)
    services.import_run_set_mapping(run=run, kind="lead", columns=COLUMNS, save_as="我们的CRM")
    client.force_login(admin_user)

    body = client.get(reverse("imports:run-detail", kwargs={"pk": run.pk})).content.decode()

    assert "我们的CRM (saved)" in body
