"""`cesce-contract check-server` as a user runs it: a running emulator passes; a server that
drifts from Cesce's wire format is reported, naming the rule, the operation and a curl command,
and the command exits 1; a base URL that cannot be checked is a usage error (exit 2)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from contract_tests import document
from contract_tests.check_server import check_server
from emulator import Settings, wire
from emulator.control import call
from emulator.risks import api as risks_api
from emulator.risks import records as risks_records
from emulator.risks import rules as risks_rules
from emulator.server import ThreadedServer

pytestmark = pytest.mark.e2e  # schemathesis runs against served emulators


def check(*args: str):
    return CliRunner().invoke(check_server, [*args, "--seed", "1"])


@pytest.fixture
def emulator() -> Iterator[ThreadedServer]:
    with ThreadedServer(Settings(strict=True)) as server:
        yield server


def test_a_running_emulator_passes_with_valid_and_invalid_data_and_links(emulator):
    result = check("--base-url", emulator.url, "--max-examples", "10", "--invalid-data")

    assert result.exit_code == 0, result.output
    assert "stateful done" in result.output and "link scenarios" in result.output
    progress = [line for line in result.output.splitlines() if re.fullmatch(
        r"(examples|coverage|fuzzing|stateful) done: [0-9]+ requests so far, 0 findings \([0-9.]+ s\)", line)]
    assert [line.split()[0] for line in progress] == ["examples", "coverage", "fuzzing", "stateful"]
    assert result.output.index(progress[-1]) < result.output.index("Phases: ")
    for operation_id in document.operation_ids():
        operation = document.operation(operation_id)
        assert f"[ ok ] {operation.method} {operation.path}  (" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("no findings: ")


def test_the_sandbox_catalog_passes_for_a_mock_contract(emulator):
    result = check("--base-url", emulator.url + "/cesceapiconnect", "--catalog", "sandbox",
                   "--contract-no", "10100000001", "--max-examples", "10")

    assert result.exit_code == 0, result.output
    assert "Checking " + emulator.url + "/cesceapiconnect/sandbox " in result.output


#: The claims contract of the Sandbox Model, whose sale 8000009 matured unpaid with no claim:
#: the sale the document's declaration example names (with dossierNo 0).
CLAIMS_CONTRACT = "10600000008"


def test_the_declaration_example_opens_a_dossier_on_the_claims_contract():
    """A generated sale is never one Cesce takes a claim on: the declaration's 201, where the
    claims links start, comes from the document's example (sale 8000009, dossierNo 0)."""
    with ThreadedServer(Settings()) as server:
        result = check("--base-url", server.url, "--contract-no", CLAIMS_CONTRACT, "--max-examples", "1",
                       "--no-stateful", "--operation", "declareNonPayment")
        token = call("POST", f"{server.url}/dev/oauth2/v1/token", form={
            "grant_type": "password", "client_id": "cesce-contract", "client_secret": "secret", "username": "user",
            "password": "password"}).body["access_token"]
        dossiers = call("GET", f"{server.url}/dev/claims/v1/contracts/{CLAIMS_CONTRACT}/dossiers?languageCode=ES",
                        headers={"Authorization": f"Bearer {token}"}).body["dossier"]

    assert result.exit_code == 0, result.output
    assert " to 1 operations in " in result.output
    assert "807" in [dossier["endorsementNo"] for dossier in dossiers]  # sale 8000009's debtor


#: The declaration and the operations its links lead to.
CLAIMS_CHAIN = ("declareNonPayment", "getDossier", "getNonPayment", "getDocuments", "getProcessingSteps")


def test_the_claims_links_are_followed_from_the_declaration_every_run():
    """Link scenarios start from drawn declarations, which Cesce refuses; the walk that ends the
    run follows each link from the examples phase's 201, so "declare, then read the dossier" is
    checked every run, not now and then."""
    with ThreadedServer(Settings()) as server:
        result = check("--base-url", server.url, "--contract-no", CLAIMS_CONTRACT, "--max-examples", "2",
                       *[arg for name in CLAIMS_CHAIN for arg in ("--operation", name)])

    assert result.exit_code == 0, result.output
    assert re.search(r"\(\d+ link scenarios, [1-9]\d* links walked\)", result.output), result.output
    for link in ("ReadTheDossier", "ReadTheNonPaymentBack", "ListTheDocumentsItAsksFor", "FollowItsProcessing"):
        assert re.search(rf"^  {link}  [1-9]\d* of [1-9]\d*$", result.output, re.M), result.output


def test_an_operation_the_document_does_not_have_is_a_usage_error():
    result = CliRunner().invoke(check_server, ["--base-url", "http://127.0.0.1:9", "--operation", "declareClaim"])

    assert result.exit_code == 2, result.output
    assert "'declareClaim' is not an operationId of the document; it has token, getClassification," in " ".join(
        result.output.split())


def _renderer(field_format: str, drift):
    """The emulator's record renderer, with every field of a wire format passed through ``drift``."""
    names = document.fields_in_format(field_format)

    def render(record):
        return {key: drift(value) if key in names else value for key, value in wire.render_record(record).items()}

    return render


