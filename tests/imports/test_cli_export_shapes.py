"""The export shapes of the import issue, through `manage.py import_crm` as a scheduled job
would run them (the web upload runs the same services: tests/imports/test_crm_exports.py)."""

import pytest

from salesopt.core.models import Lead, Order
from tests.factories import RegionFactory, UserFactory
from tests.imports.test_crm_exports import SAMPLES
from tests.imports.test_import_crm_command import run_command, write

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_salesforce_report_with_its_footer_and_icu_dates_from_the_command_line():
    code, result, error = run_command(
        str(SAMPLES / "salesforce" / "leads_report_icu.csv"), "--create-missing"
    )

    assert (code, error) == (0, "")
    assert (result["rows"], result["created"], result["rejected"]) == (4, 4, 0)
    assert Lead.objects.filter(external_id="00Q5g00000A1bCdEAJ").exists()


def test_a_dingtalk_contract_order_export_from_the_command_line():
    code, result, _error = run_command(
        str(SAMPLES / "dingtalk" / "contract_orders.csv"), "--create-missing"
    )

    assert (code, result["kind"], result["source"], result["created"]) == (
        0,
        "order",
        "dingtalk",
        3,
    )
    assert Order.objects.filter(external_id="HT20240415002").exists()


def test_fxiaokes_unique_id_from_the_command_line():
    code, result, _error = run_command(
        str(SAMPLES / "fxiaoke" / "leads_with_id.csv"), "--create-missing"
    )

    assert (code, result["created"]) == (0, 2)
    assert Lead.objects.filter(external_id="65f1a2b3c4d5e6f708091a2c").exists()


def test_mangled_ids_and_future_dates_are_rejected_rows_from_the_command_line(tmp_path):
    RegionFactory(name="华南", code="south")
    UserFactory(username="rep", email="rep@example.com")
    text = (
        "Lead ID,Name,Company,Lead Source,Lead Status,Created Date,Lead Owner,Region\n"
        "00Q1,王伟,伟业,Web,Open - Not Contacted,2024-03-01 14:05,rep@example.com,华南\n"
        "8.01234E+14,李娜,某公司,Web,Open - Not Contacted,2024-03-02 09:00,,华南\n"
        "00Q3,赵敏,某公司,Web,Open - Not Contacted,2099-01-01 09:00,,华南\n"
    )

    code, result, _error = run_command(write(tmp_path, text), "--preset", "salesforce.lead",
                                       "--skip-invalid")  # fmt: skip

    reasons = {error["row"]: error["reason"] for error in result["errors"]}
    assert (code, result["created"], result["rejected"]) == (0, 1, 2)
    assert reasons[3].startswith("an id that Excel turned into scientific notation")
    assert reasons[4].startswith("in the future: later than the upload")
