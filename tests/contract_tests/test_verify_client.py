"""`cesce-contract verify-client` as a user runs it: the reference clients pass, broken copies
fail naming the scenario and the first wrong request or record, and a failure reproduces from
the file the report saves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.conformance import TASKS, catalogue

pytestmark = pytest.mark.e2e  # clients run under every scenario against a served emulator


@pytest.mark.parametrize("task", TASKS)
def test_the_reference_client_passes_every_scenario(verify_cli, clients, task):
    result = verify_cli("--cmd", clients.reference, "--task", task, "--examples", "2", "--seed", "7")

    assert result.exit_code == 0, result.output
    for scenario in catalogue(task):
        assert clients.row(result.output, scenario.name).split()[1] == "pass"
    assert clients.row(result.output, "generated-2").split()[1] == "pass"
    assert f"All {len(catalogue(task)) + 2} scenarios passed." in result.output


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="the shell client needs curl and jq")
@pytest.mark.parametrize("task", TASKS)
def test_the_shell_client_passes_every_scenario(verify_cli, clients, task):
    result = verify_cli("--cmd", clients.shell, "--task", task, "--examples", "0")

    assert result.exit_code == 0, result.output
    assert f"All {len(catalogue(task))} scenarios passed." in result.output


# The first wrong request or record each broken copy must be caught at, as a regular expression.
BROKEN = [
    ("first-page", "portfolio-501", "FAIL", re.escape(
        'request #2 GET portfolio?languageCode=ES -> 200: stopped reading: this page said nextEndorsementNo "501" '
        "and the client never asked for it")),
    ("float-paging", "portfolio-501", "CRASH (1)", re.escape(
        'request #3 GET portfolio?languageCode=ES&nextEndorsementNo=501.0 -> 400 (1003): sent nextEndorsementNo '
        '"501.0"; the previous page said "501"')),
    ("token-per-call", "portfolio-501", "FAIL", re.escape(
        "request #3 POST token -> 200: asked for a new token (password grant) while the one from request #1 was "
        "good for 60 more minutes")),
    ("never-renews", "portfolio-token-expires-mid-sync", "CRASH (1)", re.escape(
        "request #3 GET portfolio?languageCode=ES&nextEndorsementNo=501 -> 401: the access token expired (401) and "
        "the client never asked for a new one")),
    ("keeps-pending", "portfolio-every-status", "FAIL", re.escape(
        "endorsement 1: is missing (expected statusCode '2', creditLimitGranted '50000,00'); the output has its "
        "pending request 300001 instead")),
    # The pause measured depends on the machine's load; the verdict and the rule broken do not.
    ("retries-at-once", "portfolio-429-retry-after", "FAIL",
     r"request #3 GET portfolio\?languageCode=ES -> 429: retried [0-9.]+ s after a 429 that said Retry-After: 1"),
]


@pytest.mark.parametrize(("bug", "scenario", "verdict", "first_wrong"), BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_copy_fails_naming_the_scenario_and_the_first_wrong_request_or_record(
        verify_cli, clients, tmp_path, bug, scenario, verdict, first_wrong):
    result = verify_cli("--cmd", clients.broken(bug), "--task", "portfolio-sync", "--examples", "0")

    assert result.exit_code == 1, result.output
    line = clients.row(result.output, scenario)
    assert line.split(None, 1)[1].startswith(verdict), line
    assert re.search(f"run 1, {first_wrong}", line), line
    saved = tmp_path / "report" / "portfolio-sync" / f"{scenario}.json"
    assert f"--task portfolio-sync --scenario-file {saved}" in result.output


@pytest.mark.parametrize(("bug", "first_wrong"), [
    ("first-page", 'request #2 GET movements?languageCode=ES -> 200: stopped reading: this page said '
                   'nextEndorsementNo "504"'),
    ("float-paging", 'request #3 GET movements?languageCode=ES&nextEndorsementNo=504.0 -> 400 (1003)'),
])
def test_a_broken_copy_fails_the_movements_sync_too(verify_cli, clients, bug, first_wrong):
    result = verify_cli("--cmd", clients.broken(bug), "--task", "movements-sync", "--examples", "0",
                        "--scenario", "movements-500", "--scenario", "movements-501")

    assert result.exit_code == 1, result.output
    assert clients.row(result.output, "movements-500").split()[1] == "pass"
    assert first_wrong in clients.row(result.output, "movements-501")


def test_a_saved_failing_scenario_reproduces_the_failure(verify_cli, clients, tmp_path):
    command = ("--cmd", clients.broken("first-page"), "--task", "portfolio-sync")
    first = verify_cli(*command, "--scenario", "portfolio-1001", "--examples", "0")
    saved = tmp_path / "report" / "portfolio-sync" / "portfolio-1001.json"

    again = verify_cli(*command, "--scenario-file", str(saved), "--json", str(tmp_path / "report.json"))
    fixed = verify_cli("--cmd", clients.reference, "--task", "portfolio-sync", "--scenario-file", str(saved))

    assert again.exit_code == 1, again.output
    assert clients.row(again.output, "portfolio-1001") == clients.row(first.output, "portfolio-1001")
    verdicts = json.loads((tmp_path / "report.json").read_text())["results"]
    assert [(v["scenario"], v["verdict"]) for v in verdicts] == [("portfolio-1001", "FAIL")]
    assert fixed.exit_code == 0, fixed.output


def test_a_crashing_client_is_reported_with_its_exit_code_and_last_lines(verify_cli, clients):
    result = verify_cli("--cmd", "echo connecting; echo 'boom: no route to host' >&2; exit 3",
                        "--task", "portfolio-sync", "--scenario", "portfolio-0", "--examples", "0")

    assert result.exit_code == 1, result.output
    assert clients.row(result.output, "portfolio-0").split()[1:4] == ["CRASH", "(3)", "run"]
    assert "run 1: exited with code 3: boom: no route to host" in result.output
    assert "    | boom: no route to host" in result.output


def test_a_hanging_client_is_stopped_after_the_timeout(verify_cli, clients):
    result = verify_cli("--cmd", "sleep 60", "--task", "movements-sync", "--timeout", "1",
                        "--scenario", "movements-0", "--examples", "0")

    assert result.exit_code == 1, result.output
    assert "run 1: did not finish within 1 s (hangs or loops?): stopped it" in clients.row(result.output, "movements-0")


def test_a_looping_client_is_stopped_and_its_first_wrong_request_named(verify_cli, clients):
    result = verify_cli("--cmd", clients.broken("loops"), "--task", "portfolio-sync", "--scenario", "portfolio-1",
                        "--examples", "0")

    assert result.exit_code == 1, result.output
    line = clients.row(result.output, "portfolio-1")
    assert line.split()[1] == "LOOP"
    assert 'request #3 GET portfolio?languageCode=ES&nextEndorsementNo=0 -> 200: asked for a page after the last one' in line
    assert "stopped it (does it loop?)" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (("--task", "portfolio-sync"), "--cmd is required"),
    (("--cmd", "true"), "--task is required"),
    (("--cmd", "true", "--task", "portfolio-sync", "--scenario", "portfolio-7"), "no scenario 'portfolio-7'"),
    (("--cmd", "true", "--task", "portfolio-sync", "--scenario-file", "missing.json"), "cannot read scenario file"),
])
def test_a_usage_error_exits_2_and_judges_nothing(verify_cli, args, message):
    result = verify_cli(*args)

    assert result.exit_code == 2
    assert message in result.output
    assert "SCENARIO" not in result.output


def test_list_names_every_scenario_of_a_task(verify_cli):
    result = verify_cli("--list", "--task", "movements-sync")

    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()[1:]] == [s.name for s in catalogue("movements-sync")]


def test_cesce_contract_verify_client_runs_from_the_console_script(clients, tmp_path):
    script = shutil.which("cesce-contract", path=str(Path(sys.executable).parent))
    assert script, "cesce-contract is not installed next to this Python"

    result = subprocess.run(
        [script, "verify-client", "--cmd", clients.reference, "--task", "portfolio-sync",
         "--scenario", "portfolio-501", "--examples", "1", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "All 2 scenarios passed." in result.stdout
