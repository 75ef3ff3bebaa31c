"""Verdicts that neither chance nor load can flip: the reference clients pass the scenarios
hypothesis generates from ten seeds in a row, and the timing scenarios pass a client that waits,
and fail one that does not, while every core of the machine is kept busy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from contract_tests.conformance import TASKS, catalogue

pytestmark = pytest.mark.e2e  # clients run under generated scenarios, some on a loaded machine

#: The scenarios whose verdict rests on how long a client waited.
TIMING = ("429-retry-after", "token-503", "503-mid-sync", "slow-pages")
#: The tasks the shell client does.
SHELL_TASKS = ("portfolio-sync", "movements-sync")


def timing(task: str) -> list[str]:
    """A task's named scenarios whose verdict rests on how long a client waited: latency, and
    transient answers to retry after a pause."""
    return [s.name for s in catalogue(task) if any(f.transient or f.latency_ms for f in s.faults)]


def _client(clients, name: str, task: str) -> str:
    if name == "shell" and not (shutil.which("curl") and shutil.which("jq")):
        pytest.skip("the shell client needs curl and jq")
    if name == "shell" and task not in SHELL_TASKS:
        pytest.skip(f"the shell client does not do {task}")
    return getattr(clients, name)


@pytest.mark.parametrize("name", ["reference", "shell"])
@pytest.mark.parametrize("task", TASKS)
def test_the_reference_clients_pass_generated_scenarios_ten_seeds_in_a_row(cesce_verify_client, clients, task, name):
    client = _client(clients, name, task)

    for seed in range(10):
        report = cesce_verify_client(client, task=task, scenarios=[], examples=2, seed=seed, raise_on_failure=False)

        assert report.passed, report.render()


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """Every core kept busy by a process that never yields, for the test's duration."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


@pytest.mark.parametrize("task", TASKS)
def test_the_timing_scenarios_pass_a_client_that_waits_on_a_busy_machine(cesce_verify_client, clients, task,
                                                                         busy_machine):
    report = cesce_verify_client(clients.reference, task=task, examples=0, scenarios=timing(task))

    assert len(report.results) >= 4
    assert report.passed, report.render()


def test_the_timing_scenarios_fail_a_client_that_does_not_wait_on_a_busy_machine(cesce_verify_client, clients,
                                                                                 busy_machine):
    report = cesce_verify_client(clients.broken("retries-at-once"), task="portfolio-sync", examples=0,
                                 scenarios=[f"portfolio-{n}" for n in TIMING], raise_on_failure=False)

    assert [r.verdict for r in report.results] == ["FAIL", "FAIL", "FAIL", "pass"]
    assert all("retried" in r.first_wrong() for r in report.failures)
