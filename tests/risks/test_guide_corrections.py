"""Risk-side behaviours checked against the integration guide's sentences (and the README's
promises), each test named for the rule it holds."""

from __future__ import annotations

import pytest

from emulator import Settings

STANDARD = "10100000001"


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


def new_debtor(tax_code: str, **more) -> dict:
    return {"countryCode": "ES", "taxCode": tax_code, "creditLimitRequested": "20000,00", **more}


# Guide §3.1.2, "Campos nonPaymentInd y nonPaymentAmount": "El campo nonPaymentInd debe indicarse
# si se tiene conocimiento de impagos de este cliente. [...] Si se envía Y, en el campo
# nonPaymentAmount debe indicarse el importe. Si se envía N, el campo nonPaymentAmount puede
# enviarse con "0,00" o directamente no enviarse."


def test_declared_non_payments_send_a_new_debtor_to_manual_study_not_to_a_rejection(api):
    answer = api.classify(STANDARD, new_debtor("B71000001", nonPaymentInd="Y", nonPaymentAmount="3500,00"))
    record = answer.json["debtor"]
    assert answer.status_code == 201
    assert (record["statusCode"], record["classificationDecisionCode"], record["creditLimitGranted"]) == ("1", "13", "0,00")
    api.advance("P7D")  # the committee decides it like any other pending request
    decided = api.classification(STANDARD, endorsementNo=record["endorsementNo"]).json["debtor"]
    assert (decided["statusCode"], decided["creditLimitGranted"], decided["classificationDecisionCode"]) == ("2", "15000,00", "03")


def test_declared_non_payments_on_a_known_debtor_never_wipe_its_limit_in_force(api):
    answer = api.classify(STANDARD, {"endorsementNo": "101", "creditLimitRequested": "40000,00",
                                     "nonPaymentInd": "Y", "nonPaymentAmount": "1200,00"})
    request = answer.json["debtor"]
    assert (request["endorsementNo"], request["statusCode"], request["classificationDecisionCode"]) == ("300002", "1", "13")
    limit = api.classification(STANDARD, endorsementNo="101").json["debtor"]
    assert (limit["statusCode"], limit["creditLimitGranted"]) == ("2", "30000,00")
    portfolio = {d["endorsementNo"]: d for d in api.portfolio(STANDARD).json["debtor"]}
    assert portfolio["101"]["creditLimitGranted"] == "30000,00" and portfolio["300002"]["statusCode"] == "1"


def test_y_with_a_zero_amount_says_the_amount_must_be_positive(api):
    answer = api.classify(STANDARD, new_debtor("B71000002", nonPaymentInd="Y", nonPaymentAmount="0,00"))
    assert error_of(answer) == (400, "1004")
    assert answer.json["error"]["errorDescription"] == (
        "El campo nonPaymentAmount tiene un valor no permitido; valores admitidos: > 0,00")


def test_n_with_an_amount_is_accepted_with_a_journal_finding_in_lenient_mode(api):
    answer = api.classify(STANDARD, new_debtor("B71000003", nonPaymentInd="N", nonPaymentAmount="500,00"))
    assert answer.status_code == 201 and answer.json["debtor"]["statusCode"] == "2"
    findings = api.operator("GET", "journal")["entries"][-1]["findings"]
    assert [(f["field"], f["rule"]) for f in findings] == [("debtor.nonPaymentAmount", "ignored-value")]
    assert "with nonPaymentInd N, nonPaymentAmount is \"0,00\" or left out" in findings[0]["message"]


@pytest.mark.parametrize("settings", [Settings(strict=True)], ids=["strict"])
def test_n_with_an_amount_is_a_400_in_strict_mode(api):
    answer = api.classify(STANDARD, new_debtor("B71000004", nonPaymentInd="N", nonPaymentAmount="500,00"))
    assert error_of(answer) == (400, "1004")
    assert "nonPaymentAmount" in answer.json["error"]["errorDescription"]
    assert api.classify(STANDARD, new_debtor("B71000004", nonPaymentInd="N", nonPaymentAmount="0,00")).status_code == 201


# Guide §3.1.2, "POST .../classifications/cancel: Petición para cancelar un límite que tiene
# crédito en vigor", with §3.2.2: the 300xxx record of a pending request "se fusiona" with the
# original endorsement once resolved. A cancelled limit has nothing left to merge into.


