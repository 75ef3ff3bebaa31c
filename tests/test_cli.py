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

from emulator.control import Control, call

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
    assert (health["strict"], health["pageSize"], health["state"]) == (True, 100, ":memory:")
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
