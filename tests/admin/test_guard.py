"""The operator surface answers its operator only: a web page cannot reset or seed a developer's
emulator (cross-site form posts, text/plain bodies, DNS rebinding), ``--admin-token`` closes it
on a shared network, a tenant is named as the token endpoint names it, and health shows
nothing about the machine."""

from __future__ import annotations

import pytest

from emulator import Settings, create_app
from emulator.control import Control, EmulatorError
from emulator.server import ThreadedServer

JSON = {"Content-Type": "application/json"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def operator_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) of /_emulator, with a name filled in where the path takes one."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/_emulator"):
            path = rule.rule.replace("<name>", "empty-contract")
            found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert len(found) >= 14
    return found


@pytest.fixture
def emulator():
    """``emulator(**settings)``: an app and its test client."""
    made = []

    def make(**settings):
        made.append(create_app(Settings(**settings)))
        return made[-1], made[-1].test_client()

    yield make
    for app in made:
        app.extensions["cesce"].store.close()


#: What the admin token does not guard: health, and the dashboard's sign-in page, its script and style.
OPEN = {"/_emulator/health", "/_emulator/ui/sign-in", "/_emulator/ui/static/<path:filename>"}


def test_with_an_admin_token_every_operator_call_but_health_needs_it(emulator):
    app, client = emulator(admin_token="s3cret")
    for method, path in operator_routes(app):
        if path in OPEN:
            continue
        for authorization in (None, "Bearer wrong", "s3cret", "Basic czNjcmV0"):
            answer = client.open(path, method=method, json={}, query_string={"client_id": "t"},
                                 headers={"Authorization": authorization} if authorization else {})
            assert answer.status_code == 401, (method, path, authorization)
            assert answer.json["error"].startswith("this emulator's operator surface needs its admin token")
            assert answer.headers["WWW-Authenticate"] == 'Bearer realm="cesce-emulator"'
        answer = client.open(path, method=method, json={}, query_string={"client_id": "t"},
                             headers={"Authorization": "Bearer s3cret"})
        assert answer.status_code != 401, (method, path)


def test_health_needs_no_admin_token(emulator):
    _, client = emulator(admin_token="s3cret")
    assert client.get("/_emulator/health").status_code == 200


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_without_the_admin_token_is_asked_for_it_once_and_the_dashboard_works(emulator):
    _, client = emulator(admin_token="s3cret")
    asked = client.get("/_emulator/ui", headers=BROWSER)
    assert (asked.status_code, asked.mimetype) == (401, "text/html")
    page = asked.get_data(as_text=True)
    assert 'id="token-form"' in page and "--admin-token" in page
    for asset in ("sign_in.js", "ui.css"):  # what that page needs comes without the token
        with client.get(f"/_emulator/ui/static/{asset}") as served:
            assert served.status_code == 200

    wrong = client.post("/_emulator/ui/sign-in", json={"token": "guess"})
    assert (wrong.status_code, wrong.json["error"]) == (401, "that is not this emulator's admin token (see --admin-token)")
    assert client.get("/_emulator/ui", headers=BROWSER).status_code == 401
    signed = client.post("/_emulator/ui/sign-in", json={"token": "s3cret"})
    assert signed.status_code == 200
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/_emulator" in cookie

    # The test client keeps the cookie as a browser does: the page and its buttons' calls work.
    assert client.get("/_emulator/ui", headers=BROWSER, query_string={"client_id": "t"}).status_code == 200
    assert client.post("/_emulator/clock", json={"advance": "PT1H"}, query_string={"client_id": "t"}).status_code == 200
    # ...but not from another site, nor in a form post.
    assert client.post("/_emulator/reset", json={}, query_string={"client_id": "t"},
                       headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/_emulator/reset", data="{}", query_string={"client_id": "t"},
                       content_type="text/plain").status_code == 415


