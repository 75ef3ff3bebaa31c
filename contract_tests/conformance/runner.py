"""One scenario, end to end: a fresh tenant seeded with it and given its page size, the client
run once or twice (with Cesce's changes in between), faults, token expiries and Cesce's changes
mid-sync applied while it works, and each run judged from the journal and the tenant's state."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract_tests.conformance import seeding
from contract_tests.conformance.clients import Client, ClientConfig, Launch, RunOutcome
from contract_tests.conformance.errors import KitUsageError
from contract_tests.conformance.evidence import RunEvidence
from contract_tests.conformance.judge import judge
from contract_tests.conformance.report import ScenarioResult
from contract_tests.conformance.scenarios import Scenario
from contract_tests.conformance.tasks import Keyed, Records
from emulator.clock import parse_instant

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
    from emulator.control import EmulatorError

    tenant = f"verify-{scenario.name[:40]}-{uuid.uuid4().hex[:10]}"
    workdir = workroot / tenant
    workdir.mkdir(parents=True)
    began = time.monotonic()
    result = ScenarioResult(scenario=scenario, origin=origin, tenant=tenant)
    try:
        _run(target, client, scenario, timeout, workdir, tenant, result)
    except EmulatorError as error:
        raise KitUsageError(f"the emulator at {target.url} could not stage scenario {scenario.name}: {error}") from None
    result.seconds = time.monotonic() - began
    return result


def _run(target: Target, client: Client, scenario: Scenario, timeout: float, workdir: Path, tenant: str,
         result: ScenarioResult) -> None:
    from emulator.control import Control

    task = scenario.declared
    control = Control(target.url, tenant, target.catalog)
    control.seed(seeding.document(scenario))
    control.settings(**seeding.settings(scenario))
    records, now = _state(control, scenario)
    previous = task.starting(records, now)
    before: Keyed = {r[task.key]: r for r in previous or []}
    given = task.input(scenario, records) if task.input else None
    client.prepare(workdir, previous, given)
    result.staged = {"settings": seeding.settings(scenario)}
    cursor = 0
    for number in range(1, scenario.runs + 1):
        faults = seeding.faults(scenario, records) if number == 1 else []
        for body in faults:
            control.fault(**body)
        if faults:
            result.staged["faults"] = faults
        changing = number == 1 and bool(scenario.during)
        either = task.expected(records, now, before, given) if changing else None
        config = ClientConfig(
            base_url=control.base_url, token_url=control.token_url, client_id=control.client_id,
            client_secret="kit-secret", username="kit-user", password="kit-password",
            contract_no=seeding.CONTRACT_NO, task=scenario.task, previous=previous, input=given,
        )
        outcome, cursor_during = _execute(control, client.start(config, workdir), scenario, timeout, cursor)
        entries = _journal(control, cursor)
        cursor = max([cursor, cursor_during, *(e["id"] for e in entries)])
        control.clear_faults()
        records, now = _state(control, scenario)
        expected = task.expected(records, now, before, given)
        evidence = RunEvidence(number, task, target.catalog, entries, outcome, expected, before, records, faults,
                               _changed(task, either, expected), given)
        findings = judge(evidence)
        result.findings += findings
        result.outcomes.append(outcome)
        result.requests += len(entries)
        if outcome.stopped or (findings and not outcome.finished):
            break
        if outcome.finished:
            previous, before = outcome.records, expected
        # else it ended in error on an injected error, as it may: it runs again from what it had
        if number < scenario.runs:
            for change in scenario.between:
                _apply(control, scenario, change)
            records, now = _state(control, scenario)


def _state(control: Control, scenario: Scenario) -> tuple[Records, Any]:
    state = control.state(seeding.CONTRACT_NO)
    return seeding.contract_records(scenario, state), parse_instant(state["now"])


def _changed(task, either: Keyed | None, after: Keyed) -> dict[str, dict[str, Any] | None]:
    """The records that Cesce's changes mid-sync made different, with the version the client
    may still hold (None: it may not hold it at all)."""
    if either is None:
        return {}
    return {key: either.get(key) for key in set(either) | set(after)
            if either.get(key) is None or after.get(key) is None
            or any(either[key].get(name) != after[key].get(name) for name in task.judged)}


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
    """About how many requests a careful client sends in one run (a page of its list, or two
    for each record of a task that sends one, which may have to look it up); a client sending
    over ten times as many (and 50 more) is stopped as looping."""
    size = scenario.size
    pages = (scenario.listed // size + 1 + int(scenario.empty_page_after_full)) if size else 2 * scenario.listed
    faults = sum(f.times + f.skip for f in scenario.faults)
    return pages + 2 + faults + 3 * scenario.token_expiries + 2 * int(scenario.revoke_refresh) + 2


def _journal(control: Control, after: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    while True:
        page = control.journal(after=after)
        entries += page
        if len(page) < 10000:
            return entries
        after = page[-1]["id"]


def _apply(control: Control, scenario: Scenario, change: str) -> None:
    records, _ = _state(control, scenario)
    events, advance = seeding.plan(scenario, (change,), records)
    if events:
        control.events(*events)
    if advance:
        control.advance(advance)
