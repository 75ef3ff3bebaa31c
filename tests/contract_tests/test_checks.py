"""Each of Cesce's wire-format checks on answers a user could get: Cesce's own shape passes, the
drift the check is named for fails with a message naming the field, and answers the rule does
not cover are left alone."""

from __future__ import annotations

import copy
import json

import pytest
import requests
import schemathesis
from schemathesis import Response

from contract_tests import checks, document

SKIP = checks.SKIP
SCHEMA = schemathesis.openapi.from_dict(document.document())
RECORD = {"countryCode": "ES", "taxCode": "B10000100", "endorsementNo": "100", "creditLimitRequested": "50000,00",
          "creditLimitGranted": "50000,00", "statusCode": "2", "requestEntryDate": "20240115", "cancellationDate": "0"}


def case(operation_id: str, query: dict | None = None, body: dict | None = None):
    operation = document.operation(operation_id)
    case = SCHEMA[operation.path][operation.method].Case(path_parameters={"contractNo": "10100000001"}, query=query or {})
    if body is not None:
        case.body = body
    return case


def answer(status: int, body, query: str = "") -> Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = requests.Request("GET", f"http://cesce.test/dev/x{query}").prepare()
    return Response(status_code=status, headers={"Content-Type": ["application/json"]}, content=content,
                    request=request, elapsed=0.01, verify=True)


def envelope(status_code: str = "0", **entity) -> dict:
    return {"error": {"errorCode": status_code, "errorDescription": ""}, "client": {"contractNo": "10100000001"}, **entity}


def page(records: list | None, following: str = "0") -> dict:
    body = envelope(debtor=records)
    body["client"]["nextEndorsementNo"] = following
    return body


def failure(check, *args) -> str:
    with pytest.raises(AssertionError) as raised:
        check(None, *args)
    return str(raised.value)


GATEWAY_401 = {"httpCode": "401", "httpMessage": "Unauthorized", "moreInformation": "no token"}


def test_envelope_is_present():
    query = case("getClassification")
    assert checks.envelope_is_present(None, answer(200, envelope(debtor=RECORD)), query) is None
    assert checks.envelope_is_present(None, answer(401, GATEWAY_401), query) is SKIP
    assert "no `error` block" in failure(checks.envelope_is_present, answer(200, {"client": {}, "debtor": RECORD}), query)
    assert "no string errorCode" in failure(checks.envelope_is_present, answer(400, {"error": {"errorCode": 2001, "errorDescription": ""}, "client": {}}), query)
    assert "no `client` block" in failure(checks.envelope_is_present, answer(200, {"error": {"errorCode": "0", "errorDescription": ""}}), query)
    assert "JSON array" in failure(checks.envelope_is_present, answer(200, [RECORD]), query)


def test_error_code_matches_status():
    query = case("getClassification")
    assert checks.error_code_matches_status(None, answer(400, envelope("2001")), query) is None
    assert "a success carries errorCode \"0\"" in failure(checks.error_code_matches_status, answer(200, envelope("2001")), query)
    assert "an error needs its own errorCode" in failure(checks.error_code_matches_status, answer(404, envelope("0")), query)


def test_every_value_is_a_string():
    portfolio = case("getPortfolio")
    assert checks.every_value_is_a_string(None, answer(200, page([RECORD])), portfolio) is None
    assert checks.every_value_is_a_string(None, answer(200, page(None)), portfolio) is None  # an empty page
    assert checks.every_value_is_a_string(None, answer(401, GATEWAY_401), portfolio) is None
    numbers = [{**RECORD, "endorsementNo": 100, "creditLimitGranted": None}]
    message = failure(checks.every_value_is_a_string, answer(200, page(numbers)), portfolio)
    assert "debtor[0].endorsementNo is 100" in message and "debtor[0].creditLimitGranted is null" in message
    token = case("token")
    assert checks.every_value_is_a_string(None, answer(200, {"expires_in": 3600}), token) is SKIP


@pytest.mark.parametrize("amount", ["50000.00", "50.000,00", "50000,0", "50000", 50000.0, ""])
def test_amounts_use_decimal_comma(amount):
    query = case("getClassification")
    assert checks.amounts_use_decimal_comma(None, answer(200, envelope(debtor=RECORD)), query) is None
    message = failure(checks.amounts_use_decimal_comma, answer(200, envelope(debtor={**RECORD, "creditLimitGranted": amount})), query)
    assert f"debtor.creditLimitGranted is {json.dumps(amount)}" in message


@pytest.mark.parametrize("day", ["2024-01-15", "15/01/2024", "20241315", "20240230", 20240115, "", None])
def test_dates_are_yyyymmdd(day):
    query = case("getClassification")
    assert checks.dates_are_yyyymmdd(None, answer(200, envelope(debtor=RECORD)), query) is None
    message = failure(checks.dates_are_yyyymmdd, answer(200, envelope(debtor={**RECORD, "requestEntryDate": day})), query)
    assert f"debtor.requestEntryDate is {json.dumps(day)}" in message


def test_empty_page_is_null():
    portfolio = case("getMovements")
    assert checks.empty_page_is_null(None, answer(200, page(None)), portfolio) is None
    assert checks.empty_page_is_null(None, answer(200, page([RECORD])), portfolio) is None
    assert checks.empty_page_is_null(None, answer(200, envelope(debtor=RECORD)), case("getClassification")) is SKIP
    assert "debtor: []; Cesce sends debtor: null" in failure(checks.empty_page_is_null, answer(200, page([])), portfolio)


