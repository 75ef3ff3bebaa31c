"""Generated scenarios: hypothesis draws recipes mixing every ingredient, and when one makes
the client fail it shrinks it to a minimal failing recipe.

Each try runs the real client, so shrinking is given a budget of runs: once it is spent, any
further candidate counts as passing and hypothesis settles on the smallest failure it has seen.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from contract_tests.conformance.report import ScenarioResult
from contract_tests.conformance.scenarios import Scenario, named, strategy


def explore(task: str, run: Callable[[Scenario], ScenarioResult], examples: int, seed: int,
            shrink_budget: int) -> list[ScenarioResult]:
    """Up to ``examples`` generated scenarios (named generated-1, generated-2...); if one
    fails, the search stops there and the last row is the minimal failing scenario found
    (generated-minimal)."""
    if examples <= 0:
        return []
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    seen: dict[Scenario, ScenarioResult] = {}
    rows: list[ScenarioResult] = []
    state = {"failures": 0, "shrink_runs": 0}

    def fails(scenario: Scenario) -> bool:
        key = replace(scenario, name="generated")
        if key in seen:
            return not seen[key].passed
        if state["failures"]:
            if state["shrink_runs"] >= shrink_budget:
                return False  # out of budget: hypothesis keeps the smallest failure it has
            state["shrink_runs"] += 1
        result = run(named(scenario, f"generated-{len(rows) + 1}"))
        seen[key] = result
        if not state["failures"]:
            rows.append(result)
        if not result.passed:
            state["failures"] += 1
        return not result.passed

    options = settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                       suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    try:
        minimal = find(strategy(task), fails, settings=options, random=random.Random(seed))
    except NoSuchExample:
        return rows
    found = seen[replace(minimal, name="generated")]
    if found is rows[-1]:
        return rows  # the first failure was already minimal
    found.scenario = named(minimal, "generated-minimal")
    found.note = (f"hypothesis shrank {rows[-1].scenario.name} ({rows[-1].scenario.summary()}) "
                  f"to this in {state['shrink_runs']} more run(s)")
    return [*rows, found]
