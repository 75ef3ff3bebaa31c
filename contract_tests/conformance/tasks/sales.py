"""The sales tasks' common ground, and sales-sync: the sales a client had, kept current from
GET .../sales of the sales that moved in the last 48 hours (sales-declare is in
``sales_declare``).

What a sales-sync client should hold, from the emulator's own state (/_emulator/state): the
sales it had before the run, with every sale among the movements at the end of the run (any
change from two calendar days before today to now, on the tenant's clock) added or replacing
the one with the same saleCesceReferenceNo, as movements-sync does. Seeded changes sit at least
an hour from the window's calendar edge, so the seconds a run takes never move a sale in or
out of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from contract_tests.conformance.evidence import Finding, Labels, RunEvidence
from contract_tests.conformance.scenarios import Scenario, define
from contract_tests.conformance.seeding import CONTRACT_NO
from contract_tests.conformance.tasks import Change, Context, Keyed, Kind, Records, Task
from emulator.clock import format_instant, parse_instant
from emulator.sales.records import REASONS, STATUSES
from emulator.sales.rules import moved_since
from emulator.sandbox_model import SandboxModel

LIST = "getSales"

# -- the Sandbox Model's codes ---------------------------------------------------------------


@cache
def _model() -> SandboxModel:
    return SandboxModel()


def status(key: str) -> str:
    """A sale's statusCode in the bundled Sandbox Model, by its key ("rated" -> "5")."""
    return _model().code(STATUSES, key)


def _reason(key: str) -> str:
    return _model().code(REASONS, key)


# -- what both tasks seed ---------------------------------------------------------------------

#: The debtors every sales scenario seeds, in this order (so endorsementNos 1 and 2): one in
#: force for amounts up to three millions since 30 days, one still EN TRÁMITE.
IN_FORCE = {"countryCode": "ES", "taxCode": "A1000001", "companyName": "DEUDOR EN VIGOR SL", "customerReference": "CLI-0001",
            "status": "in-force", "requested": "3000000,00", "since": "-P30D"}
PENDING = {"countryCode": "ES", "taxCode": "A1000002", "companyName": "DEUDOR EN TRAMITE SL", "customerReference": "CLI-0002",
           "status": "pending", "decision": "pending-committee", "requested": "80000,00", "since": "-PT3H",
           "resolveIn": "P1D"}
DEBTOR_NO = {"CLI-0001": "1", "CLI-0002": "2"}

#: Amounts of the ``cents`` invoices, as the ERP writes them: cents, a million and more, and
#: values a binary float turns a cent short (1234567.89 * 100 is 123456788.99999999).
ERP_CENTS = ("1234567.89", "4.35", "2500000.10", "0.29", "19.99", "1000000.07", "8.12", "999999.99")


def cesce_amount(text: str) -> str:
    """An ERP amount ("1234567.89") in Cesce's writing ("1234567,89"), digit for digit."""
    whole, _, cents = text.partition(".")
    return f"{whole},{(cents + '00')[:2]}"


def sales(contract: dict[str, Any]) -> Records:
    """The sales of a contract in /_emulator/state: the records of both tasks."""
    return contract.get("sales", [])


# -- sales-sync --------------------------------------------------------------------------------

#: The fields a synced sale is judged on.
SYNCED = ("statusCode", "reasonStatusCode", "currencyAmount", "accruedPremium")
SYNC_KINDS = {
    "old": Kind("rated sales that did not move in the last 48 hours", most=5),
    "recent": Kind("sales declared in the last 48 hours", most=5),
    "rejected": Kind("sales rejected in the last 48 hours"),
    "pending": Kind("sales EN TRÁMITE on a debtor whose limit waits for the committee"),
    "edge": Kind("sales that moved an hour inside and an hour outside the 48 hours' calendar edge"),
    "cents": Kind("sales for amounts in cents (some over a million)"),
}
SYNC_TYPICAL = {"old": 3, "recent": 2, "rejected": 1, "pending": 1, "edge": 2}
#: Amounts of the ``cents`` sales, as Cesce writes them.
CENTS = tuple(cesce_amount(text) for text in ERP_CENTS)


def seed_sync(scenario: Scenario) -> dict[str, Any]:
    """The two debtors and the sales of a recipe, in a fixed order (old, edge, cents, rejected,
    pending, recent), so one recipe always numbers its sales the same way."""
    count, start = scenario.count, parse_instant(scenario.start)
    edge = moved_since(start)
    made: list[dict[str, Any]] = []

    def add(prefix: str, index: int, amount_: str, since: str, status: str = "rated", debtor: str = "CLI-0001",
            **more: str) -> None:
        made.append({"customerReference": debtor, "invoiceNo": f"FRA-{prefix}{index:05d}", "invoiceDate": "-P8D",
                     "maturityDate": "P50D", "amount": amount_, "status": status, "since": since, **more})

    for i in range(1, count("old") + 1):
        add("O", i, f"{500 + i},00", "-P5D")
    for i in range(1, count("edge") + 1):
        inside = i % 2 == 1
        at = edge + timedelta(hours=1) if inside else edge - timedelta(hours=1)
        add("E", i, f"{600 + i},00", format_instant(at))
    for i in range(1, count("cents") + 1):
        add("C", i, CENTS[(i - 1) % len(CENTS)], "-PT5H")
    for i in range(1, count("rejected") + 1):
        add("J", i, f"{800 + i},00", "-PT4H", status="rejected", reason="maturity-beyond-terms")
    for i in range(1, count("pending") + 1):
        add("P", i, f"{900 + i},00", "-PT3H", status="pending", debtor="CLI-0002")
    for i in range(1, count("recent") + 1):
        add("R", i, f"{1000 + i},00", "-PT2H")
    return {"contractNo": CONTRACT_NO, "policy": "standard", "debtors": [IN_FORCE, PENDING], "sales": made}


