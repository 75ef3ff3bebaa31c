"""`cesce-emulator` as a user runs it: serve with a state file across restarts, clean shutdown
on SIGTERM and Ctrl-C, one log line per request, settings from flags and environment."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from emulator.areas import discover
from emulator.control import Control, call
from emulator.store import all_migrations

pytestmark = pytest.mark.e2e  # serves the emulator in subprocesses


def test_a_state_file_keeps_every_classification_across_restarts(tmp_path, serve_emulator):
    state = str(tmp_path / "state.sqlite3")
    served = serve_emulator("--state", state)
    tenant = Control(served.url, "restart")
    token = tenant.token()["access_token"]
    numbers = []
    for n in range(5):
        answer = tenant.request("POST", "classifications/v1/contracts/10100000001/classifications", token,
                                {"debtor": {"countryCode": "ES", "taxCode": f"B555{n:05d}", "creditLimitRequested": "1000,00"}})
        numbers.append(answer.body["debtor"]["endorsementNo"])
    tenant.advance("PT2H")
    assert served.stop() == 0

    served = serve_emulator("--state", state)
    tenant = Control(served.url, "restart")
    token = tenant.token()["access_token"]
    for n, number in enumerate(numbers):
        answer = tenant.request("GET", "classifications/v1/contracts/10100000001/classifications", token,
                                query={"countryCode": "ES", "taxCode": f"B555{n:05d}"})
        assert answer.body["debtor"]["endorsementNo"] == number
    assert [e["operation"] for e in tenant.journal()][:6] == ["token"] + ["createClassification"] * 5
    assert served.stop(signal.SIGINT) == 0


def test_serve_logs_one_line_per_request_and_takes_its_settings_from_the_environment(serve_emulator):
    served = serve_emulator(env={"CESCE_EMULATOR_STRICT": "true", "CESCE_EMULATOR_PAGE_SIZE": "100"})
    health = call("GET", served.url + "/_emulator/health").body
    assert (health["strict"], health["pageSize"], health["store"]) == (True, 100, "memory")
    for _ in range(3):
        call("GET", served.url + "/dev/portfolio/v1/contracts/1/portfolio")
    assert served.stop() == 0
    log = served.log.read_text()
    assert log.count('"GET /dev/portfolio/v1/contracts/1/portfolio HTTP/1.1" 401') == 3


def test_the_access_log_keeps_no_secret_sent_in_a_query_string(serve_emulator):
    served = serve_emulator()
    call("POST", served.url + "/dev/oauth2/v1/token?grant_type=password&client_id=a&client_secret=s3cr3t&password=pw0rd")
    call("GET", served.url + "/dev/portfolio/v1/contracts/1/portfolio?access_token=t0k3n&languageCode=EN")
    log = served.access_log()
    assert "client_id=a&client_secret=***&password=***" in log and "access_token=***&languageCode=EN" in log
    assert not {"s3cr3t", "pw0rd", "t0k3n"} & set(re.findall(r"\w+", log))


@pytest.mark.parametrize("value", ["lots", "0"])
def test_a_bad_setting_is_a_usage_error(tmp_path, value):
    done = subprocess.run([sys.executable, "-m", "emulator", "serve"], capture_output=True, text=True,
                          env={**os.environ, "CESCE_EMULATOR_PAGE_SIZE": value}, cwd=tmp_path)
    assert done.returncode == 2 and "CESCE_EMULATOR_PAGE_SIZE" in done.stderr


@pytest.mark.parametrize(("args", "env", "error"), [
    (["--port", "99999"], {}, "--port: 99999 is not between 0 and 65535"),
    (["--port", "99999"], {"CESCE_EMULATOR_PORT": "8081", "PORT": "8082"}, "--port: 99999 is not between 0 and 65535"),
    (["--threads", "0"], {}, "--threads: 0 is not between 1 and 1024"),
    ([], {"CESCE_EMULATOR_PORT": "99999"}, "CESCE_EMULATOR_PORT: 99999 is not between 0 and 65535"),
    ([], {"PORT": "http"}, "PORT: expected an integer, got 'http'"),
])
def test_a_bad_setting_names_the_flag_or_variable_that_gave_it(tmp_path, args, env, error):
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CESCE_EMULATOR_") and k != "PORT"}
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", *args], capture_output=True, text=True,
                          env={**inherited, **env}, cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    assert [line for line in done.stderr.splitlines() if line.startswith("Error:")] == [f"Error: {error}"]


def test_an_unusable_state_file_fails_at_start(tmp_path):
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--state", str(tmp_path / "no" / "such" / "dir.db")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert done.returncode == 1 and "cannot use the state file" in done.stderr


def test_a_broken_sandbox_model_fails_at_start_naming_the_file(tmp_path):
    import shutil

    from emulator import resources

    mocks = tmp_path / "mocks"
    shutil.copytree(resources.mocks_dir(), mocks)
    (mocks / "policies.yaml").write_text("default: standard\npolicies: {standard: {ppc: maybe}}\n")
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--mocks-dir", str(mocks)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=30)
    assert done.returncode == 1 and "policies.yaml" in done.stderr


def test_seed_and_export_work_on_a_state_file(tmp_path):
    state = str(tmp_path / "s.sqlite3")
    run = [sys.executable, "-m", "emulator"]
    seeded = subprocess.run([*run, "seed", "guide-pending-example", "--client-id", "acme", "--state", state],
                            capture_output=True, text=True, check=True, cwd=tmp_path)
    assert json.loads(seeded.stdout)["contracts"] == ["20000000003"]
    exported = subprocess.run([*run, "export", "--client-id", "acme", "--state", state], capture_output=True,
                              text=True, check=True, cwd=tmp_path)
    contracts = {c["contractNo"]: c for c in json.loads(exported.stdout)["contracts"]}
    assert [d["endorsementNo"] for d in contracts["20000000003"]["debtors"]] == ["100", "300001"]


def test_seed_generates_a_large_portfolio_reporting_each_step_on_a_line_when_not_on_a_terminal(tmp_path):
    state = str(tmp_path / "s.sqlite3")
    done = subprocess.run([sys.executable, "-m", "emulator", "seed", "--generate-debtors", "4500", "--contract", "30000000007",
                           "--client-id", "acme", "--state", state], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["contracts"] == ["30000000007"]
    assert done.stderr.splitlines() == ["seeded 2,000 of 4,500 debtors", "seeded 4,000 of 4,500 debtors",
                                        "seeded 4,500 of 4,500 debtors"]
    exported = subprocess.run([sys.executable, "-m", "emulator", "export", "--client-id", "acme", "--state", state,
                               "--contract-no", "30000000007"], capture_output=True, text=True, check=True, cwd=tmp_path)
    [contract] = json.loads(exported.stdout)["contracts"]
    debtors = contract["debtors"]
    assert [d["endorsementNo"] for d in debtors] == [str(n) for n in range(1, 4501)]
    assert len({d["taxCode"] for d in debtors}) == 4500 and {d["statusCode"] for d in debtors} == {"2"}


def test_seed_shows_a_progress_bar_on_a_terminal(tmp_path):
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "emulator", "seed", "--generate-debtors", "2500", "--client-id", "acme",
                               "--state", str(tmp_path / "s.sqlite3")], stdout=subprocess.PIPE, stderr=follower,
                              cwd=tmp_path, timeout=300)
    finally:
        os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert json.loads(done.stdout)["contracts"] == ["30000000001"]
    assert b"seeding debtors" in shown and b"2500/2500" in shown and b"seeded 2,000" not in shown


@pytest.mark.parametrize(("args", "error"), [
    ([], "give a SCENARIO or --generate-debtors N"),
    (["guide-pending-example", "--generate-debtors", "5"], "give a SCENARIO or --generate-debtors N, not both"),
    (["guide-pending-example", "--contract", "30000000001"], "--contract goes with --generate-debtors"),
    (["--generate-debtors", "5", "--contract", "ABC"], "Invalid value for --contract: up to 11 digits"),
    (["--generate-debtors", "0"], "Invalid value for '--generate-debtors': 0 is not in the range 1<=x<=200000."),
])
def test_a_seed_that_cannot_be_done_is_a_usage_error_saying_why(tmp_path, args, error):
    done = subprocess.run([sys.executable, "-m", "emulator", "seed", *args, "--client-id", "acme", "--state",
                           str(tmp_path / "s.sqlite3")], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and done.stderr.splitlines()[-1] == f"Error: {error}"


@pytest.mark.parametrize(("make", "problem"), [
    (lambda path: None, "no such file"),
    (lambda path: path.write_text("client_id,limit\nacme,1000\n"), "not an SQLite database (file is not a database)"),
    (lambda path: path.write_bytes(b""), "an SQLite database without the emulator's tables"),
])
def test_export_of_a_file_that_is_not_a_state_file_says_so_in_one_line(tmp_path, make, problem):
    state = tmp_path / "state.sqlite3"
    make(state)
    before = state.read_bytes() if state.exists() else None
    done = subprocess.run([sys.executable, "-m", "emulator", "export", "--client-id", "acme", "--state", str(state)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [f"Error: --state {state}: {problem}; export reads a state file written by"
                                        " `cesce-emulator serve --state` or `seed`"]
    assert (state.read_bytes() if state.exists() else None) == before  # neither created nor changed


def test_export_of_a_tenant_the_state_file_does_not_hold_names_those_it_does(tmp_path):
    state = str(tmp_path / "s.sqlite3")
    run = [sys.executable, "-m", "emulator"]
    subprocess.run([*run, "seed", "guide-pending-example", "--client-id", "acme", "--state", state],
                   capture_output=True, check=True, cwd=tmp_path)
    done = subprocess.run([*run, "export", "--client-id", "acne", "--state", state], capture_output=True, text=True,
                          cwd=tmp_path, timeout=30)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [f"Error: --client-id acne: no such tenant in {state} (it has: acme)"]


@pytest.mark.parametrize("env", [{"CESCE_EMULATOR_DURABILITY": "fast"}, {"CESCE_EMULATOR_STALL_TIMEOUT": "0"},
                                 {"CESCE_EMULATOR_TLS_CERT": "cert.pem"}])
def test_a_bad_server_setting_is_a_usage_error_naming_it(tmp_path, env):
    done = subprocess.run([sys.executable, "-m", "emulator", "serve"], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=tmp_path, timeout=30)
    assert done.returncode == 2 and next(iter(env)) in done.stderr


def test_serve_takes_an_admin_token_and_more_host_names(serve_emulator):
    served = serve_emulator("--admin-token", "t0ken", "--allowed-hosts", "cesce,.ci.internal")
    reset = f"{served.url}/_emulator/reset"
    json_type = {"Content-Type": "application/json"}

    assert call("GET", f"{served.url}/_emulator/health", headers={"Host": "10.0.0.5"}).status == 200
    assert call("POST", reset, {}, headers=json_type).status == 401
    for host, status in (("cesce:8080", 200), ("emulator.ci.internal", 200), ("evil.example", 403)):
        assert call("POST", reset, {}, headers={**json_type, "Host": host, "Authorization": "Bearer t0ken"}).status == status
    assert served.stop() == 0
# -- export and import: a tenant's whole world as a file -----------------------------------------


def _world_in(path, tenant: str = "acme") -> dict:
    """A state file whose tenant has records, a 300xxx pair, decisions due, tokens, a fault and
    a journal, made as a served emulator would make it; returns its client's tokens."""
    from emulator import Settings, create_app

    app = create_app(Settings(state=str(path)))
    try:
        client = app.test_client()
        client.post(f"/_emulator/scenarios/guide-pending-example?client_id={tenant}", json={})
        pair = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": tenant,
                                                         "client_secret": "s", "username": "u", "password": "p"}).json
        client.post("/dev/classifications/v1/contracts/20000000003/classifications", headers={
            "Authorization": f"Bearer {pair['access_token']}"}, json={"debtor": {
                "countryCode": "ES", "taxCode": "B20000005", "creditLimitRequested": "20000,00"}})
        client.post(f"/_emulator/faults?client_id={tenant}", json={"status": 503, "operation": "getPortfolio"})
    finally:
        app.extensions["cesce"].store.close()
    return pair