def test_the_sign_in_takes_json_only_and_is_for_an_emulator_with_a_token(emulator):
    _, guarded = emulator(admin_token="s3cret")
    assert guarded.post("/_emulator/ui/sign-in", data="token=s3cret",
                        content_type="application/x-www-form-urlencoded").status_code == 415
    assert guarded.post("/_emulator/ui/sign-in", json=["s3cret"]).status_code == 401
    _, open_one = emulator()
    answer = open_one.post("/_emulator/ui/sign-in", json={"token": "anything"})
    assert (answer.status_code, answer.json["error"]) == (400, "this emulator has no admin token: its dashboard is open")


def test_the_admin_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CESCE_EMULATOR_ADMIN_TOKEN", "from-env")
    assert Settings.from_env().admin_token == "from-env"
    assert Settings.from_env(admin_token="flag").admin_token == "flag"


def test_control_sends_the_admin_token_given_or_from_the_environment(monkeypatch):
    monkeypatch.delenv("CESCE_EMULATOR_ADMIN_TOKEN", raising=False)
    with ThreadedServer(Settings(admin_token="s3cret")) as server:
        with pytest.raises(EmulatorError) as refused:
            Control(server.url, "t").reset()
        assert refused.value.status == 401
        assert Control(server.url, "t", admin_token="s3cret").advance("PT1H")["tenant"] == "t"
        monkeypatch.setenv("CESCE_EMULATOR_ADMIN_TOKEN", "s3cret")
        tenant = Control(server.url, "t")
        tenant.reset()
        assert tenant.token()["access_token"]  # business calls never carry it


# -- without a token: cross-site use ---------------------------------------------------------


def test_a_cross_site_form_post_cannot_reset_the_emulator(client):
    assert client.post("/_emulator/scenarios/empty-contract", query_string={"client_id": "victim"}, headers=JSON).status_code == 200

    answer = client.post("/_emulator/reset", base_url="http://evil.example", data={"x": "1"},
                         headers={"Origin": "http://evil.example"})

    assert answer.status_code == 403 and answer.json["error"]
    state = client.get("/_emulator/state", query_string={"client_id": "victim"}).json
    assert "20000000001" in [c["contractNo"] for c in state["contracts"]]


def test_every_operator_write_refuses_a_cross_site_origin_and_a_body_that_is_not_json(app, client):
    for method, path in operator_routes(app):
        if method not in WRITES:
            continue
        query = {"client_id": "t"}
        cross_site = client.open(path, method=method, query_string=query, data={"advance": "PT1H"},
                                 headers={"Origin": "http://evil.example"})
        assert cross_site.status_code == 403, (method, path)
        assert cross_site.json["error"] == "a cross-site request (Origin http://evil.example) cannot use the operator surface"
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
            answer = client.open(path, method=method, query_string=query, data='{"advance": "PT1H"}',
                                 headers={"Content-Type": content_type} if content_type else {})
            assert answer.status_code == 415, (method, path, content_type)
            assert answer.json["error"].startswith("operator writes take Content-Type: application/json (an empty body is fine)")
        assert client.get("/_emulator/clock", query_string=query).json["now"]  # reads need no content type


def test_a_same_origin_request_and_a_body_less_json_post_are_fine(client):
    same_origin = client.post("/_emulator/reset", base_url="http://localhost:8080", headers={**JSON, "Origin": "http://localhost:8080"})
    assert same_origin.status_code == 200
    assert client.post("/_emulator/reset", data="{}", headers=JSON).json == {"reset": "all"}
    assert client.delete("/_emulator/faults", query_string={"client_id": "t"}, headers=JSON).json == {"faults": []}


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:9000", "127.0.1.1", "[::1]:8080",
                                  "my-app.localhost:8080", "LOCALHOST"])
def test_local_names_reach_the_operator_surface(client, host):
    assert client.get("/_emulator/clock", base_url=f"http://{host}", query_string={"client_id": "t"}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "localhost.evil.example", "192.168.1.20:8080",
                                  "[2001:db8::1]:8080"])
