"""Faults that stage a client's error paths: Cesce's error envelope on a 200 or a 4xx, Cesce-side
events carried out between two requests (a record that changes between two pages, refresh tokens
revoked), and the journal's instant of a request that waited for the store."""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from datetime import UTC, datetime

import pytest

from emulator.clock import parse_instant
from emulator.control import Control
from emulator.server import ThreadedServer

STANDARD = "10100000001"


def test_an_envelope_fault_answers_a_200_whose_error_block_says_otherwise(api):
    api.operator("POST", "faults", {"operation": "getPortfolio", "status": 200, "errorCode": "9000", "skip": 1})

    first, failed, after = (api.portfolio(STANDARD, languageCode=language) for language in ("ES", "EN", "ES"))

    assert first.json["error"]["errorCode"] == "0" and first.json["debtor"]
    assert failed.status_code == 200
    assert failed.json == {"error": {"errorCode": "9000", "errorDescription": "Internal server error"},
                           "client": {"contractNo": STANDARD}}
    assert after.json["error"]["errorCode"] == "0"
    entry = api.operator("GET", "journal")["entries"][-2]
    assert (entry["status"], entry["response"]) == (200, {"errorCode": "9000", "errorDescription": "Internal server error"})


def test_an_envelope_fault_answers_a_4xx_with_its_own_text(api):
    api.operator("POST", "faults", {"operation": "getMovements", "status": 400, "errorCode": "3999",
                                    "errorDescription": "PÓLIZA NO VIGENTE"})

    answer = api.movements(STANDARD)

    assert answer.status_code == 400
    assert answer.json["error"] == {"errorCode": "3999", "errorDescription": "PÓLIZA NO VIGENTE"}
    assert api.operator("GET", "faults")["faults"] == []


def test_an_unknown_error_code_without_a_text_is_named_in_its_text(api):
    api.operator("POST", "faults", {"operation": "getPortfolio", "status": 500, "errorCode": "777"})

    answer = api.portfolio(STANDARD)

    assert (answer.status_code, answer.json["error"]) == (500, {"errorCode": "777", "errorDescription": "Error 777"})


@pytest.mark.parametrize(("fault", "message"), [
    ({"status": 200}, "status 200: a gateway fault answers 429, 500, 502, 503, 504; give errorCode"),
    ({"status": 404}, "status 404: a gateway fault answers"),
    ({"errorCode": "9000", "latencyMs": 10}, "errorCode: give the status to answer it with"),
    ({"status": 503, "errorDescription": "x"}, "errorDescription: it is the text of an errorCode"),
    ({"status": 200, "errorCode": "0"}, "errorCode"),
    ({"events": [{"type": "explode"}]}, "event 0: type must be one of"),
    ({"events": [{"type": "reduce", "contractNo": STANDARD}]}, "event 0 (reduce)"),
    ({"events": []}, "events"),
    ({"dropConnection": True, "status": 503}, "dropConnection: a dropped connection answers nothing; leave status out"),
])
def test_faults_that_cannot_be_staged_are_400s_that_say_why(api, fault, message):
    answer = api.client.post("/_emulator/faults", json=fault, query_string={"client_id": api.tenant})

    assert answer.status_code == 400
    assert message in answer.json["error"]
    assert api.operator("GET", "faults")["faults"] == []


def test_a_fault_with_events_changes_a_record_between_two_pages(api):
    api.operator("POST", "settings", {"pageSize": 5})
    api.operator("POST", "faults", {"operation": "getPortfolio", "skip": 1, "events": [
        {"type": "reduce", "contractNo": STANDARD, "endorsementNo": "100", "amount": "12345,67"}]})

    before = api.portfolio(STANDARD).json
    after = api.portfolio(STANDARD, nextEndorsementNo=before["client"]["nextEndorsementNo"])

    assert after.status_code == 200
    records = {record["endorsementNo"]: record for record in api.operator("GET", "state", contractNo=STANDARD)
               ["contracts"][0]["debtors"]}
    assert records["100"]["creditLimitGranted"] == "12345,67"
    assert {r["endorsementNo"]: r["creditLimitGranted"] for r in before["debtor"]}["100"] != "12345,67"
    assert api.operator("GET", "faults")["faults"] == []