def _records(*numbers: int) -> list[dict]:
    return [{**RECORD, "endorsementNo": str(number)} for number in numbers]


@pytest.mark.parametrize(("records", "following", "asked", "finding"), [
    (_records(1, 2, 3), "4", "", None),
    (_records(501, 502), "0", "501", None),
    (None, "0", "900", None),
    (_records(1, 2, 3), "3", "", "nextEndorsementNo 3 does not follow the page's last record (3)"),
    (_records(1, 3, 2), "0", "", "not in endorsementNo order"),
    (_records(1, 2), "0", "501", "asked for the page starting at 501, and the page starts at 1"),
    (None, "501", "", "an empty page names a next page (501)"),
    (_records(1), 0, "", "client.nextEndorsementNo is 0, not a number in a string"),
], ids=["next-page", "last-page", "empty-last-page", "repeats", "unordered", "ignores-start", "empty-not-last", "number"])
def test_next_page_cursor_chains(records, following, asked, finding):
    query = f"?nextEndorsementNo={asked}" if asked else ""
    response = answer(200, page(records, following), query)
    portfolio = case("getPortfolio", {"nextEndorsementNo": asked} if asked else {})
    if finding is None:
        assert checks.next_page_cursor_chains(None, response, portfolio) is None
    else:
        assert finding in failure(checks.next_page_cursor_chains, response, portfolio)


def test_gateway_errors_name_their_status():
    query = case("getPortfolio")
    assert checks.gateway_errors_name_their_status(None, answer(401, GATEWAY_401), query) is None
    assert checks.gateway_errors_name_their_status(None, answer(200, page(None)), query) is SKIP
    assert "httpCode is \"401\" on an HTTP 403 answer" in failure(checks.gateway_errors_name_their_status, answer(403, GATEWAY_401), query)
    assert "no string moreInformation" in failure(checks.gateway_errors_name_their_status,
                                                  answer(401, {"httpCode": "401", "httpMessage": "Unauthorized"}), query)


def test_token_times_are_numbers():
    token = case("token")
    good = {"token_type": "Bearer", "access_token": "a", "expires_in": 3600, "consented_on": 1605085323,
            "scope": "read", "refresh_token": "r", "refresh_token_expires_in": 2592000}
    assert checks.token_times_are_numbers(None, answer(200, good), token) is None
    assert checks.token_times_are_numbers(None, answer(401, {"error": "invalid_client"}), token) is SKIP
    message = failure(checks.token_times_are_numbers, answer(200, {**good, "expires_in": "3600", "consented_on": True}), token)
    assert 'expires_in is "3600"' in message and "consented_on is true" in message


def test_server_errors_only_on_blank_fields():
    blank = {"debtor": {"countryCode": "ES", "taxCode": "B1", "creditLimitRequested": "1,00", "nonPaymentInd": " "}}
    documented = answer(500, envelope("9000"))
    assert checks.server_errors_only_on_blank_fields(None, documented, case("createClassification", body=blank)) is None

    filled = copy.deepcopy(blank)
    filled["debtor"]["nonPaymentInd"] = "N"
    assert "HTTP 500, a server error Cesce does not document" in failure(
        checks.server_errors_only_on_blank_fields, documented, case("createClassification", body=filled))
    assert "HTTP 503" in failure(checks.server_errors_only_on_blank_fields, answer(503, GATEWAY_401), case("getPortfolio"))
    assert checks.server_errors_only_on_blank_fields(None, answer(400, envelope("1003")), case("createClassification", body=blank)) is SKIP


def test_the_checks_are_registered_with_schemathesis():
    from schemathesis.checks import CHECKS

    registered = {check.__name__ for check in CHECKS.get_all() if callable(check)}
    ours = {name for name, value in vars(checks).items() if callable(value) and getattr(value, "__module__", "") == checks.__name__
            and not name.startswith("_")}
    assert ours and ours <= registered


def _sales(*numbers: int) -> list[dict]:
    return [{"saleCesceReferenceNo": str(number), "currencyAmount": "100,00"} for number in numbers]


def sales_page(records: list | None, following: str) -> dict:
    body = envelope(sale=records)
    body["client"]["initialValue"] = following
    return body


@pytest.mark.parametrize(("records", "following", "asked", "finding"), [
    (_sales(1000001, 1000002), "1000003", "", None),
    (_sales(1000003), "", "1000003", None),
    (None, "", "", None),
    (_sales(1000001, 1000002), "1000002", "", "initialValue 1000002 does not follow the page's last record (1000002)"),
    # The risk lists' last mark is no last mark here: a client would ask for page "0" again.
    (_sales(1000001), "0", "", "initialValue 0 does not follow the page's last record (1000001)"),
    (None, "1000001", "", "an empty page names a next page (1000001)"),
    (_sales(1000001), "next", "", 'client.initialValue is "next", not a number in a string'),
], ids=["next-page", "last-page", "empty-last-page", "repeats", "risk-lists-last-mark", "empty-not-last", "not-a-number"])
def test_the_sales_list_chains_by_initial_value_until_it_comes_back_empty(records, following, asked, finding):
    query = f"?initialValue={asked}" if asked else ""
    response = answer(200, sales_page(records, following), query)
    listed = case("getSales", {"initialValue": asked} if asked else {})
    if finding is None:
        assert checks.next_page_cursor_chains(None, response, listed) is None
    else:
        assert finding in failure(checks.next_page_cursor_chains, response, listed)
