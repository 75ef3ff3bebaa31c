"""The token endpoint and the bearer guard, as a client sees them."""

from __future__ import annotations

import pytest

from emulator import Settings

PORTFOLIO = "portfolio/v1/contracts/10100000001/portfolio"


def test_the_password_grant_answers_cesces_fields_with_their_json_types(api):
    api.operator("POST", "clock", {"set": "2026-01-15T09:00:00Z", "freeze": True})
    answer = api.token()
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert list(body) == ["token_type", "access_token", "expires_in", "consented_on", "scope", "refresh_token",
                          "refresh_token_expires_in"]
    assert (body["token_type"], body["expires_in"], body["refresh_token_expires_in"]) == ("Bearer", 3600, 2592000)
    assert body["consented_on"] == 1768467600  # the tenant's clock, in epoch seconds
    assert body["scope"] == "create read update delete"
    assert all(isinstance(body[k], str) and body[k] for k in ("access_token", "refresh_token"))


@pytest.mark.parametrize("prefix", ["", "/cesceapiconnect"])
@pytest.mark.parametrize("catalog", ["sandbox", "dev", "pre", "pro"])
def test_the_token_endpoint_answers_under_every_catalog(client, prefix, catalog):
    answer = client.post(f"{prefix}/{catalog}/oauth2/v1/token", data={
        "grant_type": "password", "client_id": "c", "client_secret": "s", "username": "any", "password": "thing"})
    assert answer.status_code == 200


def test_the_refresh_grant_gives_a_new_pair_and_the_used_refresh_token_stops_working(api):
    first = api.token().json
    second = api.token(grant_type="refresh_token", refresh_token=first["refresh_token"], username="", password="")
    assert second.status_code == 200
    assert second.json["access_token"] != first["access_token"]
    assert second.json["refresh_token"] != first["refresh_token"]
    assert api.get(PORTFOLIO, token=second.json["access_token"]).status_code == 200
    replay = api.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (replay.status_code, replay.json["error"]) == (400, "invalid_grant")
    third = api.token(grant_type="refresh_token", refresh_token=second.json["refresh_token"])
    assert third.status_code == 200


def test_a_refresh_token_expires_after_30_days_of_the_tenants_clock(api):
    pair = api.token().json
    api.advance("P29DT23H")
    assert api.token(grant_type="refresh_token", refresh_token=pair["refresh_token"]).status_code == 200
    pair = api.token().json
    api.advance("P30D")
    expired = api.token(grant_type="refresh_token", refresh_token=pair["refresh_token"])
    assert (expired.status_code, expired.json["error"]) == (400, "invalid_grant")


def test_a_refresh_token_belongs_to_its_client(api, client):
    pair = api.token().json
    other = client.post("/dev/oauth2/v1/token", data={"grant_type": "refresh_token", "client_id": "someone-else",
                                                      "client_secret": "s", "refresh_token": pair["refresh_token"]})
    assert (other.status_code, other.json["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(("form", "status", "error"), [
    ({"grant_type": None}, 400, "invalid_request"),
    ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
    ({"client_secret": None}, 401, "invalid_client"),
    ({"client_id": None}, 401, "invalid_client"),
    ({"username": None}, 400, "invalid_request"),
    ({"scope": "read admin"}, 400, "invalid_scope"),
    ({"grant_type": "refresh_token", "refresh_token": "nonsense"}, 400, "invalid_grant"),
    ({"grant_type": "refresh_token"}, 400, "invalid_request"),
])
def test_bad_token_requests_get_oauth2_errors(api, form, status, error):
    data = {"grant_type": "password", "client_id": api.tenant, "client_secret": "s", "username": "u", "password": "p", **form}
    answer = api.client.post("/dev/oauth2/v1/token", data={k: v for k, v in data.items() if v is not None})
    assert (answer.status_code, answer.json["error"]) == (status, error)
    assert set(answer.json) == {"error", "error_description"}


