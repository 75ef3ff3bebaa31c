"""Bad input files, handed to each command as a user would: the Sandbox Model (--mocks-dir),
scenarios (seed, --fixtures-dir), replay cases (--replay-dir) and Postman collections
(import-postman). Each is one line naming the file and the problem, and exit status 1; no
traceback, no hang, no code run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from emulator import Settings, create_app, files, resources, serving
from emulator.cli import main

#: Ten levels of ten: 10**9 values once expanded, in ten lines.
ALIAS_BOMB = "".join(
    f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}" if n else '"lol"'] * 10) + "]\n" for n in range(9)
) + "top: [" + ", ".join(["*l8"] * 10) + "]\n"


class Served(Exception):
    """`serve` passed its start-up checks and would have served."""


@pytest.fixture(autouse=True)
def _never_serve(monkeypatch):
    def serve(*args):
        raise Served()

    monkeypatch.setattr(serving, "serve", serve)


def fails_in_one_line(*args: str) -> str:
    """The one line a failing command prints."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    [line] = result.output.splitlines()
    assert line.startswith("Error: ")
    return line.removeprefix("Error: ")


@pytest.fixture
def mocks(tmp_path) -> Path:
    copy = tmp_path / "mocks"
    shutil.copytree(resources.mocks_dir(), copy)
    return copy


@pytest.fixture
def replay(tmp_path) -> Path:
    folder = tmp_path / "replay"
    folder.mkdir()
    return folder


def case(headers: dict | None = None, body: str = "{error: {errorCode: '0'}}") -> str:
    return ("- request: {method: GET, path: portfolio/v1/contracts/1/portfolio}\n"
            f"  response: {{status: 200, body: {body}" + (f", headers: {json.dumps(headers)}" if headers else "") + "}\n")


def test_a_python_tag_in_the_sandbox_model_is_refused_and_runs_nothing(mocks, tmp_path):
    marker = tmp_path / "ran"
    (mocks / "policies.yaml").write_text(f"default: !!python/object/apply:os.system ['touch {marker}']\n")

    line = fails_in_one_line("serve", "--mocks-dir", str(mocks))

    assert line == (f"{mocks / 'policies.yaml'}: line 1, column 10: the tag !!python/object/apply:os.system is not"
                    " allowed: only plain data is read")
    assert not marker.exists()


def test_export_says_in_one_line_what_is_wrong_with_its_sandbox_model(mocks, tmp_path):
    (mocks / "products.yaml").write_text("classifications: [\n")

    line = fails_in_one_line("export", "--client-id", "acme", "--state", str(tmp_path / "s.db"), "--mocks-dir", str(mocks))

    assert line.startswith(f"{mocks / 'products.yaml'}: line 2, column 1: ")


def test_serve_says_in_one_line_where_a_replay_file_is_not_yaml(replay):
    (replay / "cases.yaml").write_text("- request: {method: GET, path: x\n  response: {status: 200}\n")

    line = fails_in_one_line("serve", "--replay-dir", str(replay))

    assert line == (f"{replay / 'cases.yaml'}: line 2, column 11: did not find expected ',' or '}}' (while parsing a"
                    " flow mapping started at line 1, column 12)")


def test_the_same_line_comes_from_the_installed_command_without_a_traceback(replay):
    (replay / "cases.yaml").write_text("- {request: [\n")

    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--replay-dir", str(replay)],
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"Error: {replay / 'cases.yaml'}: line 2, column 1: did not find expected node"
                                        " content (while parsing a flow node)"]


