"""However malformed a request, the answer is never a 500, except the one Cesce documents: a
blank nonPaymentInd on a classification request. The operations fuzzed are those the emulator
serves, read from its document, so a new route is fuzzed without anyone adding it here."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import Settings, create_app

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


@pytest.fixture(scope="module", params=[False, True], ids=["lenient", "strict"])
def client(request):
    app = create_app(Settings(strict=request.param))
    client = app.test_client()
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": "fuzz", "client_secret": "s",
                                                      "username": "u", "password": "p"}).json["access_token"]
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    yield client
    app.extensions["cesce"].store.close()


@pytest.mark.e2e  # the whole served surface, 500 requests a mode
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_no_operation_crashes_on_malformed_requests(fuzzer, strict):
    app = create_app(Settings(strict=strict))
    try:
        fuzzer(app, examples=500)
    finally:
        app.extensions["cesce"].store.close()


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
