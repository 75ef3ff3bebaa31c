"""Requests an attacker or a careless client sends, each answered in the API's own error format,
never with an undocumented 500, and never leaving a secret in the journal."""

from __future__ import annotations

import socket

import pytest

from emulator import Settings

DEEP = "[" * 1000 + "]" * 1000
CLASSIFY = "classifications/v1/contracts/10100000001/classifications"


def business_posts(app) -> list[str]:
    """Every POST operation the app serves, as a path on the mock contract."""
    return [op.path.replace("{contractNo}", "10100000001") for op in app.extensions["cesce"].api.operations.values()
            if op.method == "POST" and op.secured and "{" not in op.path.replace("{contractNo}", "")]


@pytest.mark.parametrize("settings", [Settings(), Settings(strict=True)], ids=["lenient", "strict"])
def test_json_nested_a_thousand_deep_is_refused_as_invalid_json(api, app):
    posts = business_posts(app)
    assert posts
    for path in posts:
        answer = api.client.post(f"/dev{path}", data=DEEP, content_type="application/json",
                                 headers={"Authorization": f"Bearer {api.bearer}"})
        assert (answer.status_code, answer.json["error"]["errorCode"]) == (400, "1000"), path
        anonymous = api.client.post(f"/dev{path}", data=DEEP, content_type="application/json")
        assert anonymous.status_code == 401, path  # the token is checked first, and nothing breaks
    for operator in ("clock", "events", "faults", "scenarios"):
        answer = api.client.post(f"/_emulator/{operator}?client_id={api.tenant}", data=DEEP, content_type="application/json")
        assert answer.status_code == 400 and "nested" in answer.json["error"], operator


@pytest.mark.parametrize("settings", [Settings(strict=True)], ids=["strict"])
@pytest.mark.parametrize("content_type", ["text/plain", "", "application/json; charset=latin-1"])
def test_strict_mode_takes_json_only_as_application_json_in_utf8(api, content_type):
    body = '{"debtor": {"countryCode": "ES", "taxCode": "B71000009", "creditLimitRequested": "1000,00"}}'
    answer = api.client.post(f"/dev/{CLASSIFY}", data=body, content_type=content_type,
                             headers={"Authorization": f"Bearer {api.bearer}"})
    assert (answer.status_code, answer.json["error"]["errorCode"]) == (400, "1008")
    assert "application/json" in answer.json["error"]["errorDescription"]


def test_lenient_mode_takes_json_sent_as_text_with_a_finding(api):
    body = '{"debtor": {"countryCode": "ES", "taxCode": "B71000009", "creditLimitRequested": "1000,00"}}'
    answer = api.client.post(f"/dev/{CLASSIFY}", data=body, content_type="text/plain",
                             headers={"Authorization": f"Bearer {api.bearer}"})
    assert answer.status_code == 201
    findings = api.operator("GET", "journal")["entries"][-1]["findings"]
    assert [(f["field"], f["rule"]) for f in findings] == [("Content-Type", "content-type")]


def test_secrets_sent_in_a_query_string_never_reach_the_journal(api):
    api.client.post("/dev/oauth2/v1/token?client_secret=s3cret&password=hunter2", data={
        "grant_type": "password", "client_id": api.tenant, "client_secret": "s3cret", "username": "u", "password": "hunter2"})
    api.get(f"{CLASSIFY}", access_token="leaked-token", endorsementNo="100")
    journal = api.client.get(f"/_emulator/journal?client_id={api.tenant}").get_data(as_text=True)
    for secret in ("s3cret", "hunter2", "leaked-token", api.bearer):
        assert secret not in journal
    entries = api.operator("GET", "journal")["entries"]
    assert entries[0]["query"] == {"client_secret": ["***"], "password": ["***"]}
    assert entries[-1]["query"]["access_token"] == ["***"]


# -- through the real server -------------------------------------------------------------------


def _raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.e2e
def test_a_malformed_chunked_body_is_a_400_not_a_500(serve_emulator):
    served = serve_emulator()
    answer = _raw(served.url, b"POST /dev/oauth2/v1/token HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                              b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n"
                              b"5\r\nabcdefg\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b'"httpCode":"400"' in answer


@pytest.mark.e2e
def test_a_chunked_body_over_the_limit_is_a_413_as_with_a_content_length(serve_emulator):
    from emulator.control import Control

    served = serve_emulator()
    token = Control(served.url, "chunky").token()["access_token"]
    big = b"a" * (1024 * 1024 + 10)
    head = (f"POST /dev/{CLASSIFY} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n").encode()
    chunked = _raw(served.url, head + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(big) + big + b"\r\n0\r\n\r\n")
    sized = _raw(served.url, head + b"Content-Length: %d\r\n\r\n" % len(big) + big)
    assert sized.startswith(b"HTTP/1.1 413 ") and chunked.startswith(b"HTTP/1.1 413 "), chunked[:200]


@pytest.mark.parametrize("settings", [Settings(journal_limit=10)], ids=["journal-limit-10"])
def test_a_tenants_journal_keeps_its_latest_entries_only(api, client):
    other = type(api)(client, "another-tenant")
    other.get(CLASSIFY, endorsementNo="100")
    for number in range(25):
        api.get(CLASSIFY, endorsementNo=str(100 + number))
    entries = api.operator("GET", "journal")["entries"]
    # The latest ten, in order: the first requests are gone, the last one is there.
    assert len(entries) == 10
    assert entries[-1]["query"] == {"endorsementNo": ["124"]}
    assert [e["query"]["endorsementNo"][0] for e in entries if e["query"]] == [str(n) for n in range(115, 125)]
    # Another tenant's journal is its own.
    assert len(other.operator("GET", "journal")["entries"]) >= 1