@pytest.mark.parametrize("nesting", ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x"], ids=["flow", "block"])
def test_a_replay_file_nested_100000_deep_is_refused(replay, nesting):
    (replay / "deep.yaml").write_text(nesting)

    line = fails_in_one_line("serve", "--replay-dir", str(replay))

    assert line.startswith(f"{replay / 'deep.yaml'}: line 1, column ")
    assert line.endswith(f": nested more than {files.MAX_DEPTH} levels deep")


def test_an_alias_bomb_at_the_top_of_a_replay_file_is_refused_at_once(replay):
    (replay / "bomb.yaml").write_text(ALIAS_BOMB)

    line = fails_in_one_line("serve", "--replay-dir", str(replay))

    assert line == f"{replay / 'bomb.yaml'}: line 5, column 45: aliases repeat more than 100,000 values in all"


def test_an_alias_bomb_in_a_case_body_is_refused_before_any_request(replay):
    bomb = ALIAS_BOMB.replace("top:", "unused:")
    (replay / "bomb.yaml").write_text("- request: {method: GET, path: portfolio/v1/contracts/1/portfolio}\n"
                                      "  response:\n    status: 200\n    body:\n"
                                      + "".join(f"      {line}\n" for line in bomb.splitlines())
                                      + "      all: [*l8, *l8, *l8]\n")

    with pytest.raises(files.FileError, match=r"bomb\.yaml: line \d+, column \d+: aliases repeat more than 100,000"):
        create_app(Settings(replay_dir=str(replay)))


def test_moderate_aliases_are_plain_yaml_and_load(replay):
    (replay / "shared.yaml").write_text(
        "- request: {method: GET, path: portfolio/v1/contracts/1/portfolio}\n"
        "  response: {status: 200, body: &page {error: {errorCode: '0', errorDescription: ''}, debtor: null}}\n"
        "- request: {method: GET, path: portfolio/v1/contracts/2/portfolio}\n"
        "  response: {status: 200, body: *page}\n")

    app = create_app(Settings(replay_dir=str(replay)))

    replayed = app.extensions["cesce"].replay
    assert len(replayed) == 2 and replayed.find("GET", "/portfolio/v1/contracts/2/portfolio", {}, None).response["debtor"] is None
    app.extensions["cesce"].store.close()


@pytest.mark.parametrize(("headers", "problem"), [
    ({"X-Trace": "a\r\nSet-Cookie: session=stolen"}, "header X-Trace: its value has a line break or a control character"),
    ({"X Trace": "1"}, "header 'X Trace': not a valid header name"),
    ({"X-Trace": "名前"}, "header X-Trace: its value is not Latin-1 text"),
    ({"Content-Length": "5"}, "header Content-Length: the server sets it"),
])
def test_a_case_with_a_header_that_http_cannot_carry_is_refused_at_load(replay, headers, problem):
    (replay / "cases.yaml").write_text(case(headers))

    line = fails_in_one_line("serve", "--replay-dir", str(replay))

    assert line == f"{replay / 'cases.yaml'}: case 1: {problem}"


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 1024)
    scenario = tmp_path / "big.yaml"
    scenario.write_text("description: big\ncontracts: []\n" + "#" * 1024)

    line = fails_in_one_line("seed", str(scenario), "--client-id", "acme", "--state", str(tmp_path / "s.db"))

    assert line == f"{scenario}: larger than 1 KiB"


def test_a_file_that_is_not_utf8_is_refused(replay):
    (replay / "latin1.yaml").write_bytes(case().replace("'0'", "'ñ'").encode("latin-1"))

    assert fails_in_one_line("serve", "--replay-dir", str(replay)) == f"{replay / 'latin1.yaml'}: not UTF-8 text"


# -- scenarios --------------------------------------------------------------------------------


def test_seed_says_the_file_line_and_column_of_malformed_yaml(tmp_path):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("description: mine\ncontracts:\n  - contractNo: '1'\n   policy: standard\n")

    line = fails_in_one_line("seed", str(scenario), "--client-id", "acme", "--state", str(tmp_path / "s.db"))

    assert line == (f"{scenario}: line 4, column 4: did not find expected '-' indicator (while parsing a block"
                    " collection started at line 3, column 3)")
    assert not (tmp_path / "s.db").exists()


def test_seed_of_a_named_scenario_in_a_fixtures_dir_says_what_is_wrong(tmp_path):
    (tmp_path / "deep.yaml").write_text("description: deep\ncontracts: " + "[" * 200 + "]" * 200 + "\n")

    line = fails_in_one_line("seed", "deep", "--fixtures-dir", str(tmp_path), "--client-id", "acme",
                             "--state", str(tmp_path / "s.db"))

    assert line == f"{tmp_path / 'deep.yaml'}: line 2, column 111: nested more than 100 levels deep"


