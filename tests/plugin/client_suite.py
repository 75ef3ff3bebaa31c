"""A Cesce client's test suite written with nothing but the cesce plugin's fixtures and markers.
tests/plugin runs this very file in-process, against a served emulator and under xdist.

``_call`` stands for the client under test: it only knows ``base_url``, ``token_url`` and the
credentials the ``cesce`` fixture hands it."""

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

STANDARD = "10100000001"
NEW_CONTRACT = "55500000001"  # not in the Sandbox Model: provisioned on first use


def _call(method, url, token=None, body=None, form=None):
    headers, data = {}, None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _portfolio(cesce, contract, token=None):
    status, body = _call("GET", f"{cesce.base_url}/portfolio/v1/contracts/{contract}/portfolio",
                         token or cesce.token()["access_token"])
    assert status == 200, body
    return {d["endorsementNo"]: d for d in body["debtor"] or []}


def _classify(cesce, contract, tax_code, amount="10000,00"):
    debtor = {"countryCode": "ES", "taxCode": tax_code, "companyName": f"CLIENTE {tax_code} SL",
              "creditLimitRequested": amount}
    status, body = _call("POST", f"{cesce.base_url}/classifications/v1/contracts/{contract}/classifications",
                         cesce.token()["access_token"], body={"debtor": debtor})
    assert status == 201, body
    return body["debtor"]


def test_the_client_gets_a_token_from_the_token_url(cesce):
    status, body = _call("POST", cesce.token_url, form={
        "grant_type": "password", "client_id": cesce.client_id, "client_secret": cesce.client_secret,
        "username": cesce.username, "password": cesce.password})

    assert status == 200
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)


def test_the_portfolio_of_a_mock_contract(cesce):
    portfolio = _portfolio(cesce, STANDARD)

    assert portfolio["100"]["creditLimitGranted"] == "50000,00"
    assert portfolio["300001"]["statusCode"] == "1"


def test_a_classification_can_be_read_back(cesce):
    created = _classify(cesce, NEW_CONTRACT, "B11111111")

    status, body = _call("GET", f"{cesce.base_url}/classifications/v1/contracts/{NEW_CONTRACT}/classifications"
                         f"?endorsementNo={created['endorsementNo']}", cesce.token()["access_token"])

    assert status == 200
    assert body["debtor"]["taxCode"] == "B11111111"


@pytest.mark.parametrize("test_no", range(6))
def test_each_test_sees_only_its_own_debtors(cesce, test_no):
    mine = {f"B{test_no}000000{n}" for n in (1, 2)}
    for tax_code in sorted(mine):
        _classify(cesce, NEW_CONTRACT, tax_code)

    assert {d["taxCode"] for d in _portfolio(cesce, NEW_CONTRACT).values()} == mine
    assert [e["operation"] for e in cesce.journal() if e["operation"] != "token"] == \
        ["createClassification", "createClassification", "getPortfolio"]


def test_a_token_expires_when_the_clock_moves_an_hour(cesce):
    token = cesce.token()["access_token"]
    before = cesce.now()

    after = cesce.advance("PT1H1M")

    assert after - before >= timedelta(hours=1, minutes=1)
    status, body = _call("GET", f"{cesce.base_url}/portfolio/v1/contracts/{STANDARD}/portfolio", token)
    assert (status, body["httpCode"]) == (401, "401")


def test_movements_forget_a_grant_after_48_hours(cesce):
    created = _classify(cesce, NEW_CONTRACT, "B22222222")
    url = f"{cesce.base_url}/portfolio-movements/v1/contracts/{NEW_CONTRACT}/movements"
    assert [d["endorsementNo"] for d in _call("GET", url, cesce.token()["access_token"])[1]["debtor"]] == \
        [created["endorsementNo"]]

    cesce.advance(timedelta(hours=49))

    assert _call("GET", url, cesce.token()["access_token"])[1]["debtor"] is None


@pytest.mark.cesce_clock("2026-01-15T09:00:00Z")
def test_the_clock_marker_freezes_the_tenant_clock(cesce):
    assert cesce.now() == cesce.now() == datetime(2026, 1, 15, 9, tzinfo=timezone.utc)
    assert _classify(cesce, NEW_CONTRACT, "B33333333")["requestEntryDate"] == "20260115"


@pytest.mark.cesce_scenario("guide-pending-example")
def test_the_committee_grants_the_pending_request_on_day_7(cesce):
    before = _portfolio(cesce, "20000000003")
    assert (before["100"]["creditLimitGranted"], before["300001"]["statusCode"]) == ("50000,00", "1")

    cesce.advance("P7D")

    after = _portfolio(cesce, "20000000003")
    assert list(after) == ["100"]
    assert after["100"]["creditLimitGranted"] == "75000,00"


def test_cesce_reduces_a_limit(cesce):
    cesce.events({"type": "reduce", "contractNo": STANDARD, "endorsementNo": "101", "amount": "1000,00"})

    assert _portfolio(cesce, STANDARD)["101"]["creditLimitGranted"] == "1000,00"
    assert [e["operation"] for e in cesce.journal()] == ["token", "getPortfolio"]


def test_an_injected_fault_answers_once(cesce):
    cesce.fault(status=503, operation="getPortfolio")
    token = cesce.token()["access_token"]
    url = f"{cesce.base_url}/portfolio/v1/contracts/{STANDARD}/portfolio"

    assert [_call("GET", url, token)[0] for _ in range(2)] == [503, 200]


def test_the_state_shows_a_classified_debtor(cesce):
    _classify(cesce, NEW_CONTRACT, "B44444444")

    [contract] = cesce.state(NEW_CONTRACT)["contracts"]
    assert [d["taxCode"] for d in contract["debtors"]] == ["B44444444"]
