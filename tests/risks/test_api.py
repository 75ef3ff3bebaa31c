"""The risk APIs through the real app, as a client sees them: statuses, envelopes, error codes
and texts, state over time."""

from __future__ import annotations

import pytest

from emulator import Settings

STANDARD, PPC, LARGE = "10100000001", "10200000002", "10100000003"


def strings_only(value, where="body"):
    """Every scalar of a business response is a JSON string (or the null of an empty page)."""
    if isinstance(value, dict):
        for key, item in value.items():
            strings_only(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            strings_only(item, f"{where}[{index}]")
    else:
        assert isinstance(value, str), f"{where} is {value!r}"


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


# -- the individual query ---------------------------------------------------------------------


@pytest.mark.parametrize("query", [{"endorsementNo": "104"}, {"customerReference": "CLI-0104"},
                                   {"countryCode": "ES", "taxCode": "A10000104"}])
def test_a_debtor_is_found_by_any_of_its_identifiers(api, query):
    answer = api.classification(STANDARD, **query)
    assert answer.status_code == 200
    assert answer.json["error"] == {"errorCode": "0", "errorDescription": ""}
    assert answer.json["client"] == {"contractNo": STANDARD}
    record = answer.json["debtor"]
    assert (record["endorsementNo"], record["creditLimitGranted"], record["statusCode"]) == ("104", "15000,00", "2")
    strings_only(answer.json)


def test_no_match_is_no_existe_limite_in_the_request_language(api):
    answer = api.classification(STANDARD, endorsementNo="999")
    assert error_of(answer) == (400, "2001")
    assert answer.json["error"]["errorDescription"] == "NO EXISTE LIMITE A PARTIR DE LOS DATOS INTRODUCIDOS"
    english = api.classification(STANDARD, endorsementNo="999", languageCode="EN")
    assert english.json["error"]["errorDescription"] == "NO LIMIT EXISTS FOR THE DATA PROVIDED"


def test_a_query_without_an_identifier_says_how_to_name_the_debtor(api):
    assert error_of(api.classification(STANDARD)) == (400, "2002")


# -- classification requests ------------------------------------------------------------------


def test_a_new_debtor_gets_the_next_endorsement_and_can_be_read_back(api):
    answer = api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000001", "customerReference": "NEW-1",
                                     "creditLimitRequested": "25000,00", "paymentTermsRequested": "60"})
    assert answer.status_code == 201
    record = answer.json["debtor"]
    assert (record["endorsementNo"], record["statusCode"], record["creditLimitGranted"]) == ("117", "2", "25000,00")
    assert record["companyName"] == "MAYORISTAS REUNIDOS SL"
    strings_only(answer.json)
    again = api.classification(STANDARD, customerReference="NEW-1")
    assert again.json["debtor"] == record
    second = api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B77777777", "creditLimitRequested": "1000,00"})
    assert second.json["debtor"]["endorsementNo"] == "118"


def test_a_new_debtor_needs_country_and_tax_code(api):
    answer = api.classify(STANDARD, {"taxCode": "B77777777", "creditLimitRequested": "1000,00"})
    assert error_of(answer) == (400, "1001")
    assert "countryCode" in answer.json["error"]["errorDescription"]


@pytest.mark.parametrize(("field", "limit"), [("taxCode", 20), ("customerReference", 50), ("companyName", 100),
                                              ("address", 80), ("city", 30), ("postalCode", 15), ("email", 100)])
def test_an_over_long_field_is_a_400_that_names_it(api, field, limit):
    fields = {"countryCode": "ES", "taxCode": "B77777777", "creditLimitRequested": "1000,00"}
    fitting = api.classify(STANDARD, {**fields, field: "A" * limit})
    assert fitting.status_code == 201, fitting.json
    too_long = api.classify(STANDARD, {**fields, "taxCode": "B66666666", field: "A" * (limit + 1)})
    assert error_of(too_long) == (400, "1002")
    assert field in too_long.json["error"]["errorDescription"] and str(limit) in too_long.json["error"]["errorDescription"]


def test_customer_reference_is_set_only_on_the_first_classification(api):
    answer = api.classify(STANDARD, {"endorsementNo": "109", "customerReference": "LATE-REF", "creditLimitRequested": "5000,00"})
    assert error_of(answer) == (400, "2003")
    same = api.classify(STANDARD, {"customerReference": "CLI-0101", "creditLimitRequested": "35000,00"})
    assert same.status_code == 201 and same.json["debtor"]["endorsementNo"] == "101"