def _cli(*args: str, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True, text=True, cwd=cwd,
                          input=stdin, timeout=60)


@pytest.mark.parametrize("form", ["json", "yaml"])
def test_an_exported_world_imports_into_a_fresh_state_file_as_it_was(tmp_path, form):
    _world_in(tmp_path / "first.sqlite3")
    exported = _cli("export", "--client-id", "acme", "--state", "first.sqlite3", "--format", form, "--out", f"acme.{form}",
                    cwd=tmp_path)
    assert (exported.returncode, exported.stdout, exported.stderr) == (0, "", "")
    text = (tmp_path / f"acme.{form}").read_text("utf-8")
    assert text.startswith("{" if form == "json" else "snapshot:")

    imported = _cli("import", "--client-id", "acme", "--state", "second.sqlite3", f"acme.{form}", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["contracts"][-1] == "20000000003"
    again = _cli("export", "--client-id", "acme", "--state", "second.sqlite3", "--format", form, cwd=tmp_path)
    assert again.stdout == text

    # From standard input, format detected, under another client id: the same world, its own
    # tokens aside.
    piped = _cli("import", "--client-id", "other", "--state", "second.sqlite3", "-", cwd=tmp_path, stdin=text)
    assert piped.returncode == 0, piped.stderr
    other = json.loads(_cli("export", "--client-id", "other", "--state", "second.sqlite3", cwd=tmp_path).stdout)
    first = json.loads(_cli("export", "--client-id", "acme", "--state", "second.sqlite3", cwd=tmp_path).stdout)
    assert len(first["tokens"]) == 2 and other["tokens"] == []
    # acme holds the journal's and the fault's ids in this file, so the other's are new ones.
    assert {**other, "tenant": "acme", "tokens": first["tokens"], "journal": _no_ids(other["journal"]),
            "faults": _no_ids(other["faults"])} == {**first, "journal": _no_ids(first["journal"]),
                                                    "faults": _no_ids(first["faults"])}


def _no_ids(rows: list[dict]) -> list[dict]:
    return [{**row, "id": 0} for row in rows]


def test_an_imported_world_is_served_with_its_tokens(tmp_path, serve_emulator):
    pair = _world_in(tmp_path / "first.sqlite3")
    _cli("export", "--client-id", "acme", "--state", "first.sqlite3", "--out", "acme.json", cwd=tmp_path)
    assert _cli("import", "--client-id", "acme", "--state", "served.sqlite3", "acme.json", cwd=tmp_path).returncode == 0
    served = serve_emulator("--state", str(tmp_path / "served.sqlite3"))
    tenant = Control(served.url, "acme")
    answer = tenant.request("GET", "classifications/v1/contracts/20000000003/classifications", pair["access_token"],
                            query={"countryCode": "ES", "taxCode": "B20000005"})
    assert (answer.status, answer.body["debtor"]["endorsementNo"]) == (200, "101")
    assert tenant.faults()[0]["operation"] == "getPortfolio"


LATEST = max(all_migrations(discover().migrations()))


@pytest.mark.parametrize(("edit", "error"), [
    (lambda text: text.replace('"creditLimitRequested": "50000,00"', '"creditLimitRequested": 50000'),
     "Error: acme.json: at contracts/0/debtors/0: creditLimitRequested: every value of a record is text, not 50000"),
    (lambda text: text.replace('"snapshot": ', '"snapshot": 9'),  # version N becomes 9N
     f"Error: acme.json: at snapshot: made by schema version 9{LATEST}, a newer cesce-sandbox; this release reads"
     f" snapshots up to version {LATEST}"),
    (lambda text: text[:200], "Error: acme.json: not valid JSON at line "),
])
def test_a_snapshot_import_refuses_is_one_line_naming_the_place_and_changes_nothing(tmp_path, edit, error):
    _world_in(tmp_path / "first.sqlite3")
    _cli("export", "--client-id", "acme", "--state", "first.sqlite3", "--out", "acme.json", cwd=tmp_path)
    path = tmp_path / "acme.json"
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    before = _cli("export", "--client-id", "acme", "--state", "first.sqlite3", cwd=tmp_path).stdout
    done = _cli("import", "--client-id", "acme", "--state", "first.sqlite3", "acme.json", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    [line] = done.stderr.splitlines()
    assert line.startswith(error)
    assert _cli("export", "--client-id", "acme", "--state", "first.sqlite3", cwd=tmp_path).stdout == before


def test_import_into_a_file_that_is_not_a_state_file_says_so_in_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("client_id,limit\n")
    (tmp_path / "world.json").write_text("{}")
    done = _cli("import", "--client-id", "acme", "--state", "notes.txt", "world.json", cwd=tmp_path)
    assert (done.returncode, done.stderr.splitlines()) == (1, ["Error: --state notes.txt: not an SQLite database"
                                                               " (file is not a database)"])


def test_a_served_emulator_takes_a_snapshot_larger_than_a_request_may_be(serve_emulator):
    served = serve_emulator()
    source, copy_ = Control(served.url, "big"), Control(served.url, "big-copy")
    source.seed({"contracts": [{"contractNo": "20000000009", "generate": [
        {"count": 3000, "countryCode": "ES", "taxCode": "B9{index:07d}", "companyName": "DEUDOR {index:05d} SL",
         "status": "in-force", "requested": "15000,00", "since": "-PT1H"}]}]})
    snapshot = source.state()
    assert len(json.dumps(snapshot)) > 2 * 1024 * 1024  # twice what a business request may carry
    assert copy_.restore(snapshot)["contracts"][-1] == "20000000009"
    assert copy_.state("20000000009")["contracts"] == source.state("20000000009")["contracts"]
    too_big = call("POST", f"{served.url}/dev/classifications/v1/contracts/20000000009/classifications",
                   body={"debtor": {"companyName": "X" * 2 * 1024 * 1024}})
    assert too_big.status == 413
    # An operator call over the limit is refused the same way: answered, not cut off mid-body.
    too_big = call("POST", f"{served.url}/_emulator/events?client_id=big", body={"events": ["X" * 2 * 1024 * 1024]})
    assert too_big.status == 413
