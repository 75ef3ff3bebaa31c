"""The sales of the Sandbox Model are checked when it loads: a bad edit to mocks/ fails at start-up
naming the file and the sale, never at the first request."""

from __future__ import annotations

import shutil

import pytest
import yaml

from emulator import resources
from emulator.sandbox_model import ModelError, SandboxModel


@pytest.fixture
def mocks(tmp_path):
    folder = tmp_path / "mocks"
    shutil.copytree(resources.mocks_dir(), folder)
    return folder


def _with_sale(mocks, **sale) -> None:
    path = mocks / "contracts.yaml"
    world = yaml.safe_load(path.read_text("utf-8"))
    world["contracts"][0]["sales"].append({"invoiceNo": "BAD-1", "invoiceDate": "-P1D", "maturityDate": "P30D",
                                           "amount": "100,00", "status": "rated", **sale})
    path.write_text(yaml.safe_dump(world, allow_unicode=True), "utf-8")


@pytest.mark.parametrize(("sale", "message"), [
    ({"endorsementNo": "100", "status": "approved"}, "unknown status 'approved'"),
    ({"endorsementNo": "100", "reason": "because"}, "unknown reason 'because'"),
    ({"endorsementNo": "999"}, "name a debtor the contract declares"),
    ({"endorsementNo": "100", "customerReference": "CLI-0100"}, "at contracts/0/sales/17"),
    ({"endorsementNo": "100", "saleCesceReferenceNo": "1000001"}, "saleCesceReferenceNo 1000001 used twice"),
    ({"endorsementNo": "100", "amount": "100"}, "at contracts/0/sales/17"),
], ids=["status", "reason", "debtor", "both-identifiers", "reference-twice", "amount"])
def test_a_bad_sale_in_mocks_fails_at_start_up(mocks, sale, message):
    _with_sale(mocks, **sale)
    with pytest.raises(ModelError, match=message):
        SandboxModel(mocks)


def test_an_extended_sale_names_a_sale_before_it(mocks):
    path = mocks / "contracts.yaml"
    world = yaml.safe_load(path.read_text("utf-8"))
    world["contracts"][0]["sales"].append({"extends": "4242", "maturityDate": "P30D", "maturityAmount": "1,00", "status": "rated"})
    path.write_text(yaml.safe_dump(world, allow_unicode=True), "utf-8")
    with pytest.raises(ModelError, match="it extends 4242, which is not a sale declared before it"):
        SandboxModel(mocks)


def test_a_policy_without_its_sales_settings_fails_at_start_up(mocks):
    path = mocks / "policies.yaml"
    policies = yaml.safe_load(path.read_text("utf-8"))
    del policies["policies"]["standard"]["sales"]["graceDays"]
    path.write_text(yaml.safe_dump(policies), "utf-8")
    with pytest.raises(ModelError, match="graceDays"):
        SandboxModel(mocks)


@pytest.mark.parametrize("where", ["debtor", "sale"])
def test_a_scenario_time_out_of_the_calendar_is_refused_by_name(api, where):
    debtor = {"endorsementNo": "1", "countryCode": "ES", "taxCode": "B1", "status": "in-force", "requested": "1000,00"}
    sale = {"endorsementNo": "1", "invoiceNo": "A", "invoiceDate": "-P1D", "maturityDate": "P30D", "amount": "1,00",
            "status": "rated"}
    (debtor if where == "debtor" else sale)["since"] = "P999999999D"
    answer = api.client.post("/_emulator/scenarios", query_string={"client_id": api.tenant},
                             json={"contracts": [{"contractNo": "20000000077", "debtors": [debtor], "sales": [sale]}]})
    assert answer.status_code == 400 and "'P999999999D'" in answer.json["error"] and "out of the calendar's range" in answer.json["error"]
