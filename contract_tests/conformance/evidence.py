"""What a verdict is made of: the evidence of one run of a client (the journal's entries, how it
ended, what it should hold) and the findings the judge draws from it."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from contract_tests.conformance.clients import RunOutcome
from contract_tests.conformance.tasks import Keyed, Records, Task

#: Where findings on records sort: after every request (requests sort by their journal id).
RECORD_ORDER = 10**12


@dataclass(frozen=True)
class Finding:
    """One thing a client did wrong. ``kind`` is "request" (with the request, numbered from 1
    within the run), "record" (with the record's key) or "client" (how the run ended)."""

    run: int
    kind: str
    message: str
    where: str = ""
    order: int = RECORD_ORDER

    def __str__(self) -> str:
        place = f"run {self.run}"
        if self.where:
            place += f", {self.where}"
        return f"{place}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run, "kind": self.kind, "where": self.where, "message": self.message}


@dataclass
class RunEvidence:
    """Everything known about one run of the client: the journal's entries, how it ended, what
    it should hold (``expected``) and should have held before (``before``), the task's records
    in the state at its end, the faults posted for it, the records Cesce changed while it
    read (``either``: their version before the change, None when they were not expected then),
    and what CESCE_INPUT held (``given``, None for a task without input)."""

    number: int
    task: Task
    catalog: str
    entries: list[dict[str, Any]]
    outcome: RunOutcome
    expected: Keyed
    before: Keyed
    records: Records
    faults: list[dict[str, Any]] = field(default_factory=list)
    either: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    given: Records | None = None


def describe(entry: dict[str, Any]) -> str:
    """A journal entry as a short request line: GET portfolio?nextEndorsementNo=501 -> 200."""
    name = entry["path"].rstrip("/").rsplit("/", 1)[-1]
    query = urllib.parse.urlencode(entry.get("query") or {}, doseq=True)
    answer = entry.get("response") or {}
    code = answer.get("errorCode") or answer.get("error") or ""
    code = f" ({code})" if code and code != "0" else ""
    return f"{entry['method']} {name}{'?' + query if query else ''} -> {entry['status']}{code}"


class Labels:
    """How findings name a run's requests: by their number in the run, with or without the
    request line."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.numbers = {entry["id"]: index for index, entry in enumerate(entries, 1)}

    def short(self, entry: dict[str, Any]) -> str:
        return f"request #{self.numbers[entry['id']]}"

    def long(self, entry: dict[str, Any]) -> str:
        return f"{self.short(entry)} {describe(entry)}"

    def finding(self, run: RunEvidence, entry: dict[str, Any], message: str) -> Finding:
        """A finding on a request of the run."""
        return Finding(run.number, "request", message, self.long(entry), entry["id"])