@pytest.mark.parametrize(("indicator", "amount", "expected"), [
    ("N", None, (201, "0")),
    ("N", "0,00", (201, "0")),
    ("Y", None, (400, "1001")),
    ("Y", "1200,00", (201, "0")),
    ("X", None, (400, "1004")),
    (" ", None, (500, "9000")),
    ("", None, (500, "9000")),
])
def test_non_payment_indicator(api, indicator, amount, expected):
    debtor = {"countryCode": "ES", "taxCode": "B77777777", "creditLimitRequested": "1000,00", "nonPaymentInd": indicator}
    if amount:
        debtor["nonPaymentAmount"] = amount
    answer = api.classify(STANDARD, debtor)
    assert error_of(answer) == expected
    if expected == (201, "0") and indicator == "Y":
        # Declared non-payments send the request to manual study (EN TRÁMITE, decision 13).
        assert (answer.json["debtor"]["statusCode"], answer.json["debtor"]["classificationDecisionCode"]) == ("1", "13")


def test_a_pending_new_debtor_shows_in_the_portfolio_and_query_but_not_in_movements_until_decided(api):
    answer = api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000005", "creditLimitRequested": "20000,00"})
    record = answer.json["debtor"]
    assert (record["statusCode"], record["creditLimitGranted"], record["classificationDate"]) == ("1", "0,00", "0")
    number = record["endorsementNo"]
    assert api.classification(STANDARD, endorsementNo=number).json["debtor"]["statusCode"] == "1"
    assert number in [d["endorsementNo"] for d in api.portfolio(STANDARD).json["debtor"]]
    assert number not in [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]

    api.advance("P7D")
    decided = api.classification(STANDARD, endorsementNo=number).json["debtor"]
    assert (decided["statusCode"], decided["creditLimitGranted"], decided["classificationDecisionCode"]) == ("2", "15000,00", "03")
    assert number in [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]


def test_the_guides_300xxx_example_over_http(api):
    pending = api.classify(STANDARD, {"endorsementNo": "100", "creditLimitRequested": "100000,00"}).json["debtor"]
    assert (pending["endorsementNo"], pending["statusCode"]) == ("300002", "1")  # 300001 is 106's request
    portfolio = {d["endorsementNo"]: d for d in api.portfolio(STANDARD).json["debtor"]}
    assert portfolio["100"]["creditLimitGranted"] == "50000,00" and portfolio["300002"]["creditLimitRequested"] == "100000,00"
    assert api.classification(STANDARD, endorsementNo="100").json["debtor"]["creditLimitGranted"] == "50000,00"
    assert api.classification(STANDARD, endorsementNo="300002").status_code == 400
    assert "300002" not in [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]
    again = api.classify(STANDARD, {"customerReference": "CLI-0100", "creditLimitRequested": "90000,00"})
    assert error_of(again) == (400, "2004")

    api.advance("P7D")
    portfolio = {d["endorsementNo"]: d for d in api.portfolio(STANDARD).json["debtor"]}
    assert "300002" not in portfolio
    assert (portfolio["100"]["creditLimitGranted"], portfolio["100"]["creditLimitRequested"]) == ("75000,00", "100000,00")
    moved = {d["endorsementNo"]: d for d in api.movements(STANDARD).json["debtor"]}
    assert moved["100"]["creditLimitGranted"] == "75000,00"
    assert api.classification(STANDARD, endorsementNo="100").json["debtor"] == portfolio["100"]


# -- cancel and the PPC operations ------------------------------------------------------------


def test_cancel_annuls_a_limit_in_force_and_makes_a_movement(api):
    answer = api.post(f"classifications/v1/contracts/{STANDARD}/classifications/cancel",
                      {"debtor": {"countryCode": "PT", "taxCode": "507000107"}})
    assert answer.status_code == 200
    record = answer.json["debtor"]
    assert (record["statusCode"], record["creditLimitGranted"], record["classificationDecisionCode"]) == ("10", "0,00", "40")
    assert record["cancellationDate"] != "0"
    assert "107" in [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]


def test_only_a_limit_in_force_can_be_cancelled(api):
    answer = api.post(f"classifications/v1/contracts/{STANDARD}/classifications/cancel", {"debtor": {"endorsementNo": "102"}})
    assert error_of(answer) == (400, "2006")


def test_activate_deactivate_is_for_ppc_policies_only(api):
    path = "classifications/v1/contracts/{}/classifications/activate-deactivate"
    refused = api.post(path.format(STANDARD), {"debtor": {"endorsementNo": "100", "activateInd": "N"}})
    assert error_of(refused) == (400, "2005")
    switched_on = api.post(path.format(PPC), {"debtor": {"endorsementNo": "201", "activateInd": "Y"}})
    assert (switched_on.status_code, switched_on.json["debtor"]["statusCode"]) == (200, "2")
    switched_off = api.post(path.format(PPC), {"debtor": {"customerReference": "PPC-0200", "activateInd": "N"}})
    assert switched_off.json["debtor"]["statusCode"] == "5"


