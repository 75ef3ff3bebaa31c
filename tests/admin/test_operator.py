"""The operator surface (/_emulator): clocks, resets, scenarios, Cesce-side events, faults, the
journal and the state, and its answers to bad requests."""

from __future__ import annotations

import pytest

STANDARD = "10100000001"


def test_health_answers_without_a_token(client):
    answer = client.get("/_emulator/health")
    assert (answer.status_code, answer.json["status"]) == (200, "ok")


def test_operator_calls_need_a_tenant(client):
    answer = client.get("/_emulator/clock")
    assert answer.status_code == 400 and "client_id" in answer.json["error"]
    assert client.get("/_emulator/clock", headers={"X-Emulator-Tenant": "t"}).status_code == 200


def test_each_tenant_has_its_own_clock(api, client):
    api.operator("POST", "clock", {"set": "2026-01-15T09:00:00Z", "freeze": True})
    assert api.operator("GET", "clock") == {"tenant": api.tenant, "now": "2026-01-15T09:00:00.000000Z", "frozen": True}
    assert api.advance("PT49H")["now"] == "2026-01-17T10:00:00.000000Z"
    other = client.get("/_emulator/clock", query_string={"client_id": "someone-else"}).json
    assert other["frozen"] is False and not other["now"].startswith("2026-01-17T10")


def test_an_unfrozen_clock_keeps_ticking_from_where_it_was_set(api):
    api.operator("POST", "clock", {"set": "2030-06-01T00:00:00Z"})
    assert api.operator("GET", "clock")["now"].startswith("2030-06-01T00:00")


@pytest.mark.parametrize("body", [{"advance": "-PT1H"}, {"advance": "1 hour"}, {"set": "tomorrow"}, {"freeze": "yes"},
                                  {}, {"advance": "P1M"}, {"advance": "P999999999D"}, {"set": "9999-12-31T23:59:59Z", "advance": "P2D"}])
def test_bad_clock_changes_are_400s(api, body):
    answer = api.client.post("/_emulator/clock", json=body, query_string={"client_id": api.tenant})
    assert answer.status_code == 400 and answer.json["error"]


def test_a_new_tenants_clock_can_be_set_anywhere_but_one_with_history_only_moves_forward(api):
    assert api.operator("POST", "clock", {"set": "2030-01-01T00:00:00Z", "freeze": True})["now"].startswith("2030")
    assert api.operator("POST", "clock", {"set": "2026-01-15T09:00:00Z"})["now"].startswith("2026-01-15")
    api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B77777777", "creditLimitRequested": "1000,00"})

    back = api.client.post("/_emulator/clock", json={"set": "2026-01-14T09:00:00Z"}, query_string={"client_id": api.tenant})
    assert back.status_code == 400
    assert back.json["error"] == (
        "set: 2026-01-14T09:00:00.000000Z is before the tenant's now (2026-01-15T09:00:00.000000Z); its tokens,"
        " records and journal assume time moves forward, so reset the tenant first"
        " (POST /_emulator/reset?client_id=...) to start again at an earlier instant")
    assert api.operator("GET", "clock")["now"] == "2026-01-15T09:00:00.000000Z"
    assert api.operator("POST", "clock", {"set": "2026-01-15T09:00:00Z"})["now"] == "2026-01-15T09:00:00.000000Z"

    api.operator("POST", "reset")
    assert api.operator("POST", "clock", {"set": "2026-01-14T09:00:00Z"})["now"].startswith("2026-01-14T09:00")


def test_a_scenario_cannot_take_a_tenant_with_history_back_in_time(api):
    api.seed("guide-pending-example")
    api.advance("P7D")
    answer = api.client.post("/_emulator/scenarios/guide-pending-example", query_string={"client_id": api.tenant}, json={})
    assert answer.status_code == 400 and "reset the tenant first" in answer.json["error"]
    api.operator("POST", "reset")
    assert api.seed("guide-pending-example")["now"] == "2026-01-15T09:00:00.000000Z"


def test_reset_forgets_one_tenant_or_all(api, client):
    api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B77777777", "creditLimitRequested": "1000,00"})
    api.advance("P1D")
    api.operator("POST", "reset")
    assert api.classification(STANDARD, countryCode="ES", taxCode="B77777777").json["error"]["errorCode"] == "2001"
    assert client.post("/_emulator/reset", headers={"Content-Type": "application/json"}).json == {"reset": "all"}


def test_a_named_scenario_seeds_its_contracts_and_clock(api):
    answer = api.seed("guide-pending-example")
    assert answer["contracts"] == ["20000000003"] and answer["now"].startswith("2026-01-15T09:00:00")
    records = api.portfolio("20000000003").json["debtor"]
    assert [(d["endorsementNo"], d["statusCode"]) for d in records] == [("100", "2"), ("300001", "1")]