def _number(amount: str) -> float:
    return float(amount.replace(",", "."))  # "25000,00" -> 25000.0


def _iso(day: str) -> str:
    return f"{day[:4]}-{day[4:6]}-{day[6:]}" if day != "0" else day  # "20260115" -> "2026-01-15"


def _no_error_block(client, **entity):
    return {"client": client, **entity}


def _repeating_page(rows, size):
    following = rows[size - 1]["endorsement_no"] if len(rows) > size else 0  # the last record again
    return risks_rules.Page([row["wire"] for row in rows[:size]], following)


# A renderer of the emulator replaced by one that drifts from Cesce's wire format, and the
# checks that must report it.
def _drift(monkeypatch, field_format: str, drift) -> None:
    """Records rendered with a drift: single records as they are answered, and every record's
    wire text as it is kept (what pages join)."""
    render = _renderer(field_format, drift)
    monkeypatch.setattr(risks_api, "render_record", render)
    monkeypatch.setattr(risks_records, "record_text", lambda record: wire.dumps(render(record)))


DRIFTS = [
    ("amount-as-number", lambda mp: _drift(mp, "amount", _number), ["amounts_use_decimal_comma", "every_value_is_a_string"]),
    ("iso-dates", lambda mp: _drift(mp, "date", _iso), ["dates_are_yyyymmdd"]),
    ("no-error-block", lambda mp: (mp.setattr(risks_api, "envelope", _no_error_block), mp.setattr(wire, "envelope", _no_error_block)),
     ["envelope_is_present"]),
    ("page-repeats-a-record", lambda mp: mp.setattr(risks_rules, "_page", _repeating_page), ["next_page_cursor_chains"]),
]


@pytest.mark.parametrize(("drift", "findings"), [drift[1:] for drift in DRIFTS], ids=[drift[0] for drift in DRIFTS])
def test_a_drifting_emulator_is_reported_and_fails(monkeypatch, drift, findings):
    drift(monkeypatch)
    with ThreadedServer(Settings(page_size=4)) as server:
        result = check("--base-url", server.url, "--contract-no", "10100000001", "--max-examples", "5", "--no-stateful")

    assert result.exit_code == 1, result.output
    for name in findings:
        assert f". {name}: GET /portfolio/v1/contracts/{{contractNo}}/portfolio" in result.output, result.output
    assert "[FAIL] GET /portfolio/v1/contracts/{contractNo}/portfolio" in result.output
    assert "curl -X GET" in result.output and "/dev/portfolio/v1/contracts/10100000001/portfolio" in result.output
    assert " finding" in result.output.rstrip().splitlines()[-1]


class NotQuiteCesce:
    """A small hand-written server with a token endpoint and a portfolio that answers numbers,
    an empty list for an empty page and no error block: the drift a home-made mock often has."""

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.endswith("/oauth2/v1/token"):
            body, status = {"token_type": "Bearer", "access_token": "t", "expires_in": "3600", "consented_on": 0,
                            "scope": "read", "refresh_token": "r", "refresh_token_expires_in": 2592000}, 200
        elif request.path.endswith("/portfolio"):
            body, status = {"client": {"contractNo": "1", "nextEndorsementNo": 0}, "debtor": []}, 200
        else:
            body, status = {"httpCode": "404", "httpMessage": "Not Found", "moreInformation": "No resources match"}, 404
        return Response(json.dumps(body), status, mimetype="application/json")(environ, start_response)


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def serving(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_any_server_can_be_checked_and_its_drift_is_named():
    with serving(NotQuiteCesce()) as url:
        result = check("--base-url", url, "--max-examples", "3", "--no-stateful")

    assert result.exit_code == 1, result.output
    for name in ("envelope_is_present", "every_value_is_a_string", "empty_page_is_null", "next_page_cursor_chains"):
        assert f". {name}: GET /portfolio/v1/contracts/{{contractNo}}/portfolio" in result.output, result.output
    assert ". token_times_are_numbers: POST /oauth2/v1/token" in result.output
    assert "expires_in is \"3600\"" in result.output


@pytest.mark.parametrize(("args", "message"), [
    ([], "Missing option '--base-url'"),
    (["--base-url", "localhost:8080"], "is not an http(s) URL"),
    (["--base-url", "http://127.0.0.1:8080/dev"], "ends with the catalog 'dev'; give the server's root (http://127.0.0.1:8080)"),
], ids=["missing", "not-a-url", "catalog-in-the-url"])
def test_a_base_url_that_cannot_be_used_is_a_usage_error(args, message):
    result = CliRunner().invoke(check_server, args)

    assert result.exit_code == 2, result.output
    assert message in result.output


def test_an_unreachable_server_is_a_usage_error_not_a_finding(unused_url):
    url = unused_url
    result = check("--base-url", url)

    assert result.exit_code == 2, result.output
    assert f"cannot reach {url}/dev/oauth2/v1/token" in result.output
    assert "finding" not in result.output


def test_credentials_the_token_endpoint_refuses_are_a_usage_error(emulator):
    result = check("--base-url", emulator.url, "--client-secret", "")

    assert result.exit_code == 2, result.output
    assert "gave no token for these credentials: HTTP 401" in result.output and "invalid_client" in result.output
