"""The risk tasks: portfolio-sync (every debtor's current record, from GET .../portfolio) and
movements-sync (the records a client had, updated from GET .../movements, the firm changes of
the last 48 hours).

What a client should hold, from the emulator's own state (/_emulator/state):

- portfolio-sync: every record of the contract except the pending 300xxx requests
  (``pendingOf`` set in the state). A pending request on a known debtor is not a limit: the
  debtor's limit is still its firm record until the request is decided. A new debtor whose only
  record is EN TRÁMITE (statusCode "1") is listed as Cesce lists it: it is a record to keep.
- movements-sync: the records the client had before the run, with every record among the
  movements at the end of the run (a firm change in the last 48 hours of the tenant's clock)
  added or replacing the one with the same endorsementNo. A change older than 48 hours that
  the client never saw is not its fault and is not expected.

Seeded times are well clear of the 48-hour window's edge, so a few seconds of real time passing
during a run never move a record in or out of it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from contract_tests.conformance.scenarios import Scenario, define
from contract_tests.conformance.seeding import CONTRACT_NO
from contract_tests.conformance.tasks import Change, Context, Keyed, Kind, Records, Task
from contract_tests.conformance.truth import same
from emulator.clock import parse_instant
from emulator.risks.records import status
from emulator.risks.rules import MOVEMENTS_WINDOW
from emulator.sandbox_model import SandboxModel
from emulator.wire import format_amount, parse_amount

#: The fields a client's record is judged on.
JUDGED = ("statusCode", "creditLimitGranted")

#: Granted amounts of the ``cents`` debtors: cents, a million and more, and values that a
#: binary float turns a cent short (1234567.89 * 100 is 123456788.99999999).
CENTS = ("1234567,89", "4,35", "2500000,10", "0,29", "19,99", "1000000,07", "8,12", "999999,99")
#: When the ``cents`` debtors that are not among the movements were granted: month and year
#: ends, a leap day.
MONTH_ENDS = ("2024-02-29T12:00:00Z", "2025-06-30T12:00:00Z", "2025-11-30T12:00:00Z", "2025-12-31T12:00:00Z")
#: A clock start where five hours ago is the last day of the year: the ``cents`` debtors among
#: the movements then carry 20251231.
NEW_YEAR = "2026-01-01T03:00:00Z"

KINDS = {
    "pending_requests": Kind("in force with a pending 300xxx request", listed=2),
    "pending_new": Kind("new EN TRÁMITE"),
    "rejected": Kind("rejected"),
    "cancelled": Kind("cancelled"),
    "cents": Kind("in force for amounts in cents (some over a million), granted at month ends"),
    "old": Kind("in force for days", most=5),
    "recent": Kind("granted in the last 48 h", most=5),
}
TYPICAL = {"old": 3, "recent": 2, "rejected": 1, "cancelled": 1, "pending_new": 1, "pending_requests": 2}


# -- seeding -------------------------------------------------------------------------------


def seed(scenario: Scenario) -> dict[str, Any]:
    """The contract document of a recipe. Records are generated in a fixed order (pending
    requests' debtors, new pending debtors, rejections, cancellations, the cents debtors, then
    the old and recent debtors in force), so one recipe always gives the same endorsementNos."""
    count = scenario.count
    debtors: list[dict[str, Any]] = []
    for i in range(1, count("pending_requests") + 1):
        debtors.append(_debtor("P", i, "CON SOLICITUD PENDIENTE", status="in-force", requested="50000,00", since="-P200D",
                               pendingRequest={"requested": "100000,00", "since": "-PT3H",
                                               "decision": "pending-committee", "resolveIn": "P1D"}))
    for i in range(1, count("pending_new") + 1):
        debtors.append(_debtor("N", i, "NUEVO EN TRAMITE", status="pending", decision="pending-committee",
                               requested="80000,00", since="-PT3H", resolveIn="P1D"))
    for i in range(1, count("rejected") + 1):
        debtors.append(_debtor("R", i, "RECHAZADO", status="rejected", requested="20000,00", since="-PT3H"))
    for i in range(1, count("cancelled") + 1):
        debtors.append(_debtor("X", i, "ANULADO", status="cancelled", requested="30000,00", since="-P10D"))
    for i in range(1, count("cents") + 1):
        granted = CENTS[(i - 1) % len(CENTS)]
        since = "-PT5H" if i % 2 else MONTH_ENDS[(i // 2 - 1) % len(MONTH_ENDS)]
        debtors.append(_debtor("C", i, "IMPORTE CON CENTIMOS", status="in-force", requested="2600000,00",
                               granted=granted, since=since))
    generate = [
        {"count": count("old"), "countryCode": "ES", "taxCode": "A{index:07d}",
         "companyName": "DEUDOR ANTIGUO {index:05d} SL", "status": "in-force", "requested": "15000,00", "since": "-P5D"},
        {"count": count("recent"), "countryCode": "ES", "taxCode": "B{index:07d}",
         "companyName": "DEUDOR RECIENTE {index:05d} SL", "status": "in-force", "requested": "25000,00", "since": "-PT2H"},
    ]
    return {"contractNo": CONTRACT_NO, "policy": "standard", "debtors": debtors,
            "generate": [batch for batch in generate if batch["count"]]}


def _debtor(prefix: str, index: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {"countryCode": "ES", "taxCode": f"{prefix}{index:07d}", "companyName": f"{kind} {index:03d} SL", **fields}


def records(contract: dict[str, Any]) -> Records:
    return contract.get("debtors", [])


# -- what the client should hold ------------------------------------------------------------


def portfolio(records: Records, now: datetime, before: Keyed, given: Records | None = None) -> Keyed:
    return {r["endorsementNo"]: r for r in records if not r.get("pendingOf")}


def movements(records: Records, now: datetime, before: Keyed, given: Records | None = None) -> Keyed:
    merged = dict(before)
    merged.update({r["endorsementNo"]: r for r in records if in_window(r, now)})
    return merged


def in_window(record: dict[str, Any], now: datetime) -> bool:
    """Whether a record is among the movements at ``now``: a firm change in the last 48 hours."""
    changed = record.get("changedAt")
    if not changed or record.get("pendingOf"):
        return False
    return now - MOVEMENTS_WINDOW < parse_instant(changed) <= now


def baseline(records: Records, now: datetime) -> Records:
    """What a movements client holds before its first run: the firm portfolio as it stood
    before the last 48 hours. A record that changed since then is either unknown to the client
    (odd endorsementNo) or known in an older version, EN TRÁMITE with nothing granted (even
    endorsementNo), so a client must both add and replace."""
    known = []
    for record in records:
        if record.get("pendingOf"):
            continue
        public = {k: v for k, v in record.items() if k not in ("pendingOf", "resolveAt", "changedAt")}
        if not in_window(record, now):
            known.append(public)
        elif int(record["endorsementNo"]) % 2 == 0:
            known.append({**public, "statusCode": _status("pending"), "creditLimitGranted": "0,00",
                          "classificationDecisionCode": _model().code("decisions", "pending-committee")})
    return known


# -- Cesce's changes -----------------------------------------------------------------------


def _pending(records: Records) -> list[dict[str, Any]]:
    return [r for r in records if r.get("resolveAt")]


def _in_force(records: Records) -> list[dict[str, Any]]:
    asking = {r["pendingOf"] for r in records if r.get("pendingOf")}
    return [r for r in records if r["statusCode"] == _status("in-force") and not r.get("pendingOf")
            and r["endorsementNo"] not in asking]


def _decide(decision: dict[str, str]):
    def plan(records: Records):
        return [{"type": "resolve", "contractNo": CONTRACT_NO, "endorsementNo": r["endorsementNo"], **decision}
                for r in _pending(records)], None
    return plan


def _reduce(records: Records):
    """The first debtor in force, reduced to two thirds less a cent: an odd amount."""
    targets = _in_force(records)
    if not targets:
        return [], None
    granted = parse_amount(targets[0]["creditLimitGranted"])
    return [{"type": "reduce", "contractNo": CONTRACT_NO, "endorsementNo": targets[0]["endorsementNo"],
             "amount": format_amount(max(granted * 2 // 3 - 1, 1))}], None


def _cancel(records: Records):
    targets = _in_force(records)
    return ([{"type": "cancel", "contractNo": CONTRACT_NO, "endorsementNo": targets[-1]["endorsementNo"]}]
            if targets else []), None


CHANGES = {
    "resolve": Change("the Risk Committee decides every pending request (300xxx and new debtors) as it would",
                      _decide({})),
    "reject": Change("the Risk Committee rejects every pending request", _decide({"decision": "reject"})),
    "reduce": Change("Cesce reduces the first debtor in force to an odd amount (its risk worsened)", _reduce),
    "cancel": Change("Cesce cancels the limit of the last debtor in force", _cancel),
    "advance": Change("26 hours pass: pending requests fall due and are decided at their own moment",
                      lambda records: ([], "PT26H")),
}


# -- a task's own words on a wrong record -----------------------------------------------------


#: The rule for new debtors, as reports, --help and the README state it.
EN_TRAMITE_RULE = ('a new debtor EN TRÁMITE (statusCode "1") is listed as Cesce lists it; only 300xxx requests on a '
                   "known debtor are left out")


def explain(situation: str, key: str, have: dict | None, want: dict | None, context: Context) -> str:
    pending = {r["endorsementNo"]: r for r in context.records if r.get("pendingOf")}
    if situation == "unexpected" and key in pending:
        of = pending[key]["pendingOf"]
        return (f"is the pending request on endorsement {of} (statusCode \"1\", EN TRÁMITE), not a debtor's limit: "
                f"keep {of}'s firm record")
    if situation == "missing":
        asking = [number for number, r in pending.items() if r["pendingOf"] == key]
        if asking and asking[0] in context.got:
            return f"; the output has its pending request {asking[0]} instead"
        if want is not None and want.get("statusCode") == _status("pending"):
            return f"; {EN_TRAMITE_RULE}"
    if situation == "wrong":
        for number, request in pending.items():
            if request["pendingOf"] == key and all(same(n, have.get(n), request.get(n)) for n in JUDGED):
                return f" (the values of the pending request {number}, which is not a limit yet)"
    return ""


# -- the tasks -----------------------------------------------------------------------------


def _own_scenarios(task: str, paged: str, small_pages: int) -> list[Scenario]:
    prefix = task.split("-")[0]
    return [
        define(task, f"{prefix}-every-status", "every status, new pending debtors and 300xxx pending requests",
               records=TYPICAL),
        define(task, f"{prefix}-cents-and-month-ends",
               "amounts in cents and of millions, granted at month and year ends; one reduced to an odd amount, run again",
               records={**TYPICAL, "cents": len(CENTS)}, start=NEW_YEAR, between=("reduce",)),
        define(task, f"{prefix}-resolved-between-runs", "run; the committee decides the pending requests; run again",
               records=TYPICAL, between=("resolve",)),
        define(task, f"{prefix}-rejected-between-runs", "run; the committee rejects the pending requests; run again",
               records=TYPICAL, between=("reject",)),
        define(task, f"{prefix}-cesce-changes-between-runs", "run; Cesce reduces one limit and cancels another; run again",
               records=TYPICAL, between=("reduce", "cancel")),
        define(task, f"{prefix}-clock-between-runs",
               "run; 26 hours pass and pending requests are decided on their own; run again",
               records=TYPICAL, between=("advance",)),
        # Page 1 holds the debtor reduced (the client has read it: either version will do in
        # this run), page 2 the one cancelled (read after the change); the next run must see both.
        define(task, f"{prefix}-changes-mid-sync",
               f"pages of {small_pages}: as page 2 is asked for, Cesce reduces a limit already read and cancels one "
               "not read yet; run again", records={**TYPICAL, paged: TYPICAL[paged] + 3}, page_size=small_pages,
               during=("reduce", "cancel"), between=("again",)),
    ]


def _portfolio_scenarios() -> list[Scenario]:
    return _own_scenarios("portfolio-sync", "old", 7)


def _movements_scenarios() -> list[Scenario]:
    return _own_scenarios("movements-sync", "recent", 3)


PORTFOLIO = Task(
    name="portfolio-sync",
    description="every debtor's current record, from GET .../portfolio",
    rule=f"every debtor's firm record, never a pending 300xxx request: {EN_TRAMITE_RULE}",
    reads="getPortfolio", key="endorsementNo", noun="endorsement", judged=JUDGED,
    kinds=KINDS, paged="old", typical=TYPICAL,
    seed=seed, records=records, expected=portfolio,
    changes=CHANGES, explain=explain, scenarios=_portfolio_scenarios,
)

MOVEMENTS = Task(
    name="movements-sync",
    description="the records it had (CESCE_OUTPUT), updated with GET .../movements of the last 48 hours",
    rule="the records it had, each movement replacing the record with its endorsementNo or added, every other kept",
    reads="getMovements", key="endorsementNo", noun="endorsement", judged=JUDGED,
    # The page boundaries count movements; a few old debtors stay in the client's file.
    kinds=KINDS, paged="recent", beside={"old": 3}, typical=TYPICAL,
    seed=seed, records=records, expected=movements, starting=baseline,
    changes=CHANGES, explain=explain, scenarios=_movements_scenarios,
)

TASKS = [PORTFOLIO, MOVEMENTS]


@cache
def _model() -> SandboxModel:
    return SandboxModel()


def _status(key: str) -> str:
    """A statusCode of the bundled Sandbox Model, by its key ("in-force" -> "2")."""
    return status(_model(), key)