def test_a_json_token_request_is_told_to_send_form_parameters(client):
    answer = client.post("/dev/oauth2/v1/token", json={"grant_type": "password"})
    assert (answer.status_code, answer.json["error"]) == (400, "invalid_request")
    assert "x-www-form-urlencoded" in answer.json["error_description"]


# -- the bearer guard ---------------------------------------------------------------------------


def gateway_error(answer, status: int) -> None:
    assert answer.status_code == status
    assert set(answer.json) == {"httpCode", "httpMessage", "moreInformation"}
    assert answer.json["httpCode"] == str(status)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-token"])
def test_a_missing_or_unknown_token_is_a_401_in_the_gateways_shape(client, header):
    headers = {"Authorization": header} if header is not None else {}
    answer = client.get(f"/dev/{PORTFOLIO}", headers=headers)
    gateway_error(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_access_token_lives_3600_seconds_of_the_tenants_clock(api):
    token = api.token().json["access_token"]
    api.advance("PT59M59S")
    assert api.get(PORTFOLIO, token=token).status_code == 200
    api.advance("PT1S")
    expired = api.get(PORTFOLIO, token=token)
    gateway_error(expired, 401)
    assert "expired" in expired.json["moreInformation"]


def test_a_token_without_the_operations_scope_is_a_403(api):
    reader = api.token(scope="read").json["access_token"]
    assert api.get(PORTFOLIO, token=reader).status_code == 200
    body = {"debtor": {"countryCode": "ES", "taxCode": "B1", "creditLimitRequested": "1,00"}}
    gateway_error(api.post("classifications/v1/contracts/10100000001/classifications", body, token=reader), 403)
    creator = api.token(scope="create").json["access_token"]
    assert api.post("classifications/v1/contracts/10100000001/classifications", body, token=creator).status_code == 201
    gateway_error(api.post("classifications/v1/contracts/10100000001/classifications/cancel",
                           {"debtor": {"endorsementNo": "100"}}, token=creator), 403)


def test_a_token_works_only_in_the_catalog_that_issued_it(api, sandbox):
    sandbox_token = sandbox.token().json["access_token"]
    refused = api.get(PORTFOLIO, token=sandbox_token)
    gateway_error(refused, 401)
    assert "issued by the sandbox catalog" in refused.json["moreInformation"]
    assert "not valid in this catalog (dev)" in refused.json["moreInformation"]
    assert sandbox.get(PORTFOLIO, token=sandbox_token).status_code == 200


@pytest.mark.parametrize("value", ["not-a-token", "x" * 43, "Zm9vYmFy=="])
def test_a_garbage_or_unknown_token_is_said_to_be_unknown_not_of_another_catalog(api, value):
    refused = api.get(PORTFOLIO, token=value)
    gateway_error(refused, 401)
    assert "the access token is unknown" in refused.json["moreInformation"]
    assert "catalog" not in refused.json["moreInformation"]


def test_a_refresh_token_sent_as_the_bearer_is_named_as_such(api):
    refused = api.get(PORTFOLIO, token=api.token().json["refresh_token"])
    gateway_error(refused, 401)
    assert "this is a refresh token" in refused.json["moreInformation"]


def test_unknown_routes_and_methods_get_the_gateways_404_and_405(api, client):
    gateway_error(client.get("/dev/no-such-api/v1/contracts/1/things"), 404)
    gateway_error(client.get("/staging/portfolio/v1/contracts/1/portfolio"), 404)
    gateway_error(client.delete(f"/dev/{PORTFOLIO}"), 405)
    gateway_error(client.get("/dev/oauth2/v1/token"), 405)


def test_a_body_over_a_megabyte_is_a_413(api):
    body = {"debtor": {"otherComments": "x" * (1024 * 1024)}}
    gateway_error(api.post("classifications/v1/contracts/10100000001/classifications", body), 413)


@pytest.mark.parametrize("settings", [Settings(strict=True)], ids=["strict"])
def test_tokens_do_not_depend_on_strict_mode(api):
    assert api.get(PORTFOLIO).status_code == 200
