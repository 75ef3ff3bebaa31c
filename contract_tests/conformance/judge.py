"""The verdict on one run of a client: its traffic (from the emulator's journal) and the records
it left (against ``truth``). Each problem is a ``Finding`` saying what the client did and where.

Traffic rules:

- requests: every request valid as Cesce would take it: no conformance finding in the journal,
  no 4xx answer, the catalog the client was configured with, only reads (a sync never writes);
- token: one access token reused until it expires; a new one (refresh_token or password grant)
  only when the old one was refused as expired or had under ``RENEW_MARGIN`` left; never an
  expired token sent again; a refused refresh may fall back to the password grant;
- paging: the list read from the first page (no cursor, or its last-page mark) following each
  page's cursor exactly as given, until the last-page mark, and no page after that (the cursor,
  where an answer gives it and the mark are the operation's ``x-cesce-paging``: for the risk
  lists, nextEndorsementNo until "0");
- retries: a request answered 429/503 (the injected faults) retried, no sooner than its
  Retry-After, or after at least ``MIN_BACKOFF`` when there is none.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from contract_tests import document
from contract_tests.conformance.clients import RunOutcome
from contract_tests.conformance.scenarios import TASKS
from contract_tests.conformance.seeding import CONTRACT_NO, parse_instant
from contract_tests.conformance.truth import JUDGED, number, same, shown
from emulator.auth.rules import ACCESS_LIFETIME
from emulator.faults import TRANSIENT_STATUSES

#: A client may renew its access token this long before it expires (a production client
#: renews 60 s early).
RENEW_MARGIN = 300.0
#: The least pause before retrying a 429/503 that has no Retry-After header.
MIN_BACKOFF = 0.1
#: Leeway on the Retry-After pause (timestamps are taken as requests arrive).
RETRY_AFTER_LEEWAY = 0.05
_RECORD_ORDER = 10**12


@dataclass(frozen=True)
class Finding:
    """One thing a client did wrong. ``kind`` is "request" (with the request, numbered from 1
    within the run), "record" (with the endorsementNo) or "client" (how the run ended)."""

    run: int
    kind: str
    message: str
    where: str = ""
    order: int = _RECORD_ORDER

    def __str__(self) -> str:
        place = f"run {self.run}"
        if self.where:
            place += f", {self.where}"
        return f"{place}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run, "kind": self.kind, "where": self.where, "message": self.message}


@dataclass
class RunEvidence:
    """Everything known about one run of the client."""

    number: int
    task: str
    catalog: str
    entries: list[dict[str, Any]]
    outcome: RunOutcome
    expected: dict[str, dict[str, Any]]
    before: dict[str, dict[str, Any]]
    pending: dict[str, dict[str, Any]]
    faults: list[dict[str, Any]] = field(default_factory=list)


def judge(run: RunEvidence) -> list[Finding]:
    """Every finding of a run, requests in the order they were sent, then the records."""
    labels = Labels(run.entries)
    findings: list[Finding] = []
    # The most telling check first: its message leads when several find fault with one request.
    for check in (_outcome, _paging, _tokens, _retries, _requests):
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


def _finding(run: RunEvidence, labels: Labels, entry: dict[str, Any], message: str) -> Finding:
    return Finding(run.number, "request", message, labels.long(entry), entry["id"])


# -- how the run ended ---------------------------------------------------------------------


def _outcome(run: RunEvidence, labels: Labels) -> list[Finding]:
    outcome, last = run.outcome, _RECORD_ORDER - 1
    if outcome.stopped:
        return [Finding(run.number, "client", outcome.stopped, order=last)]
    if outcome.exit_code != 0:
        tail = (outcome.stderr_tail or outcome.stdout_tail or ["(no output)"])[-1]
        tail = tail if len(tail) <= 160 else tail[:157] + "..."
        return [Finding(run.number, "client", f"exited with code {outcome.exit_code}: {tail}", order=last)]
    if outcome.output_error:
        return [Finding(run.number, "client", outcome.output_error, order=last)]
    return []


# -- each request on its own ---------------------------------------------------------------


def _requests(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    injected = _injected(run)
    for entry in run.entries:
        operation, status = entry["operation"], entry["status"]
        problems = []
        if entry["catalog"] != run.catalog:
            problems.append(f"called the {entry['catalog']} catalog; the client was configured for {run.catalog}")
        if operation not in document.read_operations():
            problems.append(f"sent {entry['method']} {operation}: a sync only reads")
        if operation != "token" and f"/contracts/{CONTRACT_NO}/" not in entry["path"]:
            problems.append(f"called another contract than the one configured ({CONTRACT_NO})")
        problems += [f"{f['field'] or 'request'}: {f['message']}" for f in entry.get("findings") or []]
        if not problems and status >= 400 and status != 401 and not (status in TRANSIENT_STATUSES and injected.get(entry["id"])):
            refusal = _refusal(entry)
            if refusal:
                problems.append(refusal)
        if problems:
            findings.append(_finding(run, labels, entry, "; ".join(problems)))
    return findings


def _refusal(entry: dict[str, Any]) -> str:
    answer = entry.get("response") or {}
    if entry["operation"] == "token":
        if answer.get("error") == "invalid_grant" and _grant(entry) == "refresh_token":
            return ""  # a refused refresh, answered by falling back to the password grant
        detail = answer.get("error_description") or answer.get("error") or answer.get("httpMessage") or ""
        return f"the token endpoint refused it ({entry['status']}): {detail}"
    if entry["status"] == 403:
        return "refused 403: the token lacks the scope this operation needs (ask for read)"
    code = answer.get("errorCode") or answer.get("httpCode") or ""
    return f"refused {entry['status']} (errorCode {code})"


def _grant(entry: dict[str, Any]) -> str | None:
    fields = urllib.parse.parse_qs(entry.get("request") or "")
    return (fields.get("grant_type") or [None])[0]


def _injected(run: RunEvidence) -> dict[int, dict[str, Any]]:
    """The journal entries answered by an injected fault, with that fault. The emulator uses
    the oldest matching fault first, so the n-th failure of an operation is the n-th
    status the posted faults list for it."""
    queue: dict[str, list[dict[str, Any]]] = {}
    for fault in run.faults:
        if fault.get("status"):
            queue.setdefault(fault["operation"], []).extend([fault] * fault.get("times", 1))
    matched = {}
    for entry in run.entries:
        waiting = queue.get(entry["operation"])
        if waiting and entry["status"] == waiting[0]["status"]:
            matched[entry["id"]] = waiting.pop(0)
    return matched


# -- paging --------------------------------------------------------------------------------


def _paging(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    for operation in document.list_operations():
        entries = [e for e in run.entries if e["operation"] == operation]
        if not entries:
            if operation == TASKS[run.task] and run.outcome.finished:
                findings.append(Finding(run.number, "request", f"never called {operation}: the task needs it",
                                        order=_RECORD_ORDER - 2))
            continue
        findings += _pages(run, labels, entries, document.paging(operation))
    return findings


def _pages(run: RunEvidence, labels: Labels, entries: list[dict[str, Any]], paging) -> list[Finding]:
    cursor, last = paging.cursor, f'"{paging.last}"'
    expected: str | None = None  # the cursor the next request must carry (None: first page)
    last_page: dict[str, Any] | None = None
    done = failed = False
    for entry in entries:
        start = paging.sent(entry.get("query") or {})
        if done:
            return [_finding(run, labels, entry, f"asked for a page after the last one ({labels.short(last_page)} "
                                                 f"said {cursor} {last})")]
        if start != expected and not (start is None and failed):
            if start is None:
                message = f'went back to the first page while page "{expected}" was still to read'
            elif expected is None:
                message = f'sent {cursor} "{start}" on its first request; omit it (or send {last}) for the first page'
            elif last_page is not None and paging.sent(last_page.get("query") or {}) == start:
                message = f'read page "{start}" again instead of page "{expected}"'
            else:
                message = f'sent {cursor} "{start}"; the previous page said "{expected}" (send it back as given)'
            return [_finding(run, labels, entry, message)]
        if start is None and failed:
            expected = None  # starting over after a failure is allowed
        if entry["status"] == 200:
            following = (entry.get("response") or {}).get("next")
            last_page, failed = entry, False
            if following in (None, paging.last):
                done = True
            else:
                expected = following
        else:
            failed = True
    if not done and run.outcome.exit_code == 0 and not run.outcome.stopped:
        if last_page is None:
            message = "never got a page of the list (every request failed) yet exited 0"
            anchor = entries[-1]
        else:
            message = f'stopped reading: this page said {cursor} "{expected}" and the client never asked for it'
            anchor = last_page
        return [_finding(run, labels, anchor, message)]
    return []


# -- tokens --------------------------------------------------------------------------------


def _tokens(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    current: tuple[str, datetime, dict[str, Any]] | None = None  # token reference, issued at, entry
    refused: dict[str, dict[str, Any]] = {}  # token reference -> the 401 that refused it
    flagged: set[str] = set()  # tokens already reported as sent again
    unanswered: dict[str, Any] | None = None  # a 401 the client has not renewed after
    for entry in run.entries:
        at = parse_instant(entry["at"])
        if entry["operation"] == "token":
            if entry["status"] != 200:
                continue
            if current and current[0] not in refused:
                left = ACCESS_LIFETIME.total_seconds() - (at - current[1]).total_seconds()
                if left > RENEW_MARGIN:
                    findings.append(_finding(run, labels, entry, (
                        f"asked for a new token ({_grant(entry)} grant) while the one from {labels.short(current[2])} "
                        f"was good for {left / 60:.0f} more minutes: reuse a token until it is about to expire")))
            current, unanswered = (entry["response"].get("token"), at, entry), None
            continue
        token = entry.get("token")
        if token in refused and token not in flagged:
            flagged.add(token)
            findings.append(_finding(run, labels, entry, (
                f"sent again the token refused as expired at {labels.short(refused[token])}: get a new one first")))
        if entry["status"] == 401:
            refused.setdefault(token, entry)
            unanswered = unanswered or entry
        elif token not in refused:
            unanswered = None  # it carries on with a good token
    if unanswered is not None:
        findings.append(_finding(run, labels, unanswered, (
            "the access token expired (401) and the client never asked for a new one: "
            "renew it with the refresh_token grant (or the password grant) and retry")))
    return findings


# -- retries -------------------------------------------------------------------------------


def _retries(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    injected = _injected(run)
    for index, entry in enumerate(run.entries):
        fault = injected.get(entry["id"])
        if fault is None:
            continue
        retry = next((later for later in run.entries[index + 1:] if later["operation"] == entry["operation"]), None)
        if retry is None:
            findings.append(_finding(run, labels, entry, (
                f"gave up after a {entry['status']}: a 429 or 503 is transient, retry after a pause")))
            continue
        pause = (parse_instant(retry["at"]) - parse_instant(entry["at"])).total_seconds()
        wait = fault.get("retryAfter")
        if wait is not None and pause < wait - RETRY_AFTER_LEEWAY:
            findings.append(_finding(run, labels, retry, (
                f"retried {pause:.2f} s after a {entry['status']} that said Retry-After: {wait}")))
        elif wait is None and pause < MIN_BACKOFF:
            findings.append(_finding(run, labels, retry, (
                f"retried {pause * 1000:.0f} ms after a {entry['status']}: back off (say 0.5 s, doubling) before retrying")))
    return findings


# -- records -------------------------------------------------------------------------------


def _records(run: RunEvidence) -> list[Finding]:
    findings: list[Finding] = []
    got: dict[str, dict[str, Any]] = {}

    def add(key: str, message: str) -> None:
        order = _RECORD_ORDER + (int(key) if key.isdigit() else 10**9)
        findings.append(Finding(run.number, "record", message, f"endorsement {key}" if key else "output", order))

    for index, record in enumerate(run.outcome.records or [], 1):
        key = number(record.get("endorsementNo")) if isinstance(record, dict) else None
        if not key:
            add("", f"output record #{index} is not a debtor record with an endorsementNo: {str(record)[:80]}")
        elif key in got:
            add(key, "appears twice in the output")
        else:
            got[key] = record
    requests_of = {r["pendingOf"]: n for n, r in run.pending.items()}
    for key in sorted(set(got) | set(run.expected), key=lambda k: (len(k), k)):
        want, have = run.expected.get(key), got.get(key)
        if want is None:
            pending = run.pending.get(key)
            if pending is not None:
                add(key, (f"is the pending request on endorsement {pending['pendingOf']} (statusCode \"1\", EN TRÁMITE), "
                          f"not a debtor's limit: keep {pending['pendingOf']}'s firm record"))
            else:
                add(key, f"is not a record of the contract ({shown(have)})")
        elif have is None:
            hint = ""
            if requests_of.get(key) in got:
                hint = f"; the output has its pending request {requests_of[key]} instead"
            add(key, f"is missing (expected {shown(want)}){hint}")
        else:
            wrong = [name for name in JUDGED if not same(name, have.get(name), want.get(name))]
            if wrong:
                add(key, f"has {shown(have)}; expected {shown(want)}{_hint(run, key, have)}")
    return findings


def _hint(run: RunEvidence, key: str, have: dict[str, Any]) -> str:
    """Why a record may be wrong: it holds a pending request's values, or the version the
    client had before the run."""
    for number_, pending in run.pending.items():
        if pending["pendingOf"] == key and all(same(n, have.get(n), pending.get(n)) for n in JUDGED):
            return f" (the values of the pending request {number_}, which is not a limit yet)"
    old = run.before.get(key)
    if old is not None and all(same(n, have.get(n), old.get(n)) for n in JUDGED):
        return " (the version it had before the run: a movement was not applied)"
    return ""
