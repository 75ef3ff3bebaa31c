"""The verdict on one run of a client: how it ended, its traffic (from the emulator's journal,
``contract_tests.conformance.traffic``) and the records it left (against what its task says it
should hold). Each problem is a ``Finding`` saying what the client did, where, and the rule.

How a run may end: exit 0 (a function returns) with its records written; or, only in a
scenario that answers an error it need not get past (Cesce's error envelope, a gateway 500),
in error once it has met that answer, leaving CESCE_OUTPUT as it was. A client that exits 0
with part of a list after an error fails.

Records: each output record is matched by the task's key; every expected record must be there
with the judged fields' values (amounts by value), and nothing else. A record Cesce changed while
the client was reading it may hold its version from before the change in that run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from contract_tests.conformance import traffic
from contract_tests.conformance.evidence import RECORD_ORDER, Finding, Labels, RunEvidence
from contract_tests.conformance.tasks import Context, Keyed, Task
from contract_tests.conformance.truth import a_cent_off, number, same, shown


def judge(run: RunEvidence) -> list[Finding]:
    """Every finding of a run, requests in the order they were sent, then the records."""
    labels = Labels(run.entries)
    findings = _outcome(run, labels)
    # The most telling check first: its message leads when several find fault with one request.
    for check in (traffic.paging, traffic.tokens, traffic.retries, traffic.requests, *run.task.checks):
        findings += check(run, labels)
    if run.outcome.finished and run.outcome.records is not None:
        findings += _records(run)
    merged: list[Finding] = []
    at: dict[int, int] = {}  # a request's order -> its finding's index in merged
    for finding in findings:
        if finding.kind == "request" and finding.order in at:
            first = merged[at[finding.order]]
            merged[at[finding.order]] = replace(first, message=f"{first.message}; {finding.message}")
            continue
        if finding.kind == "request":
            at[finding.order] = len(merged)
        merged.append(finding)
    return sorted(merged, key=lambda f: f.order)


# -- how the run ended ---------------------------------------------------------------------


def _outcome(run: RunEvidence, labels: Labels) -> list[Finding]:
    outcome, last = run.outcome, RECORD_ORDER - 1
    if outcome.stopped:
        return [Finding(run.number, "client", outcome.stopped, order=last)]
    if outcome.exit_code != 0:
        met = traffic.errors_met(run)
        if met:
            if outcome.output_changed:
                return [Finding(run.number, "client", (
                    f"exited with code {outcome.exit_code} after the error answer of {labels.short(met[0])}, having "
                    "rewritten CESCE_OUTPUT: a failed sync must leave the records it had as they were"), order=last)]
            return []  # it stopped on an error it need not get past, and kept what it had
        line = outcome.error_line or "(no output)"
        line = line if len(line) <= 200 else line[:197] + "..."
        return [Finding(run.number, "client", f"exited with code {outcome.exit_code}: {line}", order=last)]
    if outcome.output_error:
        return [Finding(run.number, "client", outcome.output_error, order=last)]
    return []


# -- records -------------------------------------------------------------------------------


def _records(run: RunEvidence) -> list[Finding]:
    task = run.task
    findings: list[Finding] = []
    got: Keyed = {}

    def add(key: str, message: str) -> None:
        order = RECORD_ORDER + (int(key) if key.isdigit() else 10**9)
        findings.append(Finding(run.number, "record", message, f"{task.noun} {key}" if key else "output", order))

    for index, record in enumerate(run.outcome.records or [], 1):
        key = number(record.get(task.key)) if isinstance(record, dict) else None
        if not key:
            add("", f"output record #{index} is not a record with a {task.key}: {str(record)[:80]}")
        elif key in got:
            add(key, "appears twice in the output")
        else:
            got[key] = record
    context = Context(run.records, got, run.before)
    for key in sorted(set(got) | set(run.expected), key=lambda k: (len(k), k)):
        want, have = run.expected.get(key), got.get(key)
        if key in run.either and _matches(task, have, run.either[key]):
            continue  # as it stood before Cesce changed it mid-sync
        if want is None:
            add(key, task.explain("unexpected", key, have, None, context)
                or f"is not a record of the contract ({shown(have, task.judged)})")
        elif have is None:
            add(key, f"is missing (expected {shown(want, task.judged)}){task.explain('missing', key, None, want, context)}")
        elif not _matches(task, have, want):
            add(key, f"has {shown(have, task.judged)}; expected {shown(want, task.judged)}{_hint(run, key, have, want, context)}")
    return findings


def _matches(task: Task, have: dict[str, Any] | None, want: dict[str, Any] | None) -> bool:
    if have is None or want is None:
        return have is want
    return all(same(name, have.get(name), want.get(name)) for name in task.judged)


def _hint(run: RunEvidence, key: str, have: dict[str, Any], want: dict[str, Any], context: Context) -> str:
    """Why a record may be wrong: the task's own words, a cent lost to a binary float, or the
    version the client had before the run."""
    own = run.task.explain("wrong", key, have, want, context)
    if own:
        return own
    cent = a_cent_off(run.task.judged, have, want)
    if cent:
        return (f" (a cent off in {cent}: an amount read through a binary float and truncated loses cents; keep "
                f"Cesce's \"1234,56\" as text, or read it into a decimal)")
    old = run.before.get(key)
    if old is not None and _matches(run.task, have, old):
        return " (the version it had before the run: a movement was not applied)"
    return ""