def in_window(sale: dict[str, Any], now: datetime) -> bool:
    """Whether a sale is among the movements at ``now``: changed from two calendar days before
    today, today included."""
    changed = sale.get("changedAt")
    return bool(changed) and moved_since(now) <= parse_instant(changed) <= now


def _public(sale: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sale.items() if k not in ("changedAt", "rerateAt")}


def movements(records: Records, now: datetime, before: Keyed, given: Records | None = None) -> Keyed:
    merged = dict(before)
    merged.update({r["saleCesceReferenceNo"]: _public(r) for r in records if in_window(r, now)})
    return merged


def baseline(records: Records, now: datetime) -> Records:
    """What a sync client holds before its first run: the sales as they stood before the last
    48 hours. One that moved since is unknown to the client (odd reference) or known as it was
    declared, EN TRÁMITE (even reference), so a client must both add and replace."""
    known = []
    for sale in records:
        public = _public(sale)
        if not in_window(sale, now):
            known.append(public)
        elif int(sale["saleCesceReferenceNo"]) % 2 == 0:
            known.append({**public, "statusCode": status("pending"), "reasonStatusCode": _reason("pending-limit"),
                          "accruedPremium": "0,00"})
    return known


def _rated(records: Records) -> list[dict[str, Any]]:
    return [r for r in records if r["statusCode"] == status("rated")]


def _on_sale(event: str, pick: int):
    def plan(records: Records):
        targets = _rated(records)
        return ([{"type": event, "contractNo": CONTRACT_NO, "saleCesceReferenceNo": targets[pick]["saleCesceReferenceNo"]}]
                if targets else []), None
    return plan


def _decide(records: Records):
    """The committee grants the pending debtor's limit: its sales EN TRÁMITE are rated."""
    pending = sorted({r["endorsementNo"] for r in records if r["statusCode"] == status("pending")})
    return [{"type": "resolve", "contractNo": CONTRACT_NO, "endorsementNo": number_} for number_ in pending], None


SYNC_CHANGES = {
    "certify": Change("Cesce certifies the first rated sale", _on_sale("certify-sale", 0)),
    "cancel": Change("Cesce cancels the last rated sale (Baja)", _on_sale("cancel-sale", -1)),
    "resolve": Change("the Risk Committee decides the pending debtor: its sales EN TRÁMITE are rated", _decide),
    "advance": Change("26 hours pass: the oldest movements leave the 48 hours", lambda records: ([], "PT26H")),
}


def explain_sync(situation: str, key: str, have: dict | None, want: dict | None, context: Context) -> str:
    held = {r["saleCesceReferenceNo"]: r for r in context.records}
    if situation == "unexpected" and key in held:
        return (f"did not move in the last 48 hours (last change {held[key].get('changedAt')}): read the movements "
                "(GET sales with movementsInd=Y), not the whole list")
    if situation == "missing" and key in context.before:
        return "; it was in CESCE_OUTPUT before the run: merge the movements into the sales you had, by saleCesceReferenceNo"
    return ""


def filtered(run: RunEvidence, labels: Labels) -> list[Finding]:
    """The sales list is read for the movements: movementsInd=Y on every page."""
    for entry in run.entries:
        if entry["operation"] == LIST and (entry.get("query") or {}).get("movementsInd") != ["Y"]:
            return [labels.finding(run, entry, (
                "read GET sales without movementsInd=Y: keep the sales current from the movements of the last 48 "
                "hours, not the whole list"))]
    return []


def _sync_scenarios() -> list[Scenario]:
    task = "sales-sync"
    return [
        define(task, "sync-every-status", "sales rated, rejected and EN TRÁMITE, old and recent, and at the 48 hours' "
               "calendar edge", records={**SYNC_TYPICAL, "edge": 4}),
        define(task, "sync-edge-late-in-the-day",
               "the clock at 23:30: the 48 hours reach back to 00:00 two days before, not 48 hours",
               records={**SYNC_TYPICAL, "edge": 4}, start="2026-01-15T23:30:00Z"),
        define(task, "sync-cents", "amounts in cents and of millions", records={"recent": 1, "cents": len(CENTS)}),
        define(task, "sync-resolved-between-runs", "run; the committee decides the pending debtor; run again",
               records=SYNC_TYPICAL, between=("resolve",)),
        define(task, "sync-cesce-changes-between-runs", "run; Cesce certifies one sale and cancels another; run again",
               records=SYNC_TYPICAL, between=("certify", "cancel")),
        define(task, "sync-clock-between-runs", "run; 26 hours pass; run again", records=SYNC_TYPICAL,
               between=("advance",)),
        define(task, "sync-changes-mid-sync", "pages of 3: as page 2 is asked for, Cesce certifies a sale already "
               "read and cancels one not read yet; run again", records={**SYNC_TYPICAL, "recent": 5}, page_size=3,
               during=("certify", "cancel"), between=("again",)),
    ]


SALES_SYNC = Task(
    name="sales-sync",
    description="the sales it had (CESCE_OUTPUT), updated with GET .../sales moved in the last 48 hours",
    rule=("the sales it had, each sale that moved (movementsInd=Y, from two calendar days before today) replacing "
          "the one with its saleCesceReferenceNo or added, every other kept"),
    reads=LIST, short="sync", key="saleCesceReferenceNo", noun="sale", judged=SYNCED,
    kinds=SYNC_KINDS, paged="recent", beside={"old": 3}, typical=SYNC_TYPICAL,
    seed=seed_sync, records=sales, expected=movements, starting=baseline,
    changes=SYNC_CHANGES, explain=explain_sync, checks=(filtered,), scenarios=_sync_scenarios,
)

TASKS = [SALES_SYNC]
