"""Cesce's Postman collection, replayed: `cesce-emulator import-postman` turns the saved examples
of a collection (tests/data/postman-collection.json: folders, {{variables}}, path variables,
query parameters, JSON bodies) into replay cases, and `serve --replay-dir` answers them in the
sandbox catalog exactly as saved."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from emulator import Settings, create_app
from emulator.cli import main
from emulator.control import Control
from emulator.replay import cases, postman

COLLECTION = Path(__file__).parent / "data" / "postman-collection.json"
CONTRACT = "10100000001"


def saved_answer(request_name: str, example_name: str) -> dict:
    """The body of a saved example of the test collection, as Postman keeps it."""
    def find(items):
        for item in items:
            yield from find(item.get("item", []))
            if item.get("name") == request_name:
                yield from item.get("response", [])

    collection = json.loads(COLLECTION.read_text(encoding="utf-8"))
    example = next(e for e in find(collection["item"]) if e["name"] == example_name)
    return json.loads(example["body"])


@pytest.fixture
def replay_dir(tmp_path) -> Path:
    result = CliRunner().invoke(main, ["import-postman", str(COLLECTION), "--out", str(tmp_path / "replay")])
    assert result.exit_code == 0, result.output
    return tmp_path / "replay"


def test_import_writes_one_case_per_saved_example_and_says_what_it_left_out(tmp_path):
    result = CliRunner().invoke(main, ["import-postman", str(COLLECTION), "--out", str(tmp_path / "replay")])

    assert result.exit_code == 0, result.output
    assert f"4 cases written to {tmp_path / 'replay' / 'cesce-api-market-sandbox.yaml'}" in result.output
    assert "skipped OAuth / Obtener token / Token: a token request; the emulator issues tokens itself" in result.output
    assert "skipped Riesgos / Cartera / Cartera completa: no saved example" in result.output
    assert "Página HTML: the saved response: line 1, column 1: not valid JSON: Expecting value" in result.output
    assert f"cesce-emulator serve --replay-dir {tmp_path / 'replay'}" in result.output


def test_the_cases_hold_each_example_below_the_catalog_with_variables_filled_in(replay_dir):
    loaded = {case.name.rsplit(" / ", 1)[-1]: case for case in cases.load([replay_dir])}

    query = loaded["Deudor en vigor (200)"]
    assert (query.method, query.path) == ("GET", f"/classifications/v1/contracts/{CONTRACT}/classifications")
    assert query.query == {"languageCode": "ES", "customerReference": "CLI-0100"}  # the disabled parameter left out
    assert query.headers == {"X-Global-Transaction-ID": "5f2b3c4d-sandbox"}  # Content-Type and Date are the server's
    assert query.response == saved_answer("Consulta de una clasificación", "Deudor en vigor (200)")

    created = loaded["Concedida (201)"]
    assert created.status == 201 and created.body["debtor"]["taxCode"] == "B20000001"  # {{taxCode}} in the JSON body
    movements = loaded["Primera página"]
    assert movements.path == f"/portfolio-movements/v1/contracts/{CONTRACT}/movements"  # :contractNo path variable


def test_a_more_specific_example_is_tried_before_a_general_one():
    collection = {"info": {"name": "order"}, "item": [{"name": "portfolio", "request": {"method": "GET", "url": "x"}, "response": [
        {"name": "any", "code": 200, "originalRequest": {"method": "GET", "url": "{{baseUrl}}/sandbox/portfolio/v1/contracts/1/portfolio"},
         "body": "{\"page\": 1}"},
        {"name": "second page", "code": 200, "originalRequest": {
            "method": "GET", "url": "{{baseUrl}}/sandbox/portfolio/v1/contracts/1/portfolio?nextEndorsementNo=501"},
         "body": "{\"page\": 2}"},
    ]}]}
    imported = postman.convert(collection)

    assert [case["name"] for case in imported.cases] == ["portfolio / second page", "portfolio / any"]
    assert imported.cases[1]["request"]["path"] == "portfolio/v1/contracts/1/portfolio"  # {{baseUrl}} had host and catalog


def test_a_variable_given_on_the_command_line_fills_the_url(tmp_path):
    collection = {"info": {"name": "env"}, "item": [{"name": "movements", "request": {"method": "GET", "url": "x"}, "response": [
        {"name": "ok", "code": 200, "originalRequest": {"method": "GET", "url": "{{host}}/{{catalog}}/portfolio-movements/v1/contracts/7/movements"},
         "body": "{}"}]}]}
    source = tmp_path / "env.json"
    source.write_text(json.dumps(collection))

    result = CliRunner().invoke(main, ["import-postman", str(source), "--out", str(tmp_path / "out"),
                                       "--var", "host=https://api.cesce.es/cesceapiconnect", "--var", "catalog=sandbox"])

    assert result.exit_code == 0, result.output
    assert [case.path for case in cases.load([tmp_path / "out"])] == ["/portfolio-movements/v1/contracts/7/movements"]


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "collection.json: line 1, column 1: not valid JSON: Expecting value"),
    ('{"info": {"schema": "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}, "item": []}',
     "a Postman v1 collection"),
    ('{"info": {"name": "empty"}, "item": []}', "no saved example to replay"),
], ids=["not-json", "v1", "no-examples"])
def test_a_file_that_gives_no_cases_is_an_error_and_writes_nothing(tmp_path, content, message):
    source = tmp_path / "collection.json"
    source.write_text(content)

    result = CliRunner().invoke(main, ["import-postman", str(source), "--out", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "out").exists()


def _token(client, catalog: str) -> dict[str, str]:
    answer = client.post(f"/{catalog}/oauth2/v1/token", data={"grant_type": "password", "client_id": "postman",
                                                               "client_secret": "s", "username": "u", "password": "p"})
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def test_the_sandbox_catalog_replays_the_saved_answers(replay_dir):
    app = create_app(Settings(replay_dir=str(replay_dir)))
    client = app.test_client()
    bearer = _token(client, "sandbox")
    base = f"/sandbox/classifications/v1/contracts/{CONTRACT}/classifications"

    found = client.get(base, query_string={"customerReference": "CLI-0100", "languageCode": "ES"}, headers=bearer)
    assert found.status_code == 200
    assert found.json == saved_answer("Consulta de una clasificación", "Deudor en vigor (200)")
    assert found.headers["X-Global-Transaction-ID"] == "5f2b3c4d-sandbox"

    missing = client.get(base, query_string={"customerReference": "NO-EXISTE", "languageCode": "ES"}, headers=bearer)
    assert (missing.status_code, missing.json) == (400, saved_answer("Consulta de una clasificación", "No existe límite (400)"))

    # A request with more fields than the example still matches it; the example's are all there.
    body = {"client": {"languageCode": "ES"}, "debtor": {"countryCode": "ES", "taxCode": "B20000001", "customerReference": "ERP-9001",
                                                         "creditLimitRequested": "25000,00", "paymentTermsRequested": "60",
                                                         "nonPaymentInd": "N", "companyName": "OTRA SL"}}
    created = client.post(base, json=body, headers=bearer)
    assert (created.status_code, created.json) == (201, saved_answer("Alta de clasificación", "Concedida (201)"))

    moved = client.get(f"/cesceapiconnect/sandbox/portfolio-movements/v1/contracts/{CONTRACT}/movements?languageCode=ES", headers=bearer)
    assert moved.json == saved_answer("Movimientos de cartera", "Primera página")

    # Outside the examples the Sandbox Model answers, and the dev catalog never replays.
    computed = client.get(base, query_string={"customerReference": "CLI-0101"}, headers=bearer)
    assert computed.json["debtor"]["companyName"] == "DISTRIBUCIONES LEVANTE SA"
    dev = client.get(f"/dev/classifications/v1/contracts/{CONTRACT}/classifications",
                     query_string={"customerReference": "CLI-0100", "languageCode": "ES"}, headers=_token(client, "dev"))
    assert dev.json["debtor"]["companyName"] == "FERRETERIAS DEL NORTE SL"
    app.extensions["cesce"].store.close()


def test_serve_replay_dir_replays_an_imported_collection(replay_dir, serve_emulator):
    served = serve_emulator("--replay-dir", str(replay_dir))
    answer = Control(served.url, "postman", catalog="sandbox").request(
        "GET", f"classifications/v1/contracts/{CONTRACT}/classifications",
        query={"languageCode": "ES", "customerReference": "CLI-0100"})
    served.stop()
    assert answer.status == 200
    assert answer.body == saved_answer("Consulta de una clasificación", "Deudor en vigor (200)")
    assert "the sandbox catalog replays 4 cases" in served.log.read_text()


def test_serve_refuses_a_replay_dir_that_does_not_exist(tmp_path):
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--replay-dir", str(tmp_path / "nowhere")],
                          capture_output=True, text=True, timeout=30)

    assert done.returncode == 1
    assert f"--replay-dir {tmp_path / 'nowhere'}: no such directory" in done.stderr
