"""One scenario, end to end: a fresh tenant seeded with it, the client run once or twice
(with Cesce's changes in between), faults and the token-expiring clock jump applied while it
works, and each run judged from the journal and the tenant's state."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract_tests.conformance import seeding, truth
from contract_tests.conformance.clients import Client, ClientConfig, Launch, RunOutcome
from contract_tests.conformance.errors import KitUsageError
from contract_tests.conformance.judge import RunEvidence, judge
from contract_tests.conformance.report import ScenarioResult
from contract_tests.conformance.scenarios import PAGE_SIZE, Scenario

if TYPE_CHECKING:
    from emulator.control import Control

#: How often the kit looks at the journal while a client runs (to stop one that loops).
JOURNAL_POLL = 0.5


@dataclass(frozen=True)
class Target:
    """Where scenarios run: an emulator's base URL and the catalog clients are pointed at."""

    url: str
    catalog: str = "dev"


def run_scenario(target: Target, client: Client, scenario: Scenario, timeout: float, workroot: Path,
                 origin: str = "catalogue") -> ScenarioResult:
    """Seed a new tenant with ``scenario``, run the client, and judge every run."""
    from emulator.control import Control, EmulatorError

    tenant = f"verify-{scenario.name[:40]}-{uuid.uuid4().hex[:10]}"
    control = Control(target.url, tenant, target.catalog)
    workdir = workroot / tenant
    workdir.mkdir(parents=True)
    began = time.monotonic()
    result = ScenarioResult(scenario=scenario, origin=origin, tenant=tenant)
    try:
        control.seed(seeding.document(scenario))
        state = control.state(seeding.CONTRACT_NO)
        previous = seeding.baseline(state) if scenario.task == "movements-sync" else None
        before = {r["endorsementNo"]: r for r in previous or []}
        client.prepare(workdir, previous)
        cursor = 0
        for number in range(1, scenario.runs + 1):
            faults = seeding.faults(scenario) if number == 1 else []
            for body in faults:
                control.fault(**body)
            config = _config(control, scenario, previous)
            outcome, cursor_during = _execute(control, client.start(config, workdir), scenario, timeout, cursor)
            entries = _journal(control, cursor)
            cursor = max([cursor, cursor_during, *(e["id"] for e in entries)])
            control.clear_faults()
            state = control.state(seeding.CONTRACT_NO)
            expected = truth.expected(scenario.task, state, before)
            evidence = RunEvidence(number, scenario.task, target.catalog, entries, outcome, expected, before,
                                   truth.pending_requests(state), faults)
            result.findings += judge(evidence)
            result.outcomes.append(outcome)
            result.requests += len(entries)
            if not outcome.finished:
                break
            previous, before = outcome.records, expected
            if number < scenario.runs:
                for change in scenario.between:
                    _apply(control, change)
    except EmulatorError as error:
        raise KitUsageError(f"the emulator at {target.url} could not stage scenario {scenario.name}: {error}") from None
    result.seconds = time.monotonic() - began
    return result


def _config(control: Control, scenario: Scenario, previous: list[dict[str, Any]] | None) -> ClientConfig:
    return ClientConfig(
        base_url=control.base_url, token_url=control.token_url, client_id=control.client_id,
        client_secret="kit-secret", username="kit-user", password="kit-password",
        contract_no=seeding.CONTRACT_NO, task=scenario.task, previous=previous,
    )


def _execute(control: Control, launch: Launch, scenario: Scenario, timeout: float,
             cursor: int) -> tuple[RunOutcome, int]:
    """Wait for the client, stopping it when it runs past ``timeout`` or sends far more
    requests than the scenario needs."""
    deadline = time.monotonic() + timeout
    needed = requests_needed(scenario)
    budget = 10 * needed + 50
    sent, next_look = 0, 0.0
    stopped = verdict = None
    while not launch.done():
        now = time.monotonic()
        if now >= next_look:
            fresh = _journal(control, cursor)
            sent += len(fresh)
            cursor = max([cursor, *(e["id"] for e in fresh)])
            next_look = now + JOURNAL_POLL
            if sent > budget:
                stopped, verdict = (f"sent {sent} requests where this scenario needs about {needed}: "
                                    "stopped it (does it loop?)"), "LOOP"
                break
        if now > deadline:
            stopped, verdict = f"did not finish within {timeout:g} s (hangs or loops?): stopped it", "TIMEOUT"
            break
        time.sleep(0.05)
    if stopped:
        launch.stop()
    outcome = launch.outcome()
    outcome.stopped, outcome.verdict = stopped, verdict
    return outcome, cursor


def requests_needed(scenario: Scenario) -> int:
    """About how many requests a careful client sends in one run; a client sending over ten
    times as many (and 50 more) is stopped as looping."""
    listed = (scenario.old + scenario.recent + scenario.rejected + scenario.cancelled + scenario.pending_new
              + 2 * scenario.pending_requests)
    pages = listed // PAGE_SIZE + 1
    return pages + 2 + sum(f.times + f.skip for f in scenario.faults) + 2


def _journal(control: Control, after: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    while True:
        page = control.journal(after=after)
        entries += page
        if len(page) < 10000:
            return entries
        after = page[-1]["id"]


def _apply(control: Control, change: str) -> None:
    events, advance = seeding.change_requests(change, control.state(seeding.CONTRACT_NO))
    if events:
        control.events(*events)
    if advance:
        control.advance(advance)