def test_cancelling_a_limit_withdraws_the_request_pending_on_it(api):
    # Debtor 106 holds 50000,00 with a request for 150000,00 pending as 300001.
    cancelled = api.post(f"classifications/v1/contracts/{STANDARD}/classifications/cancel",
                         {"debtor": {"endorsementNo": "106"}})
    assert cancelled.status_code == 200 and cancelled.json["debtor"]["statusCode"] == "10"
    assert "300001" not in [d["endorsementNo"] for d in api.portfolio(STANDARD).json["debtor"]]
    api.advance("P30D")  # past the committee's date
    after = api.classification(STANDARD, endorsementNo="106").json["debtor"]
    assert (after["statusCode"], after["creditLimitGranted"], after["classificationDecisionCode"]) == ("10", "0,00", "40")
    assert "300001" not in [d["endorsementNo"] for d in api.portfolio(STANDARD).json["debtor"]]


def test_a_cesce_side_cancellation_withdraws_the_pending_request_too(api):
    api.operator("POST", "events", {"type": "cancel", "contractNo": STANDARD, "endorsementNo": "106"})
    api.advance("P30D")
    after = api.classification(STANDARD, endorsementNo="106").json["debtor"]
    assert (after["statusCode"], after["classificationDecisionCode"]) == ("10", "41")
    assert "300001" not in [d["endorsementNo"] for d in api.portfolio(STANDARD).json["debtor"]]


# Guide §3.2.2: "Llamamos de nuevo con nextEndorsment..." A client that follows the guide's
# spelling sends a parameter the operation does not have, and the gateway passes it on ignored.


@pytest.mark.parametrize("settings", [Settings(strict=True)], ids=["strict"])
def test_strict_mode_names_an_unknown_query_parameter(api):
    answer = api.portfolio("10100000003", nextEndorsment="501")
    assert error_of(answer) == (400, "1007")
    assert answer.json["error"]["errorDescription"] == "El parámetro nextEndorsment no pertenece a esta operación"


def test_lenient_mode_ignores_an_unknown_query_parameter_with_a_finding(api):
    answer = api.portfolio("10100000003", nextEndorsment="501")
    assert answer.status_code == 200 and answer.json["debtor"][0]["endorsementNo"] == "1"  # page 1 again
    findings = api.operator("GET", "journal")["entries"][-1]["findings"]
    assert [(f["field"], f["rule"]) for f in findings] == [("nextEndorsment", "unknown-parameter")]


# README's walk-through: "Now let time pass for your tenant and watch Cesce decide: POST
# /_emulator/clock {"advance": "P7D"} [...] debtor 106 holds 112500,00 (75 % of the 150000,00
# asked), the 300001 record is gone, and 106 is among the movements of the last 48 hours."


def test_a_clock_jump_as_a_fresh_tenants_first_contact_decides_its_pending_requests(api):
    api.advance("P7D")  # before any token or business call
    decided = api.classification(STANDARD, endorsementNo="106").json["debtor"]
    assert (decided["creditLimitGranted"], decided["classificationDecisionCode"]) == ("112500,00", "03")
    assert "300001" not in [d["endorsementNo"] for d in api.portfolio(STANDARD).json["debtor"]]
    assert "106" in [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]


def test_a_fresh_tenants_state_shows_every_mock_contract(api):
    state = api.operator("GET", "state")
    assert [c["contractNo"] for c in state["contracts"]] == ["10100000001", "10100000003", "10200000002", "10300000004",
                                                             "10400000005", "10500000006", "10500000007", "10600000008"]


# Guide §3.2: "Las clasificaciones pueden: Reducirse. Cancelarse. Ampliarse. Modificarse por
# decisión de la aseguradora."


def test_cesce_can_increase_a_limit_and_it_is_a_movement(api):
    [raised] = api.operator("POST", "events", {"type": "increase", "contractNo": STANDARD, "endorsementNo": "100",
                                               "amount": "65000,00"})["results"]
    assert (raised["creditLimitGranted"], raised["classificationDecisionCode"]) == ("65000,00", "31")
    assert api.classification(STANDARD, endorsementNo="100").json["debtor"]["creditLimitGranted"] == "65000,00"
    assert "100" in [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]


def test_an_increase_must_raise_the_limit(api):
    answer = api.client.post(f"/_emulator/events?client_id={api.tenant}",
                             json={"type": "increase", "contractNo": STANDARD, "endorsementNo": "100", "amount": "50000,00"})
    assert answer.status_code == 400
    assert answer.json["error"] == "Field amount has a value that is not allowed; allowed values: > 50000,00"
