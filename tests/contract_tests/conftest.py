"""The kit's own tests run `cesce-contract verify-client` the way a user does, against the
session's in-process emulator, with the reference client, the shell client and broken copies."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import contract_tests.examples
from contract_tests.conformance import catalogue
from contract_tests.verify_client import verify_client

HERE = Path(__file__).parent
PYTHON = shlex.quote(sys.executable)
REFERENCE = f"{PYTHON} -m contract_tests.examples.reference_client"
SHELL_CLIENT = f"sh {shlex.quote(str(Path(contract_tests.examples.__file__).parent / 'cesce_sync.sh'))}"


class Clients:
    """The commands and functions the kit's tests verify."""

    reference = REFERENCE
    shell = SHELL_CLIENT

    @staticmethod
    def broken(bug: str) -> str:
        """The command running the broken copy ``bug`` of the reference client."""
        return f"{PYTHON} {shlex.quote(str(HERE / 'broken_clients.py'))} {bug}"

    @staticmethod
    def broken_function(bug: str):
        """The broken copy ``bug`` as a Python client function."""
        spec = importlib.util.spec_from_file_location("broken_clients", HERE / "broken_clients.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return lambda config: module.sync(config, bug)

    @staticmethod
    def row(output: str, scenario: str) -> str:
        """The report table's line for ``scenario``."""
        for line in output.splitlines():
            if line.split(" ", 1)[0] == scenario:
                return line
        raise AssertionError(f"no row for {scenario} in:\n{output}")


@pytest.fixture
def clients() -> type[Clients]:
    return Clients


class VerifyCli:
    """``verify_cli(*args)``: run verify-client with these arguments against the session's
    emulator (``url``: --emulator-url given, unless url=False), failing scenarios saved under
    tmp_path/report unless ``report_dir`` says where; returns click's Result."""

    def __init__(self, url: str, report_dir: Path) -> None:
        self.url, self.report_dir = url, report_dir

    def __call__(self, *args: str, report_dir: str | Path | None = None, url: bool = True):
        given = ["--emulator-url", self.url] if url else []
        return CliRunner().invoke(verify_client, [*given, "--report-dir", str(report_dir or self.report_dir), *args])

    def fails(self, bug: str, task: str, scenario: str, verdict: str, first_wrong: str, passing: str | None = None):
        """Run the broken copy ``bug`` under ``scenario`` of ``task`` (and ``passing``, a scenario
        whose path the bug is not on) as a user reads the result: exit 1, ``passing`` passed, the
        row of ``scenario`` starting with ``verdict`` and naming ``first_wrong`` (regular
        expressions both), and the failing scenario saved with the command repeating it."""
        result = self("--cmd", Clients.broken(bug), "--task", task, "--examples", "0",
                      *(["--scenario", passing] if passing else []), "--scenario", scenario)

        assert scenario in [s.name for s in catalogue(task)]  # in every default run
        assert result.exit_code == 1, result.output
        if passing:
            assert Clients.row(result.output, passing).split()[1] == "pass"
        line = Clients.row(result.output, scenario)
        assert re.match(verdict, line.split(None, 1)[1]), line
        assert re.search(f"run 1(: |, ){first_wrong}", line), line
        saved = self.report_dir / task / f"{scenario}.json"
        assert json.loads(saved.read_text())["scenario"]["task"] == task
        assert f"--task {task} --emulator-url {self.url} --scenario-file {saved}" in result.output
        return result


@pytest.fixture
def verify_cli(cesce_kit_emulator_url, tmp_path) -> VerifyCli:
    return VerifyCli(cesce_kit_emulator_url, tmp_path / "report")