def test_the_scenarios_are_listed_with_their_descriptions(client):
    names = {s["name"]: s["description"] for s in client.get("/_emulator/scenarios").json["scenarios"]}
    assert {"empty-contract", "portfolio-1201", "guide-pending-example", "mixed-movements"} <= set(names)
    assert all(names.values())


def test_an_unknown_scenario_is_a_404(api):
    answer = api.client.post("/_emulator/scenarios/nope", query_string={"client_id": api.tenant}, json={})
    assert answer.status_code == 404


@pytest.mark.parametrize(("scenario", "message"), [
    ({"contracts": [{"contractNo": "1", "debtors": [{"countryCode": "ES"}]}]}, "contracts/0/debtors/0"),
    ({"contracts": [{"contractNo": "1", "policy": "gold"}]}, "gold"),
    ({"contracts": [{"contractNo": "1", "debtors": [{"countryCode": "ES", "taxCode": "B1", "status": "happy", "requested": "1,00"}]}]}, "happy"),
    ({"contracts": [{"contractNo": "1", "debtors": [{"countryCode": "ES", "taxCode": "B1", "status": "in-force", "requested": "1,00"},
                                                     {"countryCode": "ES", "taxCode": "B1", "status": "in-force", "requested": "1,00"}]}]}, "twice"),
    ({"contracts": [{"contractNo": "1", "debtors": [{"endorsementNo": "300005", "countryCode": "ES", "taxCode": "B1",
                                                      "status": "in-force", "requested": "1,00"}]}]}, "300xxx"),
    ({"unexpected": 1}, "unexpected"),
])
def test_a_posted_scenario_that_is_not_valid_is_a_400_that_says_where(api, scenario, message):
    answer = api.client.post("/_emulator/scenarios", json=scenario, query_string={"client_id": api.tenant})
    assert answer.status_code == 400 and message in answer.json["error"]


def test_events_do_what_cesce_does(api):
    results = api.operator("POST", "events", [
        {"type": "resolve", "contractNo": STANDARD, "endorsementNo": "106", "decision": "grant", "amount": "120000,00"},
        {"type": "reduce", "contractNo": STANDARD, "endorsementNo": "107", "amount": "5000,00"},
        {"type": "cancel", "contractNo": STANDARD, "endorsementNo": "110"},
        {"type": "resolve", "contractNo": STANDARD, "endorsementNo": "105", "decision": "reject"},
    ])["results"]
    assert [(r["endorsementNo"], r["statusCode"], r["creditLimitGranted"], r["classificationDecisionCode"]) for r in results] == [
        ("106", "2", "120000,00", "03"), ("107", "2", "5000,00", "30"), ("110", "10", "0,00", "41"), ("105", "66", "0,00", "23")]
    moved = [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]
    assert {"105", "106", "107", "110"} <= set(moved)
    assert "300001" not in [d["endorsementNo"] for d in api.portfolio(STANDARD).json["debtor"]]


def test_a_refused_re_request_leaves_the_limit_as_it_was(api):
    result = api.operator("POST", "events", {"type": "resolve", "contractNo": STANDARD, "endorsementNo": "300001",
                                             "decision": "reject"})["results"][0]
    assert (result["endorsementNo"], result["statusCode"], result["creditLimitGranted"]) == ("106", "2", "50000,00")
    assert result["classificationDecisionCode"] == "23"


@pytest.mark.parametrize(("event", "status"), [
    ({"type": "resolve", "contractNo": STANDARD, "endorsementNo": "100"}, 404),
    ({"type": "reduce", "contractNo": STANDARD, "endorsementNo": "100", "amount": "90000,00"}, 400),
    ({"type": "reduce", "contractNo": STANDARD, "endorsementNo": "100"}, 400),
    ({"type": "cancel", "contractNo": STANDARD, "endorsementNo": "102"}, 400),
    ({"type": "explode", "contractNo": STANDARD, "endorsementNo": "100"}, 400),
])
def test_events_that_cannot_happen_are_refused(api, event, status):
    answer = api.client.post("/_emulator/events", json=event, query_string={"client_id": api.tenant})
    assert answer.status_code == status and answer.json["error"]


def test_an_injected_503_fails_the_next_matching_request_then_passes(api):
    api.operator("POST", "faults", {"status": 503, "times": 2, "operation": "getPortfolio", "retryAfter": 2})
    assert api.classification(STANDARD, endorsementNo="100").status_code == 200
    for _ in range(2):
        failed = api.portfolio(STANDARD)
        assert (failed.status_code, failed.json["httpCode"], failed.headers["Retry-After"]) == (503, "503", "2")
    assert api.portfolio(STANDARD).status_code == 200
    assert api.operator("GET", "faults")["faults"] == []


