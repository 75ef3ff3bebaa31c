"""However malformed a request, the answer is never a 500, except the one Cesce documents: a
blank nonPaymentInd on a classification request."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import Settings, create_app

ROUTES = [
    "classifications/v1/contracts/{}/classifications",
    "classifications/v1/contracts/{}/classifications/activate-deactivate",
    "classifications/v1/contracts/{}/classifications/cancel",
    "classifications/v1/contracts/{}/classifications/accept-deny-premium",
    "portfolio/v1/contracts/{}/portfolio",
    "portfolio-movements/v1/contracts/{}/movements",
]
FIELDS = ["countryCode", "taxCode", "endorsementNo", "customerReference", "creditLimitRequested", "nonPaymentInd",
          "nonPaymentAmount", "activateInd", "acceptPremiumInd", "companyName", "currencyCode", "paymentTermsRequested"]
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
debtors = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), scalars | st.sampled_from(["Y", "N", " ", "", "100", "1,00", "ES"]), max_size=6)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"debtor": debtors}, optional={"client": st.dictionaries(st.sampled_from(["languageCode", "contractNo", "x"]), scalars)}),
)
contracts = st.sampled_from(["10100000001", "10200000002", "77"]) | st.text(min_size=1, max_size=14)


@pytest.fixture(scope="module", params=[False, True], ids=["lenient", "strict"])
def client(request):
    app = create_app(Settings(strict=request.param))
    client = app.test_client()
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": "fuzz", "client_secret": "s",
                                                      "username": "u", "password": "p"}).json["access_token"]
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    yield client
    app.extensions["cesce"].store.close()


def documented_500(body) -> bool:
    debtor = body.get("debtor") if isinstance(body, dict) else None
    return isinstance(debtor, dict) and isinstance(debtor.get("nonPaymentInd"), str) and not debtor["nonPaymentInd"].strip()


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), contract=contracts, body=bodies, catalog=st.sampled_from(["dev", "sandbox"]))
def test_json_bodies_never_crash_the_emulator(client, route, contract, body, catalog):
    path = f"/{catalog}/" + route.format(urllib.parse.quote(contract, safe=""))
    answer = client.post(path, data=json.dumps(body), content_type="application/json")
    if answer.status_code == 500:
        assert documented_500(body) and answer.json["error"]["errorCode"] == "9000", (path, body, answer.json)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), raw=st.binary(max_size=64), content_type=st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_raw_bodies_never_crash_the_emulator(client, route, raw, content_type):
    answer = client.post("/dev/" + route.format("10100000001"), data=raw, content_type=content_type)
    assert answer.status_code in (200, 201, 400, 405), answer.get_data()


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), query=st.dictionaries(
    st.sampled_from(["nextEndorsementNo", "languageCode", "endorsementNo", "customerReference", "countryCode", "taxCode"]) | st.text(max_size=5),
    st.text(max_size=25), max_size=4))
def test_query_strings_never_crash_the_emulator(client, route, query):
    answer = client.get("/dev/" + route.format("10100000001"), query_string=query)
    assert answer.status_code in (200, 400, 405), (query, answer.get_data())


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(st.sampled_from(["grant_type", "client_id", "client_secret", "username", "password", "scope",
                                            "refresh_token"]) | st.text(max_size=5), st.text(max_size=30), max_size=7))
def test_token_requests_never_crash_the_emulator(client, form):
    answer = client.post("/dev/oauth2/v1/token", data=form)
    assert answer.status_code in (200, 400, 401), (form, answer.get_data())


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["clock", "events", "faults", "scenarios", "state", "journal", "reset"]), body=json_values,
       tenant=st.text(max_size=12))
def test_operator_requests_never_crash_the_emulator(client, path, body, tenant):
    method = "GET" if path in ("state", "journal") else "POST"
    answer = client.open(f"/_emulator/{path}", method=method, data=json.dumps(body), content_type="application/json",
                         query_string={"client_id": tenant} if tenant else {})
    assert answer.status_code in (200, 400, 404), (path, body, answer.get_data())