@pytest.mark.parametrize(("accept", "status"), [("Y", "2"), ("N", "10")])
def test_a_ppc_cover_waits_for_its_premium_to_be_accepted(api, accept, status):
    path = f"classifications/v1/contracts/{PPC}/classifications/accept-deny-premium"
    waiting = api.classification(PPC, endorsementNo="202").json["debtor"]
    assert (waiting["statusCode"], waiting["coverCost"]) == ("3", "35,00")
    answer = api.post(path, {"debtor": {"endorsementNo": "202", "acceptPremiumInd": accept}})
    assert (answer.status_code, answer.json["debtor"]["statusCode"]) == (200, status)
    again = api.post(path, {"debtor": {"endorsementNo": "202", "acceptPremiumInd": accept}})
    assert error_of(again) == (400, "2007")


def test_a_new_grant_on_a_ppc_policy_waits_for_its_premium(api):
    record = api.classify(PPC, {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "10000,00"}).json["debtor"]
    assert (record["statusCode"], record["coverCost"], record["coverDuration"]) == ("3", "35,00", "12")


# -- portfolio and movements ------------------------------------------------------------------


def test_a_1201_debtor_portfolio_pages_as_500_500_201(api):
    pages = api.pages("portfolio", LARGE)
    assert [len(p) for p in pages] == [500, 500, 201]
    assert [p[0]["endorsementNo"] for p in pages] == ["1", "501", "1001"]
    assert api.portfolio(LARGE, nextEndorsementNo="501").json["client"]["nextEndorsementNo"] == "1001"


def test_1201_fresh_grants_page_through_movements_as_500_500_201(api):
    api.seed("empty-contract")
    for n in range(1201):
        answer = api.classify("20000000001", {"countryCode": "ES", "taxCode": f"B8{n:07d}", "creditLimitRequested": "1000,00"})
        assert answer.status_code == 201
    pages = api.pages("movements", "20000000001")
    assert [len(p) for p in pages] == [500, 500, 201]
    assert [d["endorsementNo"] for p in pages for d in p] == [str(n) for n in range(1, 1202)]


def test_an_empty_page_has_a_null_debtor_list(api):
    api.seed("empty-contract")
    for kind in ("portfolio", "movements"):
        answer = getattr(api, kind)("20000000001")
        assert answer.json == {"error": {"errorCode": "0", "errorDescription": ""},
                               "client": {"contractNo": "20000000001", "nextEndorsementNo": "0"}, "debtor": None}


def test_advancing_49_hours_drops_earlier_changes_from_movements(api):
    before = [d["endorsementNo"] for d in api.movements(STANDARD).json["debtor"]]
    assert before == ["101", "104", "108", "109", "116"]
    api.advance("PT49H")
    assert api.movements(STANDARD).json["debtor"] is None


def test_an_unknown_contract_is_provisioned_in_dev(api):
    answer = api.portfolio("77")
    assert answer.status_code == 200 and answer.json["debtor"] is None


@pytest.mark.parametrize("contract", ["ABC", "123456789012", "12-3"])
def test_a_malformed_contract_number_is_a_400(api, contract):
    assert error_of(api.portfolio(contract)) == (400, "1006")


def test_a_malformed_next_endorsement_no_is_a_400(api):
    answer = api.portfolio(STANDARD, nextEndorsementNo="50a")
    assert error_of(answer) == (400, "1003")
    assert "nextEndorsementNo" in answer.json["error"]["errorDescription"]


# -- lenient and strict readers ---------------------------------------------------------------


def test_lenient_mode_accepts_a_numeric_amount_and_records_a_finding(api):
    answer = api.classify(STANDARD, {"countryCode": "es", "taxCode": "B77777777", "creditLimitRequested": 1000.5})
    assert answer.status_code == 201
    assert answer.json["debtor"]["creditLimitRequested"] == "1000,50"
    entry = api.operator("GET", "journal")["entries"][-1]
    assert {f["rule"] for f in entry["findings"]} == {"amount-format", "code-format"}


@pytest.mark.parametrize("settings", [Settings(strict=True)], ids=["strict"])
def test_strict_mode_refuses_a_numeric_amount(api):
    answer = api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B77777777", "creditLimitRequested": 1000.5})
    assert error_of(answer) == (400, "1003")