def test_a_foreign_host_is_refused_as_dns_rebinding_would_send_it(client, host):
    for method, path in [("GET", "/_emulator/state"), ("GET", "/_emulator/journal"), ("POST", "/_emulator/reset")]:
        answer = client.open(path, method=method, base_url=f"http://{host}", query_string={"client_id": "t"}, headers=JSON)
        assert answer.status_code == 403, (host, path)
        assert answer.json["error"].startswith(f"the Host {host.lower()!r} is not a local name")
        assert "--allowed-hosts" in answer.json["error"]
    assert client.get("/_emulator/health", base_url=f"http://{host}").status_code == 200  # probes come by IP or name


@pytest.mark.parametrize(("allowed", "host", "status"), [
    (("cesce",), "cesce:8080", 200),
    (("cesce",), "cesce.evil.example", 403),
    ((".ci.internal",), "emulator.ci.internal:8080", 200),
    ((".ci.internal",), "ci.internal", 200),
    ((".ci.internal",), "evilci.internal", 403),
    (("*",), "anything.example:1234", 200),
])
def test_allowed_hosts_open_the_surface_to_more_names(emulator, allowed, host, status):
    _, client = emulator(allowed_hosts=allowed)
    assert client.post("/_emulator/reset", base_url=f"http://{host}", headers=JSON).status_code == status


def test_the_configured_host_is_a_name_the_surface_answers_to(emulator):
    _, client = emulator(host="emulator.lan")
    assert client.get("/_emulator/scenarios", base_url="http://emulator.lan:8080").status_code == 200


def test_allowed_hosts_come_from_a_comma_separated_variable(monkeypatch):
    monkeypatch.setenv("CESCE_EMULATOR_ALLOWED_HOSTS", "cesce, .ci.internal,,Emulator")
    assert Settings.from_env().allowed_hosts == ("cesce", ".ci.internal", "emulator")
    assert Settings.from_env(allowed_hosts="one,two").allowed_hosts == ("one", "two")


# -- the tenant, and what health shows -------------------------------------------------------


#: The operator routes that name a tenant.
TENANT_ROUTES = [("POST", "/_emulator/reset"), ("GET", "/_emulator/clock"), ("POST", "/_emulator/clock"),
                 ("GET", "/_emulator/state"), ("POST", "/_emulator/scenarios"), ("POST", "/_emulator/scenarios/empty-contract"),
                 ("GET", "/_emulator/journal"), ("POST", "/_emulator/events"), ("GET", "/_emulator/faults"),
                 ("POST", "/_emulator/faults"), ("DELETE", "/_emulator/faults")]


@pytest.mark.parametrize(("tenant", "reason"), [
    ("bad\x00tenant", "client_id: contains a control character"),
    ("x" * 3000, "client_id: longer than 200 characters"),
    ("tab\there", "client_id: contains a control character"),
])
def test_every_operator_route_names_a_tenant_as_the_token_endpoint_does(client, tenant, reason):
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": tenant,
                                                      "client_secret": "s", "username": "u", "password": "p"})
    assert token.status_code == 401
    for method, path in TENANT_ROUTES:
        for where in ({"query_string": {"client_id": tenant}}, {"headers": {**JSON, "X-Emulator-Tenant": tenant}}):
            answer = client.open(path, method=method, json={} if "headers" not in where else None, **where)
            assert (answer.status_code, answer.json["error"]) == (400, reason), (method, path, where)


def test_health_names_the_kind_of_store_not_its_file(emulator, tmp_path):
    state = tmp_path / "secret-place" / "state.sqlite3"
    state.parent.mkdir()
    for settings, kind in (({"state": str(state)}, "sqlite-file"), ({}, "memory")):
        _, client = emulator(**settings)
        health = client.get("/_emulator/health")
        assert health.json["store"] == kind
        assert "secret-place" not in health.get_data(as_text=True) and "state" not in health.json