def test_serve_checks_every_scenario_of_a_fixtures_dir_at_start(tmp_path):
    shutil.copytree(resources.fixtures_dir(), tmp_path / "fixtures")
    (tmp_path / "fixtures" / "broken.yaml").write_text("description: [unclosed\n")
    (tmp_path / "fixtures" / "unknown.yaml").write_text("description: x\ncontracts: [{contractNo: '1', colour: red}]\n")

    line = fails_in_one_line("serve", "--fixtures-dir", str(tmp_path / "fixtures"))
    assert line.startswith(f"{tmp_path / 'fixtures' / 'broken.yaml'}: line 2, column 1: ")

    (tmp_path / "fixtures" / "broken.yaml").unlink()
    line = fails_in_one_line("serve", "--fixtures-dir", str(tmp_path / "fixtures"))
    assert line.startswith(f"{tmp_path / 'fixtures' / 'unknown.yaml'}: at contracts/0: ") and "colour" in line


def test_a_scenario_file_broken_after_start_is_a_400_naming_it(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(resources.fixtures_dir(), fixtures)
    app = create_app(Settings(fixtures_dir=str(fixtures)))
    (fixtures / "empty-contract.yaml").write_text("description: !!python/name:os.system\n")
    client = app.test_client()

    answer = client.post("/_emulator/scenarios/empty-contract", query_string={"client_id": "t"},
                         headers={"Content-Type": "application/json"})
    listed = {s["name"]: s for s in client.get("/_emulator/scenarios").json["scenarios"]}

    assert answer.status_code == 400
    assert answer.json["error"].endswith("empty-contract.yaml: line 1, column 14: the tag !!python/name:os.system is"
                                         " not allowed: only plain data is read")
    assert listed["empty-contract"]["error"] == answer.json["error"] and listed["mixed-movements"]["description"]
    app.extensions["cesce"].store.close()


def test_a_posted_scenario_nested_too_deeply_is_a_400(client):
    body = "[" * 500 + "]" * 500
    answer = client.post("/_emulator/scenarios", data=body, query_string={"client_id": "t"},
                         headers={"Content-Type": "application/json"})

    assert (answer.status_code, answer.json["error"]) == (400, "body: nested more than 100 levels deep")


# -- Postman collections ----------------------------------------------------------------------


def collection(tmp_path: Path, *, variables: list | None = None, header: dict | None = None, raw: str = "{}") -> Path:
    example = {"name": "Ejemplo", "code": 200, "body": raw,
               "header": [header or {"key": "X-Trace", "value": "{{trace}}"}],
               "originalRequest": {"method": "GET", "url": "{{baseUrl}}/sandbox/portfolio/v1/contracts/1/portfolio"}}
    document = {"info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
                "variable": variables or [{"key": "trace", "value": "t-1"}],
                "item": [{"name": "Cartera", "request": example["originalRequest"], "response": [example]}]}
    path = tmp_path / "collection.json"
    path.write_text(json.dumps(document))
    return path


def test_a_collection_nested_100000_deep_is_refused(tmp_path):
    source = tmp_path / "deep.json"
    source.write_text('{"info": {}, "item": ' + "[" * 100_000 + "]" * 100_000 + "}")

    line = fails_in_one_line("import-postman", str(source), "--out", str(tmp_path / "out"))

    assert line == f"{source}: nested more than 100 levels deep"
    assert not (tmp_path / "out").exists()


def test_self_multiplying_variables_are_refused_before_they_fill_the_memory(tmp_path):
    hundredfold = [{"key": f"v{n}", "value": "{{v%d}}" % (n + 1) * 100} for n in range(5)] + [{"key": "v5", "value": "x" * 100}]
    source = collection(tmp_path, variables=hundredfold, raw='{"a": "{{v0}}"}')  # 10**12 characters

    line = fails_in_one_line("import-postman", str(source), "--out", str(tmp_path / "out"))

    assert line == f"{source}: its {{{{variables}}}} expand to more than 16 MiB of text"


def test_an_example_whose_header_http_cannot_carry_is_left_out_at_import(tmp_path):
    source = collection(tmp_path, variables=[{"key": "trace", "value": "a\r\nSet-Cookie: s=1"}])

    result = CliRunner().invoke(main, ["import-postman", str(source), "--out", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert ("skipped Cartera / Ejemplo: header X-Trace: its value has a line break or a control character"
            in result.output)


def test_an_example_body_nested_too_deeply_is_left_out_at_import(tmp_path):
    source = collection(tmp_path, raw="[" * 5000 + "]" * 5000)

    result = CliRunner().invoke(main, ["import-postman", str(source), "--out", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert "skipped Cartera / Ejemplo: the saved response: nested more than 100 levels deep" in result.output
