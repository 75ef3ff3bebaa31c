"""The rules a client's traffic is judged by, from the emulator's journal of one run.

- requests: every request valid as Cesce would take it: no conformance finding in the journal,
  no 4xx answer but those a scenario injects, the catalog the client was configured with, the
  contract it was given, and only reads and the task's own writes;
- paging: each list read from the first page (no cursor, or its last-page mark) following each
  page's cursor exactly as given, until the last-page mark, and no page after that (the cursor,
  where an answer gives it and the mark are the operation's ``x-cesce-paging``: for the risk
  lists, nextEndorsementNo until "0"). A page may hold fewer records than the page size without
  being the last, and may be empty (the entity null). A task that polls may read a list anew
  from its first page once it has read its last. An answer whose errorCode is not "0" is
  an error, not a page, even with status 200: exiting 0 after it with part of a list fails;
- tokens: one access token reused until it expires; a new one (refresh_token or password grant)
  only when the old one was refused as expired or had under ``RENEW_MARGIN`` left; never an
  expired token sent again; each refresh with the refresh token the last token answer gave; a
  refresh refused (invalid_grant) answered by the password grant, never tried again;
- retries: a request answered 429/502/503/504 retried after a pause: at least half its
  Retry-After when it has one, else at least ``MIN_BACKOFF``. Both floors sit well above what a
  loaded machine adds or takes off a pause (the journal dates a request as it arrives), so the
  verdict on a client that waits cannot flip with load, and one that does not wait still fails.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime
from typing import Any

from contract_tests import document
from contract_tests.conformance.evidence import RECORD_ORDER, Finding, Labels, RunEvidence
from contract_tests.conformance.seeding import CONTRACT_NO, REVOKE
from emulator.auth.rules import ACCESS_LIFETIME
from emulator.clock import parse_instant
from emulator.faults import TRANSIENT_STATUSES

#: A client may renew its access token this long before it expires (a production client
#: renews 60 s early).
RENEW_MARGIN = 300.0
#: The least pause before retrying a 429/503 that has no Retry-After header.
MIN_BACKOFF = 0.25
#: The share of a Retry-After a retry must wait at least.
RETRY_AFTER_SHARE = 0.5


# -- each request on its own ---------------------------------------------------------------


def requests(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    injected = injected_answers(run)
    allowed = document.read_operations() | run.task.writes
    for entry in run.entries:
        operation, status = entry["operation"], entry["status"]
        problems = []
        if entry["catalog"] != run.catalog:
            problems.append(f"called the {entry['catalog']} catalog; the client was configured for {run.catalog}")
        if operation not in allowed:
            problems.append(f"sent {entry['method']} {operation}: {run.task.name} "
                            f"{'may not send it' if run.task.writes else 'only reads'}")
        if operation != "token" and f"/contracts/{CONTRACT_NO}/" not in entry["path"]:
            problems.append(f"called another contract than the one configured ({CONTRACT_NO})")
        problems += [f"{f['field'] or 'request'}: {f['message']}" for f in entry.get("findings") or []]
        code = (entry.get("response") or {}).get("errorCode")
        if not problems and status >= 400 and status != 401 and entry["id"] not in injected \
                and code not in run.task.refusals:
            refusal = _refusal(entry)
            if refusal:
                problems.append(refusal)
        if problems:
            findings.append(labels.finding(run, entry, "; ".join(problems)))
    return findings


def _refusal(entry: dict[str, Any]) -> str:
    answer = entry.get("response") or {}
    if entry["operation"] == "token":
        if answer.get("error") == "invalid_grant" and grant(entry) == "refresh_token":
            return ""  # a refused refresh: the token rules judge what the client does next
        detail = answer.get("error_description") or answer.get("error") or answer.get("httpMessage") or ""
        return f"the token endpoint refused it ({entry['status']}): {detail}"
    if entry["status"] == 403:
        return "refused 403: the token lacks the scope this operation needs (ask for read)"
    code = answer.get("errorCode") or answer.get("httpCode") or ""
    return f"refused {entry['status']} (errorCode {code})"


def grant(entry: dict[str, Any]) -> str | None:
    fields = urllib.parse.parse_qs(entry.get("request") or "")
    return (fields.get("grant_type") or [None])[0]


def injected_answers(run: RunEvidence) -> dict[int, dict[str, Any]]:
    """The journal entries answered by an injected fault, with that fault. The emulator uses
    the oldest matching fault first, so the n-th answer of an operation that looks like a
    fault's is the n-th such answer the posted faults list for it."""
    queue: dict[str, list[dict[str, Any]]] = {}
    skips: dict[int, int] = {}  # a dropped connection's fault -> requests still to let through
    for fault in run.faults:
        if fault.get("status") or fault.get("dropConnection"):
            queue.setdefault(fault["operation"], []).extend([fault] * fault.get("times", 1))
            skips[id(fault)] = fault.get("skip", 0)
    matched = {}
    for entry in run.entries:
        waiting = queue.get(entry["operation"])
        if not waiting:
            continue
        code = (entry.get("response") or {}).get("errorCode")
        if waiting[0].get("dropConnection"):
            # Its journal entry is the answer the client never got: it is the one after the skips.
            if skips[id(waiting[0])] > 0:
                skips[id(waiting[0])] -= 1
            else:
                matched[entry["id"]] = waiting.pop(0)
        elif entry["status"] == waiting[0]["status"] and (
                "errorCode" not in waiting[0] or code == waiting[0]["errorCode"]):
            matched[entry["id"]] = waiting.pop(0)
    return matched


