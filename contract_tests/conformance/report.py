"""The verdicts of a verification: a row per scenario (printed as each one ends, when asked),
the first wrong request or record of each failure, the line of the client's output that says
what failed with its last lines, and how to reproduce each failure from a saved file."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.conformance.clients import RunOutcome
from contract_tests.conformance.evidence import Finding
from contract_tests.conformance.scenarios import Scenario

#: How many findings of a failed scenario the details list.
DETAILS = 5
#: What the kit's verdicts on a client it stopped say first.
STOPPED = ("TIMEOUT", "LOOP")


@dataclass
class ScenarioResult:
    """The verdict on one scenario."""

    scenario: Scenario
    origin: str  # "catalogue", "generated" or "file"
    tenant: str = ""
    findings: list[Finding] = field(default_factory=list)
    outcomes: list[RunOutcome] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    #: What the emulator was told besides the scenario document: settings, faults.
    staged: dict[str, Any] = field(default_factory=dict)
    #: The file the failing scenario was saved to, for --scenario-file.
    saved: Path | None = None
    #: How hypothesis got to it (generated scenarios only).
    note: str = ""

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def verdict(self) -> str:
        """pass, FAIL, CRASH (the client exited non-zero), TIMEOUT or LOOP (the kit stopped it)."""
        if self.passed:
            return "pass"
        last = self.outcomes[-1] if self.outcomes else None
        if last is not None and last.verdict:
            return last.verdict
        if last is not None and last.exit_code not in (0, None):
            return f"CRASH ({last.exit_code})"
        return "FAIL"

    def first_wrong(self) -> str:
        """The first wrong request, else the first wrong record, else how the run ended. When
        the kit stopped the client, why it did comes first."""
        wrong = next((str(f) for f in self.findings if f.kind in ("request", "record")), "")
        if self.verdict in STOPPED:
            stop = next(str(f) for f in self.findings if f.kind == "client")
            return f"{stop}; first wrong: {re.sub(r'^run [0-9]+, ', '', wrong)}" if wrong else stop
        return wrong or (str(self.findings[0]) if self.findings else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "origin": self.origin,
            "verdict": self.verdict,
            "summary": self.scenario.summary(),
            "firstWrong": self.first_wrong() or None,
            "findings": [f.to_dict() for f in self.findings],
            "runs": [_outcome_dict(o) for o in self.outcomes],
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "saved": str(self.saved) if self.saved else None,
            "tenant": self.tenant,
        }


def _outcome_dict(outcome: RunOutcome) -> dict[str, Any]:
    return {"exitCode": outcome.exit_code, "stopped": outcome.stopped, "seconds": round(outcome.seconds, 2),
            "errorLine": outcome.error_line, "stdoutTail": outcome.stdout_tail, "stderrTail": outcome.stderr_tail,
            "outputError": outcome.output_error, "outputChanged": outcome.output_changed}


class Table:
    """The report's table, whose width is fixed before the first row is printed (from the
    names of the scenarios about to run), so rows can be printed as scenarios end."""

    def __init__(self, names: Iterable[str]) -> None:
        self.width = max([len("SCENARIO"), len("generated-minimal"), *map(len, names)])
        self.verdicts = len("CRASH (255)")

    def heading(self) -> str:
        return f"{'SCENARIO':<{self.width}}  {'VERDICT':<{self.verdicts}}  FIRST WRONG REQUEST OR RECORD"

    def row(self, result: ScenarioResult) -> str:
        return f"{result.scenario.name:<{self.width}}  {result.verdict:<{self.verdicts}}  {result.first_wrong()}".rstrip()


@dataclass
class Report:
    """Every verdict of one verification, with what it ran against."""

    task: str
    client: str
    emulator: str
    results: list[ScenarioResult] = field(default_factory=list)
    seed: int | None = None
    examples: int = 0
    reproduce: Callable[[Path], str] | None = None
    table: Table | None = None

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> list[ScenarioResult]:
        return [result for result in self.results if not result.passed]

    def result(self, name: str) -> ScenarioResult:
        """The verdict on the scenario called ``name`` (KeyError if it did not run)."""
        for result in self.results:
            if result.scenario.name == name:
                return result
        raise KeyError(name)

    def save_failures(self, directory: Path) -> None:
        """Write each failing scenario to ``directory``/<task>/<scenario>.json (an absolute
        path): the recipe (what --scenario-file reads), the emulator scenario document it
        seeds, the settings and faults it was given, the findings and the client's output."""
        from contract_tests.conformance import seeding

        for result in self.failures:
            folder = Path(directory).resolve() / self.task
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{result.scenario.name}.json"
            document = {
                "scenario": result.scenario.to_document(),
                "summary": result.scenario.summary(),
                "verdict": result.verdict,
                "findings": [f.to_dict() for f in result.findings],
                "runs": [_outcome_dict(o) for o in result.outcomes],
                "emulatorScenario": seeding.document(result.scenario),
                **result.staged,
            }
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            result.saved = path

    def heading(self) -> str:
        """What the verification runs: task, client, emulator (and the seed of the generated
        scenarios)."""
        lines = [f"verify-client: {self.task}, client: {self.client}", f"emulator: {self.emulator}"]
        if self.seed is not None:
            lines.append(f"generated scenarios: up to {self.examples}, seed {self.seed}")
        return "\n".join(lines)

    def render(self, table: bool = True) -> str:
        """The report as text: the heading and a table of scenarios (``table``), then the
        details of each failure and the count."""
        lines = [self.heading(), ""] if table else []
        rows = self.table or Table(r.scenario.name for r in self.results)
        if table:
            lines.append(rows.heading())
            lines += [rows.row(result) for result in self.results]
        for result in self.failures:
            lines += ["", f"{result.verdict} {result.scenario.name}: {result.scenario.summary()}"]
            if result.note:
                lines.append(f"  {result.note}")
            for finding in result.findings[:DETAILS]:
                lines += textwrap.wrap(str(finding), 110, initial_indent="  - ", subsequent_indent="    ")
            if len(result.findings) > DETAILS:
                lines.append(f"  ... and {len(result.findings) - DETAILS} more")
            last = result.outcomes[-1] if result.outcomes else None
            if last is not None and (last.exit_code != 0 or last.stopped) and (last.stderr_tail or last.stdout_tail):
                if last.error_line and not last.stopped:
                    lines.append(f"  what failed: {last.error_line}")
                lines.append("  client's last output lines:")
                lines += [f"    | {line}" for line in (last.stderr_tail or last.stdout_tail)]
            if result.saved is not None and self.reproduce is not None:
                lines.append(f"  reproduce: {self.reproduce(result.saved)}")
        failed, generated = len(self.failures), sum(1 for r in self.results if r.origin == "generated")
        extra = f" ({generated} generated by hypothesis, seed {self.seed})" if self.seed is not None else ""
        lines += ["", f"{failed} of {len(self.results)} scenarios failed{extra}." if failed
                  else f"All {len(self.results)} scenarios passed{extra}."]
        return "\n".join(lines).lstrip("\n")

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "client": self.client, "emulator": self.emulator, "seed": self.seed,
                "passed": self.passed, "results": [r.to_dict() for r in self.results]}

    def __str__(self) -> str:
        return self.render()
