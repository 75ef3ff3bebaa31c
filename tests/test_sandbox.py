"""The sandbox catalog: the Sandbox Model replayed, frozen at its instant, stateless, and Not
Found for anything outside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import Settings

STANDARD = "10100000001"


def test_the_sandbox_answers_the_mock_debtors(sandbox):
    record = sandbox.classification(STANDARD, customerReference="CLI-0100").json["debtor"]
    assert (record["endorsementNo"], record["creditLimitGranted"], record["effectiveDate"]) == ("100", "50000,00", "20240215")


def test_the_sandbox_lives_at_its_fixed_instant(sandbox):
    moved = [d["endorsementNo"] for d in sandbox.movements(STANDARD).json["debtor"]]
    assert moved == ["101", "104", "108", "109", "116"]
    sandbox.advance("P30D")
    assert [d["endorsementNo"] for d in sandbox.movements(STANDARD).json["debtor"]] == moved


def test_nothing_a_sandbox_request_does_is_kept(sandbox):
    cancelled = sandbox.post(f"classifications/v1/contracts/{STANDARD}/classifications/cancel", {"debtor": {"endorsementNo": "101"}})
    assert (cancelled.status_code, cancelled.json["debtor"]["statusCode"]) == (200, "10")
    assert sandbox.classification(STANDARD, endorsementNo="101").json["debtor"]["statusCode"] == "2"
    granted = sandbox.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "1000,00"})
    assert (granted.status_code, granted.json["debtor"]["endorsementNo"]) == (201, "117")
    again = sandbox.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "1000,00"})
    assert again.json["debtor"]["endorsementNo"] == "117"


@pytest.mark.parametrize("call", [
    lambda s: s.portfolio("99999999999"),
    lambda s: s.classification(STANDARD, endorsementNo="999"),
    lambda s: s.classify(STANDARD, {"countryCode": "ES", "taxCode": "B77777777", "creditLimitRequested": "1000,00"}),
])
def test_data_outside_the_sandbox_model_is_not_found(sandbox, call):
    answer = call(sandbox)
    assert answer.status_code == 404
    assert answer.json["error"] == {"errorCode": "404", "errorDescription": "Not Found"}


def test_rule_errors_still_answer_in_the_sandbox(sandbox):
    blank = sandbox.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "1,00", "nonPaymentInd": " "})
    assert blank.status_code == 500
    not_ppc = sandbox.post(f"classifications/v1/contracts/{STANDARD}/classifications/activate-deactivate",
                           {"debtor": {"endorsementNo": "100", "activateInd": "N"}})
    assert not_ppc.json["error"]["errorCode"] == "2005"


def test_the_dev_catalog_starts_from_the_same_model_on_the_tenants_clock(api):
    assert [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]] == ["101", "104", "108", "109", "116"]


@pytest.fixture
def replay_dir(tmp_path: Path) -> Path:
    (tmp_path / "cases.yaml").write_text(
        "- name: an answer Cesce's sandbox gives\n"
        "  request: {method: GET, path: classifications/v1/contracts/10100000001/classifications, query: {endorsementNo: '555'}}\n"
        "  response:\n"
        "    status: 200\n"
        "    body: {error: {errorCode: '0', errorDescription: ''}, client: {contractNo: '10100000001'}, debtor: {endorsementNo: '555'}}\n"
        "- request: {method: POST, path: /classifications/v1/contracts/10100000001/classifications/cancel,"
        " body: {debtor: {endorsementNo: '100'}}}\n"
        "  response: {status: 400, body: {error: {errorCode: '7777', errorDescription: 'REPLAYED'}, client: {}}}\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def settings(replay_dir) -> Settings:
    return Settings(replay_dir=str(replay_dir))


def test_replay_cases_answer_first_in_the_sandbox_only(sandbox, api):
    assert sandbox.classification(STANDARD, endorsementNo="555").json["debtor"] == {"endorsementNo": "555"}
    assert sandbox.classification(STANDARD, endorsementNo="100").json["debtor"]["endorsementNo"] == "100"
    assert api.classification(STANDARD, endorsementNo="555").status_code == 400
    path = f"classifications/v1/contracts/{STANDARD}/classifications/cancel"
    replayed = sandbox.post(path, {"client": {"languageCode": "EN"}, "debtor": {"endorsementNo": "100"}})
    assert (replayed.status_code, replayed.json["error"]["errorCode"]) == (400, "7777")
    assert sandbox.post(path, {"debtor": {"endorsementNo": "101"}}).json["debtor"]["statusCode"] == "10"


def test_the_sandbox_world_cannot_be_reached_as_a_tenant(sandbox, client):
    from emulator.store import SANDBOX_TENANT

    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": SANDBOX_TENANT,
                                                      "client_secret": "s", "username": "u", "password": "p"})
    assert (token.status_code, token.json["error"]) == (401, "invalid_client")
    assert client.post("/_emulator/reset", query_string={"client_id": SANDBOX_TENANT}, json={}).status_code == 400
    assert client.post("/_emulator/reset", json={}).status_code == 200
    assert sandbox.classification(STANDARD, endorsementNo="100").status_code == 200


def test_the_sandbox_model_carries_every_status_and_decision(sandbox, app):
    model = app.extensions["cesce"].model
    records = [d for contract in ("10100000001", "10200000002") for d in sandbox.portfolio(contract).json["debtor"]]
    assert {d["statusCode"] for d in records} == {entry["code"] for entry in model.codes["risk-statuses"].values()}
    assert {d["classificationDecisionCode"] for d in records} == {entry["code"] for entry in model.codes["decisions"].values()}
