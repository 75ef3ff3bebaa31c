"""Generated scenarios: hypothesis draws recipes mixing every ingredient, and when one makes
the client fail it shrinks it to a minimal failing recipe.

Each try runs the real client, so shrinking is given a budget of runs: once it is spent, any
further candidate counts as passing and hypothesis settles on the smallest failure it has seen.
A client that hangs costs the whole timeout on every run, so once one has hung, shrinking stops
after ``HANG_SHRINK_RUNS`` runs, and the report says so.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from contract_tests.conformance.report import ScenarioResult
from contract_tests.conformance.scenarios import Scenario, named, strategy

#: Shrinking runs allowed once a run has hung (each may take the whole timeout).
HANG_SHRINK_RUNS = 2


def explore(task: str, run: Callable[[Scenario], ScenarioResult], examples: int, seed: int,
            shrink_budget: int, progress: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
    """Up to ``examples`` generated scenarios (named generated-1, generated-2...); if one
    fails, the search stops there and the last row is the minimal failing scenario found
    (generated-minimal). ``progress`` is given each row as it is known."""
    progress = progress or (lambda result: None)
    if examples <= 0:
        return []
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    seen: dict[Scenario, ScenarioResult] = {}
    rows: list[ScenarioResult] = []
    state = {"failures": 0, "shrink_runs": 0, "hung": False, "capped": False}

    def fails(scenario: Scenario) -> bool:
        key = replace(scenario, name="generated")
        if key in seen:
            return not seen[key].passed
        if state["failures"]:
            budget = min(shrink_budget, HANG_SHRINK_RUNS) if state["hung"] else shrink_budget
            if state["shrink_runs"] >= budget:
                state["capped"] = state["capped"] or state["hung"]
                return False  # out of budget: hypothesis keeps the smallest failure it has
            state["shrink_runs"] += 1
        result = run(named(scenario, f"generated-{len(rows) + 1}"))
        seen[key] = result
        state["hung"] = state["hung"] or result.verdict == "TIMEOUT"
        if not state["failures"]:
            rows.append(result)
            progress(result)
        if not result.passed:
            state["failures"] += 1
        return not result.passed

    options = settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                       suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    try:
        minimal = find(strategy(task), fails, settings=options, random=random.Random(seed))
    except NoSuchExample:
        return rows
    capped = (f"; the client hangs, so shrinking stopped after {state['shrink_runs']} run(s), each of which could "
              "take the whole --timeout" if state["capped"] else "")
    found = seen[replace(minimal, name="generated")]
    if found is rows[-1]:
        if capped:
            found.note = f"not shrunk further{capped}"
        return rows  # the first failure was already minimal
    found.scenario = named(minimal, "generated-minimal")
    found.note = (f"hypothesis shrank {rows[-1].scenario.name} ({rows[-1].scenario.summary()}) "
                  f"to this in {state['shrink_runs']} more run(s){capped}")
    progress(found)
    return [*rows, found]
