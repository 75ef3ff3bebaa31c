"""The verdicts of a verification: a row per scenario, the first wrong request or record of each
failure, the client's last output lines, and how to reproduce each failure from a saved file."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.conformance.clients import RunOutcome
from contract_tests.conformance.judge import Finding
from contract_tests.conformance.scenarios import Scenario

#: How many findings of a failed scenario the details list.
DETAILS = 5


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
        """The first wrong request, else the first wrong record, else how the run ended."""
        for finding in self.findings:
            if finding.kind in ("request", "record"):
                return str(finding)
        return str(self.findings[0]) if self.findings else ""

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
            "stdoutTail": outcome.stdout_tail, "stderrTail": outcome.stderr_tail, "outputError": outcome.output_error}


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
        """Write each failing scenario to ``directory``/<task>/<scenario>.json: the recipe
        (what --scenario-file reads), the emulator scenario document it seeds, the findings and
        the client's last output lines."""
        from contract_tests.conformance import seeding

        for result in self.failures:
            folder = Path(directory) / self.task
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{result.scenario.name}.json"
            document = {
                "scenario": result.scenario.to_document(),
                "summary": result.scenario.summary(),
                "verdict": result.verdict,
                "findings": [f.to_dict() for f in result.findings],
                "runs": [_outcome_dict(o) for o in result.outcomes],
                "emulatorScenario": seeding.document(result.scenario),
                "faults": seeding.faults(result.scenario),
            }
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            result.saved = path

    def render(self) -> str:
        """The report as text: a table of scenarios, then the details of each failure."""
        lines = [f"verify-client: {self.task}, client: {self.client}", f"emulator: {self.emulator}"]
        generated = sum(1 for r in self.results if r.origin == "generated")
        counts = f"{len(self.results)} scenarios"
        if self.seed is not None:
            counts += f" ({generated} generated by hypothesis, seed {self.seed})"
        lines += [counts, ""]
        width = max([len("SCENARIO"), *(len(r.scenario.name) for r in self.results)])
        verdicts = max([len("VERDICT"), *(len(r.verdict) for r in self.results)])
        lines.append(f"{'SCENARIO':<{width}}  {'VERDICT':<{verdicts}}  FIRST WRONG REQUEST OR RECORD")
        for result in self.results:
            lines.append(f"{result.scenario.name:<{width}}  {result.verdict:<{verdicts}}  {result.first_wrong()}".rstrip())
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
                lines.append("  client's last output lines:")
                lines += [f"    | {line}" for line in (last.stderr_tail or last.stdout_tail)]
            if result.saved is not None and self.reproduce is not None:
                lines.append(f"  reproduce: {self.reproduce(result.saved)}")
        failed = len(self.failures)
        lines += ["", f"{failed} of {len(self.results)} scenarios failed." if failed
                  else f"All {len(self.results)} scenarios passed."]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "client": self.client, "emulator": self.emulator, "seed": self.seed,
                "passed": self.passed, "results": [r.to_dict() for r in self.results]}

    def __str__(self) -> str:
        return self.render()