def test_a_token_fault_hits_the_token_endpoint(api):
    api.operator("POST", "faults", {"status": 429, "operation": "token"})
    assert api.token().status_code == 429
    assert api.token().status_code == 200


@pytest.mark.parametrize("fault", [{"status": 404}, {"times": 2}, {"status": 503, "times": 0}, {"status": 503, "color": "red"}])
def test_bad_faults_are_400s(api, fault):
    answer = api.client.post("/_emulator/faults", json=fault, query_string={"client_id": api.tenant})
    assert answer.status_code == 400


def test_the_journal_records_each_business_request_with_what_it_noticed(api):
    api.portfolio(STANDARD, languageCode="es", foo="1")
    api.classification(STANDARD, endorsementNo="999")
    entries = api.operator("GET", "journal")["entries"]
    assert [e["operation"] for e in entries] == ["token", "getPortfolio", "getClassification"]
    token, portfolio, query = entries
    assert token["response"]["token"] == portfolio["token"] == query["token"]
    assert "client_secret=***" in token["request"] and "=secret" not in token["request"]
    assert portfolio["response"] == {"errorCode": "0", "next": "0", "debtor": 18}
    assert {f["rule"] for f in portfolio["findings"]} == {"unknown-parameter", "code-format"}
    assert (query["status"], query["response"]["errorCode"]) == (400, "2001")
    assert api.operator("GET", "journal", after=str(portfolio["id"]))["entries"] == [query]


def test_the_state_shows_every_record_with_what_the_wire_does_not(api):
    state = api.operator("GET", "state", contractNo=STANDARD)
    [contract] = state["contracts"]
    records = {d["endorsementNo"]: d for d in contract["debtors"]}
    assert records["300001"]["pendingOf"] == "106" and records["300001"]["resolveAt"]
    assert records["100"]["changedAt"].startswith("20")
    assert contract["policy"]["ppc"] is False


def test_the_served_openapi_document_uses_the_product_map(client):
    answer = client.get("/_emulator/openapi.yaml")
    assert answer.status_code == 200 and answer.mimetype == "application/yaml"
    assert "/portfolio-movements/v1/contracts/{contractNo}/movements:" in answer.get_data(as_text=True)


def test_a_fault_for_an_unknown_operation_is_a_400_that_lists_the_known_ones(api, app):
    answer = api.client.post("/_emulator/faults", json={"status": 503, "operation": "getPortfolios"},
                             query_string={"client_id": api.tenant})
    assert answer.status_code == 400
    known = sorted(app.extensions["cesce"].api.operations)
    assert {"token", "getPortfolio", "getMovements", "createClassification"} <= set(known)
    assert answer.json["error"] == f"operation: 'getPortfolios' is not an operation of this emulator; known: {', '.join(known)}"
    assert api.operator("GET", "faults")["faults"] == []


def test_a_fault_can_let_requests_through_first(api):
    api.operator("POST", "faults", {"status": 503, "skip": 2, "operation": "getPortfolio"})
    assert [api.portfolio(STANDARD).status_code for _ in range(4)] == [200, 200, 503, 200]


def test_a_clock_fault_expires_the_token_at_an_exact_request(api):
    token = api.token().json["access_token"]
    api.operator("POST", "faults", {"advanceClock": "PT61M", "skip": 1, "operation": "getPortfolio"})
    assert api.portfolio(STANDARD, token=token).status_code == 200
    expired = api.portfolio(STANDARD, token=token)
    assert expired.status_code == 401 and "expired" in expired.json["moreInformation"]
    assert api.portfolio(STANDARD).status_code == 200  # a new token works on the moved clock


def test_the_journal_keeps_error_texts_and_retry_after(api):
    api.operator("POST", "faults", {"status": 429, "retryAfter": 3, "operation": "getPortfolio"})
    api.portfolio(STANDARD)
    api.classification(STANDARD, endorsementNo="999", languageCode="EN")
    limited, refused = api.operator("GET", "journal")["entries"][-2:]
    assert limited["response"]["retryAfter"] == "3" and limited["response"]["httpCode"] == "429"
    assert refused["response"] == {"errorCode": "2001", "errorDescription": "NO LIMIT EXISTS FOR THE DATA PROVIDED"}


def test_the_tenants_are_those_with_a_clock_a_world_a_token_or_a_journal(api, client):
    assert client.get("/_emulator/tenants").json == {"tenants": []}
    api.operator("POST", "clock", {"freeze": True})
    other = type(api)(client, "another")
    other.token()
    sandbox = type(api)(client, "reader", catalog="sandbox")
    sandbox.portfolio(STANDARD)  # the sandbox's own world is not a tenant; its reader's token and journal are
    assert client.get("/_emulator/tenants").json == {"tenants": sorted([api.tenant, "another", "reader"])}
    api.operator("POST", "reset")
    assert client.get("/_emulator/tenants").json == {"tenants": ["another", "reader"]}