def errors_met(run: RunEvidence) -> list[dict[str, Any]]:
    """The entries of the run answered by an injected error a client need not get past: Cesce's
    error envelope, a gateway status that does not ask to try again, a dropped connection."""
    injected = injected_answers(run)
    return [entry for entry in run.entries
            if (fault := injected.get(entry["id"])) is not None
            and ("errorCode" in fault or fault.get("dropConnection") or fault["status"] not in TRANSIENT_STATUSES)]


# -- paging --------------------------------------------------------------------------------


def paging(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    for operation in document.list_operations():
        entries = [e for e in run.entries if e["operation"] == operation]
        if not entries:
            if operation == run.task.reads and run.outcome.finished:
                findings.append(Finding(run.number, "request", f"never called {operation}: the task needs it",
                                        order=RECORD_ORDER - 2))
            continue
        findings += _pages(run, labels, entries, document.paging(operation))
    return findings


def _pages(run: RunEvidence, labels: Labels, entries: list[dict[str, Any]], declared) -> list[Finding]:
    cursor, last = declared.cursor, f'"{declared.last}"'
    expected: str | None = None  # the cursor the next request must carry (None: first page)
    last_page: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None  # the request that failed, until one succeeds
    done = False
    for entry in entries:
        start = declared.sent(entry.get("query") or {})
        if done and start is None and run.task.polls:
            expected, last_page, done = None, None, False  # a poll reads the list anew
        if done:
            return [labels.finding(run, entry, f"asked for a page after the last one ({labels.short(last_page)} "
                                               f"said {cursor} {last})")]
        if start != expected and not (start is None and failure is not None):
            if start is None:
                message = f'went back to the first page while page "{expected}" was still to read'
            elif expected is None:
                message = f'sent {cursor} "{start}" on its first request; omit it (or send {last}) for the first page'
            elif last_page is not None and declared.sent(last_page.get("query") or {}) == start:
                message = f'read page "{start}" again instead of page "{expected}"'
            else:
                message = f'sent {cursor} "{start}"; the previous page said "{expected}" (send it back as given)'
            return [labels.finding(run, entry, message)]
        if start is None and failure is not None:
            expected = None  # starting over after a failure is allowed
        answer = entry.get("response") or {}
        if entry["status"] == 200 and answer.get("errorCode") in (None, "0"):
            following = answer.get("next")
            last_page, failure = entry, None
            if following in (None, declared.last):
                done = True
            else:
                expected = following
        else:
            failure = entry
    if done or run.outcome.exit_code != 0 or run.outcome.stopped:
        return []
    if failure is not None:
        code = (failure.get("response") or {}).get("errorCode")
        if failure["status"] == 200:
            message = (f'read this answer (errorCode "{code}") as the end of the list and exited 0: a 200 whose '
                       'errorCode is not "0" is an error, not a page; end the run in error (or retry) rather than '
                       "keep part of the list")
        else:
            message = (f"exited 0 though this {failure['status']} left the list unread from "
                       f"{cursor} \"{expected}\" on: a sync that cannot finish must end in error, not keep part of the list"
                       if expected is not None else
                       f"exited 0 though this {failure['status']} kept it from reading the list: a sync that cannot "
                       "finish must end in error")
        return [labels.finding(run, failure, message)]
    message = f'stopped reading: this page said {cursor} "{expected}" and the client never asked for it'
    held = (last_page.get("response") or {}).get(declared.entity)
    if isinstance(held, int) and held < declared.size:
        message += (f" (it held {held} records, fewer than {declared.size}, and was not the last: a page holds up to "
                    f"{declared.size}; only {cursor} {last} ends the list)")
    return [labels.finding(run, last_page, message)]


# -- tokens --------------------------------------------------------------------------------


def tokens(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    lifetime = ACCESS_LIFETIME.total_seconds()
    revoked = any(REVOKE in (fault.get("events") or []) for fault in run.faults)
    current: tuple[str, datetime, dict[str, Any]] | None = None  # token reference, issued at, entry
    refused: dict[str, dict[str, Any]] = {}  # token reference -> the 401 that refused it
    flagged: set[str] = set()  # tokens already reported as sent again
    unanswered: dict[str, Any] | None = None  # a 401 the client has not asked for a token after
    refused_refresh: dict[str, Any] | None = None  # a refresh refused, until a token is issued
    retried_refresh = False
    for entry in run.entries:
        at = parse_instant(entry["at"])
        if entry["operation"] == "token":
            answer = entry.get("response") or {}
            unanswered = None  # it asked for a new token; what came of it is judged below
            if entry["status"] != 200:
                if grant(entry) == "refresh_token" and answer.get("error") == "invalid_grant":
                    why = answer.get("error_description") or "invalid_grant"
                    if refused_refresh is not None:
                        if retried_refresh:
                            continue  # said once
                        retried_refresh = True
                        findings.append(labels.finding(run, entry, (
                            f"tried the refresh_token grant again after {labels.short(refused_refresh)} refused it "
                            f"(invalid_grant: {why}): a refused refresh token stays refused; sign in again with "
                            "the password grant")))
                    elif not revoked:
                        findings.append(labels.finding(run, entry, (
                            f"renewed with a refresh token Cesce no longer takes (invalid_grant: {why}): each token "
                            "answer carries a new refresh_token; keep it for the next renewal")))
                    refused_refresh = refused_refresh or entry
                continue
            if current and current[0] not in refused:
                age = (at - current[1]).total_seconds()
                left = lifetime - age
                if left > RENEW_MARGIN:
                    hint = (f" (it renewed after {age:.1f} s: expires_in counts seconds, {lifetime:.0f} is an hour)"
                            if 1.0 <= age <= lifetime / 100 else "")
                    findings.append(labels.finding(run, entry, (
                        f"asked for a new token ({grant(entry)} grant) while the one from {labels.short(current[2])} "
                        f"was good for {left / 60:.0f} more minutes: reuse a token until it is about to expire{hint}")))
            current, refused_refresh = (answer.get("token"), at, entry), None
            continue
        token = entry.get("token")
        if token in refused and token not in flagged:
            flagged.add(token)
            findings.append(labels.finding(run, entry, (
                f"sent again the token refused as expired at {labels.short(refused[token])}: get a new one first")))
        if entry["status"] == 401:
            refused.setdefault(token, entry)
            unanswered = unanswered or entry
        elif token not in refused:
            unanswered = None  # it carries on with a good token
    if refused_refresh is not None and not retried_refresh:
        findings.append(labels.finding(run, refused_refresh, (
            "gave up after the refresh token was refused (invalid_grant): sign in again with the password grant "
            "and carry on")))
    elif unanswered is not None:
        findings.append(labels.finding(run, unanswered, (
            "the access token expired (401) and the client never asked for a new one: "
            "renew it with the refresh_token grant (or the password grant) and retry")))
    return findings


# -- retries -------------------------------------------------------------------------------


def retries(run: RunEvidence, labels: Labels) -> list[Finding]:
    findings = []
    injected = injected_answers(run)
    for index, entry in enumerate(run.entries):
        fault = injected.get(entry["id"])
        if fault is None or "errorCode" in fault or fault.get("status") not in TRANSIENT_STATUSES:
            continue
        retry = next((later for later in run.entries[index + 1:] if later["operation"] == entry["operation"]), None)
        status = entry["status"]
        if retry is None:
            if not run.outcome.stopped:
                findings.append(labels.finding(run, entry, (
                    f"gave up after a {status}: a {status} asks to try again later; retry after a pause")))
            continue
        pause = (parse_instant(retry["at"]) - parse_instant(entry["at"])).total_seconds()
        wait = fault.get("retryAfter")
        if wait is not None and pause < wait * RETRY_AFTER_SHARE:
            findings.append(labels.finding(run, retry, (
                f"retried {pause:.2f} s after a {status} that said Retry-After: {wait}: wait as long as it asks "
                f"(the kit takes {wait * RETRY_AFTER_SHARE:g} s or more, so that a loaded machine cannot fail a "
                "client that waits)")))
        elif wait is None and pause < MIN_BACKOFF:
            findings.append(labels.finding(run, retry, (
                f"retried {pause:.2f} s after a {status} without Retry-After: back off before retrying, 0.5 s "
                f"doubling say (the kit takes {MIN_BACKOFF:g} s or more)")))
    return findings
