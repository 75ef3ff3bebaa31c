"""The judge's rules on journal entries written out by hand: how long a retry must wait, when a
run may end in error, and which line of a crashed client's output says what failed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contract_tests.conformance.clients import RunOutcome, error_line
from contract_tests.conformance.evidence import RunEvidence
from contract_tests.conformance.judge import judge
from contract_tests.conformance.seeding import CONTRACT_NO
from contract_tests.conformance.tasks.risks import PORTFOLIO
from emulator.clock import format_instant, parse_instant

START = parse_instant("2026-01-15T09:00:00Z")
PATH = f"/dev/portfolio/v1/contracts/{CONTRACT_NO}/portfolio"


def entry(number: int, seconds: float, status: int = 200, operation: str = "getPortfolio", **response) -> dict:
    token = operation == "token"
    return {"id": number, "at": format_instant(START + timedelta(seconds=seconds)), "catalog": "dev",
            "operation": operation, "method": "POST" if token else "GET",
            "path": "/dev/oauth2/v1/token" if token else PATH, "query": {"languageCode": ["ES"]},
            "request": "grant_type=password&client_id=t" if token else None, "status": status,
            "response": response or ({"token": "abc"} if token else {"errorCode": "0", "next": "0", "debtor": None}),
            "token": None if token else "abc", "findings": []}


def run(entries: list[dict], faults: list[dict], outcome: RunOutcome | None = None) -> RunEvidence:
    outcome = outcome or RunOutcome(exit_code=0, records=[])
    return RunEvidence(1, PORTFOLIO, "dev", entries, outcome, {}, {}, [], faults)


def retried_after(pause: float, retry_after: int | None) -> list[str]:
    answer = {"httpCode": "429", **({"retryAfter": str(retry_after)} if retry_after is not None else {})}
    entries = [entry(1, 0, operation="token"), entry(2, 0.1, 429, **answer), entry(3, 0.1 + pause)]
    fault = {"operation": "getPortfolio", "status": 429, "times": 1, "skip": 0}
    if retry_after is not None:
        fault["retryAfter"] = retry_after
    return [str(finding) for finding in judge(run(entries, [fault]))]


@pytest.mark.parametrize(("pause", "retry_after"), [(2.0, 2), (1.0, 2), (0.3, None), (0.25, None), (0.0, 0)])
def test_a_retry_that_waits_at_least_half_its_retry_after_or_a_quarter_second_passes(pause, retry_after):
    assert retried_after(pause, retry_after) == []


def test_a_retry_sooner_than_half_its_retry_after_fails_saying_the_pause_and_the_rule():
    assert retried_after(0.9, 2) == [
        "run 1, request #3 GET portfolio?languageCode=ES -> 200: retried 0.90 s after a 429 that said Retry-After: 2: "
        "wait as long as it asks (the kit takes 1 s or more, so that a loaded machine cannot fail a client that waits)"]


def test_a_retry_without_retry_after_sooner_than_the_floor_fails():
    assert retried_after(0.1, None) == [
        "run 1, request #3 GET portfolio?languageCode=ES -> 200: retried 0.10 s after a 429 without Retry-After: "
        "back off before retrying, 0.5 s doubling say (the kit takes 0.25 s or more)"]


ERROR_FAULT = {"operation": "getPortfolio", "status": 200, "errorCode": "9000", "times": 1, "skip": 0}
ERROR_ANSWER = {"errorCode": "9000", "errorDescription": "Error interno del servidor"}


def test_a_run_may_end_in_error_after_an_injected_error_if_it_keeps_what_it_had():
    entries = [entry(1, 0, operation="token"), entry(2, 1, **ERROR_ANSWER)]

    kept = judge(run(entries, [ERROR_FAULT], RunOutcome(exit_code=1, error_line="cesce: error 9000")))
    rewritten = judge(run(entries, [ERROR_FAULT], RunOutcome(exit_code=1, output_changed=True)))

    assert kept == []
    assert [str(f) for f in rewritten] == [
        "run 1: exited with code 1 after the error answer of request #2, having rewritten CESCE_OUTPUT: a failed "
        "sync must leave the records it had as they were"]


def test_a_run_that_ends_in_error_without_meeting_one_is_a_crash():
    entries = [entry(1, 0, operation="token"), entry(2, 1)]

    findings = judge(run(entries, [ERROR_FAULT], RunOutcome(exit_code=1, error_line="KeyError: 'debtor'")))

    assert [str(f) for f in findings] == ["run 1: exited with code 1: KeyError: 'debtor'"]


def test_exiting_0_after_an_error_answer_on_a_200_fails_naming_that_answer():
    entries = [entry(1, 0, operation="token"), entry(2, 1, **ERROR_ANSWER)]

    findings = judge(run(entries, [ERROR_FAULT]))

    assert str(findings[0]).startswith('run 1, request #2 GET portfolio?languageCode=ES -> 200 (9000): read this answer '
                                       '(errorCode "9000") as the end of the list and exited 0')


TRACEBACK = """\
INFO sync starting
Traceback (most recent call last):
  File "sync.py", line 3, in <module>
    main()
  File "sync.py", line 2, in main
    raise ValueError("amount '12,5' has one decimal")
ValueError: amount '12,5' has one decimal
INFO closing the database"""


@pytest.mark.parametrize(("stderr", "stdout", "line"), [
    (TRACEBACK, "", "ValueError: amount '12,5' has one decimal"),
    ("starting\nGET portfolio answered 500: {}\nretrying later\nbye", "", "GET portfolio answered 500: {}"),
    ("starting\nError: connect ECONNREFUSED 127.0.0.1:9\n    at TCPConnectWrap", "", "Error: connect ECONNREFUSED 127.0.0.1:9"),
    ("starting\nstopping", "", "stopping"),
    ("", "page 1\npage 2", "page 2"),
    ("", "", None),
])
def test_the_error_line_is_the_one_that_says_what_failed(stderr, stdout, line):
    assert error_line(stderr.splitlines(), stdout.splitlines()) == line