def test_a_fault_whose_events_cannot_happen_is_a_gateway_500_and_fires_once(api):
    api.operator("POST", "faults", {"operation": "getPortfolio", "events": [
        {"type": "reduce", "contractNo": STANDARD, "endorsementNo": "999", "amount": "1,00"}]})

    failed, then = api.portfolio(STANDARD), api.portfolio(STANDARD)

    assert failed.status_code == 500
    assert failed.json["moreInformation"].startswith("Internal Server Error: the injected fault's events could not")
    assert then.status_code == 200


def test_revoked_refresh_tokens_are_refused_and_the_password_grant_still_works(api):
    pair = api.token().json
    api.operator("POST", "faults", {"operation": "getPortfolio", "advanceClock": "PT61M",
                                    "events": [{"type": "revoke-refresh-tokens"}]})

    expired = api.portfolio(STANDARD, token=pair["access_token"])
    refused = api.token(grant_type="refresh_token", refresh_token=pair["refresh_token"])
    signed_in = api.token()

    assert expired.status_code == 401
    assert (refused.status_code, refused.json) == (400, {"error": "invalid_grant",
                                                         "error_description": "the refresh token was revoked"})
    assert signed_in.status_code == 200
    assert api.portfolio(STANDARD, token=signed_in.json["access_token"]).status_code == 200


def test_a_refresh_token_used_twice_is_refused_as_used_not_revoked(api):
    pair = api.token().json
    assert api.token(grant_type="refresh_token", refresh_token=pair["refresh_token"]).status_code == 200

    again = api.token(grant_type="refresh_token", refresh_token=pair["refresh_token"])

    assert again.json == {"error": "invalid_grant", "error_description": "the refresh token was already used"}


def test_revoking_is_also_an_event_of_its_own(api):
    pair = api.token().json

    results = api.operator("POST", "events", {"type": "revoke-refresh-tokens"})["results"]

    assert results == [{"tenant": api.tenant, "refreshTokensRevoked": 1}]
    assert api.token(grant_type="refresh_token", refresh_token=pair["refresh_token"]).status_code == 400


def test_the_journal_keeps_the_instant_a_request_arrived_not_when_the_store_was_free(api, app):
    api.portfolio(STANDARD)  # the tenant (its clock is the machine's) and its token exist
    store = app.extensions["cesce"].store
    holding = threading.Event()

    def hold_the_store() -> None:
        with store.transaction():
            holding.set()
            time.sleep(1.5)

    holder = threading.Thread(target=hold_the_store)
    holder.start()
    holding.wait()
    sent = datetime.now(UTC)
    answer = api.portfolio(STANDARD)
    answered = datetime.now(UTC)
    holder.join()

    assert answer.status_code == 200
    arrived = parse_instant(api.operator("GET", "journal")["entries"][-1]["at"])
    assert arrived - sent < answered - arrived  # journaled as it arrived, not 1.5 s later


@pytest.mark.e2e
@pytest.mark.parametrize("server", ["werkzeug", "cheroot"])
def test_a_dropped_connection_carries_the_declaration_out_and_answers_nothing(server, serve_emulator):
    """What a network failure after Cesce did the work leaves a client with: no status line,
    and a sale that is there all the same, which declaring it again finds a duplicate."""
    sale = {"sale": {"endorsementNo": "100", "invoiceNo": "FRA-DROP", "invoiceDate": "20260110",
                     "maturityDate": "20260311", "currencyAmount": "1000,00"}}
    path = f"sales/v1/contracts/{STANDARD}/sales"
    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(ThreadedServer()).url if server == "werkzeug" else serve_emulator().url)
        tenant = Control(url, f"dropped-{server}")
        tenant.set_clock("2026-01-15T09:00:00Z")
        token = tenant.token()["access_token"]
        assert tenant.fault(operation="createSale", dropConnection=True)[0]["dropConnection"] is True

        with pytest.raises(http.client.RemoteDisconnected):
            tenant.request("POST", path, token, body=sale)
        again = tenant.request("POST", path, token, body=sale)

        declared = [s for s in tenant.state(STANDARD)["contracts"][0]["sales"] if s["invoiceNo"] == "FRA-DROP"]
        assert len(declared) == 1
        assert (again.status, again.body["error"]["errorCode"]) == (400, "3003")
        assert declared[0]["saleCesceReferenceNo"] in again.body["error"]["errorDescription"]
        entries = tenant.journal()
        assert [(e["operation"], e["status"]) for e in entries[-2:]] == [("createSale", 201), ("createSale", 400)]

