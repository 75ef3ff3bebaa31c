"""The sales tasks: sales-declare (the ERP's invoices, given in CESCE_INPUT, declared through POST
.../sales, each invoice's outcome written back) and sales-sync (the sales a client had, kept
current from GET .../sales of the sales that moved in the last 48 hours).

What a client should hold, from the emulator's own state (/_emulator/state):

- sales-declare: for each invoice of CESCE_INPUT that Cesce holds a sale of, that sale's
  saleCesceReferenceNo, statusCode and reasonStatusCode (rejections included, with their
  reason), keyed by invoiceNo. An invoice declared before the run (by another channel, or by a
  run whose answer was lost) is answered with Cesce's duplicate error: the client records the
  sale Cesce already holds. The task's own check judges the declarations themselves: one
  debtor identifier per request, the invoice's amount and dates sent as Cesce writes them
  ("1234,56", yyyyMMdd), every invoice declared and none twice, and a duplicate answer never
  sent again.
- sales-sync: the sales it had before the run, with every sale among the movements at the end
  of the run (any change from two calendar days before today to now, on the tenant's clock)
  added or replacing the one with the same saleCesceReferenceNo, as movements-sync does.

Invoices are dated from the scenario's clock; seeded changes sit at least an hour from the
window's calendar edge, so the seconds a run takes never move a sale in or out of it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from contract_tests.conformance.evidence import RECORD_ORDER, Finding, Labels, RunEvidence
from contract_tests.conformance.scenarios import Fault, Scenario, define
from contract_tests.conformance.seeding import CONTRACT_NO
from contract_tests.conformance.tasks import Change, Context, Keyed, Kind, Records, Task
from contract_tests.conformance.truth import amount, number
from emulator import resources
from emulator.clock import format_instant, parse_instant
from emulator.sales.errors import BothDebtorIdentifiers, DuplicateSale
from emulator.sales.records import REASONS, STATUSES
from emulator.sales.rules import moved_since
from emulator.sandbox_model import SandboxModel
from emulator.wire import normalize_date

DECLARE, LIST, QUERY = "createSale", "getSales", "getSale"

# -- the Sandbox Model's codes ---------------------------------------------------------------


@cache
def _model() -> SandboxModel:
    return SandboxModel()


def _status(key: str) -> str:
    return _model().code(STATUSES, key)


def _reason(key: str) -> str:
    return _model().code(REASONS, key)


def _error(error: type) -> str:
    """A business error's errorCode, read from the bundled mocks/codes/errors.yaml alone (the
    whole Sandbox Model loads every area, which would slow every cesce-contract command)."""
    return resources.load_yaml(resources.mocks_dir() / "codes" / "errors.yaml")[error.key]["errorCode"]


#: Cesce's answer to a true duplicate, and to a sale naming its debtor twice.
DUPLICATE, BOTH = _error(DuplicateSale), _error(BothDebtorIdentifiers)
REFUSALS = frozenset({DUPLICATE, BOTH})

# -- sales-declare -----------------------------------------------------------------------------

#: The debtors every declare scenario seeds, in this order (so endorsementNos 1 and 2): one in
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

DECLARE_KINDS = {
    "rated": Kind("invoices on a debtor in force"),
    "cents": Kind("invoices for amounts in cents (some over a million), dated at month ends"),
    "beyond_terms": Kind("invoices due beyond the payment terms (rejected, reason 21)"),
    "no_credit": Kind("invoices dated before the debtor's limit (rejected, reason 20)"),
    "pending": Kind("invoices on a debtor EN TRÁMITE (statusCode 1)"),
    "declared": Kind("invoices declared before the run (Cesce answers a duplicate)"),
}
DECLARE_TYPICAL = {"rated": 3, "beyond_terms": 1, "no_credit": 1, "pending": 1, "declared": 1}


def _day(scenario: Scenario, days: int) -> str:
    """A date ``days`` from the scenario's start, as the ERP writes it ("2026-01-10")."""
    return (parse_instant(scenario.start) + timedelta(days=days)).date().isoformat()


def _month_end(scenario: Scenario, index: int) -> str:
    """The last day of the month before the start, or of the one before that."""
    first = parse_instant(scenario.start).date().replace(day=1)
    end = first - timedelta(days=1)
    return (end if index % 2 else end.replace(day=1) - timedelta(days=1)).isoformat()


def invoices(scenario: Scenario) -> Records:
    """The ERP's invoices of a recipe, in a fixed order. Each names its debtor both ways, as an
    ERP that knows Cesce's endorsementNo keeps both: the client sends one of them."""
    count = scenario.count
    made: Records = []

    def add(prefix: str, index: int, debtor: str, amount_: str, issued: str, due: str) -> None:
        made.append({"invoiceNo": f"FRA-{prefix}{index:05d}", "invoiceDate": issued, "maturityDate": due,
                     "amount": amount_, "currency": "EUR", "customerReference": debtor,
                     "endorsementNo": DEBTOR_NO[debtor]})

    for i in range(1, count("declared") + 1):
        add("D", i, "CLI-0001", f"{700 + i}.50", _day(scenario, -3), _day(scenario, 57))
    for i in range(1, count("rated") + 1):
        add("R", i, "CLI-0001", f"{1000 + i}.25", _day(scenario, -5), _day(scenario, 55))
    for i in range(1, count("cents") + 1):
        add("C", i, "CLI-0001", ERP_CENTS[(i - 1) % len(ERP_CENTS)], _month_end(scenario, i), _day(scenario, 40))
    for i in range(1, count("beyond_terms") + 1):
        add("T", i, "CLI-0001", f"{2000 + i}.00", _day(scenario, -5), _day(scenario, 300))
    for i in range(1, count("no_credit") + 1):
        add("N", i, "CLI-0001", f"{3000 + i}.00", _day(scenario, -45), _day(scenario, 15))
    for i in range(1, count("pending") + 1):
        add("P", i, "CLI-0002", f"{4000 + i}.00", _day(scenario, -1), _day(scenario, 59))
    return made


def seed_declare(scenario: Scenario) -> dict[str, Any]:
    """The two debtors, and the ``declared`` invoices as sales Cesce already holds."""
    sales = [{"customerReference": invoice["customerReference"], "invoiceNo": invoice["invoiceNo"],
              "invoiceDate": invoice["invoiceDate"], "maturityDate": invoice["maturityDate"],
              "amount": invoice["amount"].replace(".", ","), "status": "rated", "since": "-P3D"}
             for invoice in invoices(scenario) if invoice["invoiceNo"].startswith("FRA-D")]
    return {"contractNo": CONTRACT_NO, "policy": "standard", "debtors": [IN_FORCE, PENDING], "sales": sales}


def sales(contract: dict[str, Any]) -> Records:
    return contract.get("sales", [])


def _given(scenario: Scenario, records: Records) -> Records:
    return invoices(scenario)


def _first_sales(records: Records) -> dict[str, dict[str, Any]]:
    """The first sale Cesce holds of each invoiceNo."""
    first: dict[str, dict[str, Any]] = {}
    for sale in sorted(records, key=lambda s: int(s["saleCesceReferenceNo"])):
        first.setdefault(sale["invoiceNo"], sale)
    return first


def declared(records: Records, now: datetime, before: Keyed, given: Records | None = None) -> Keyed:
    held = _first_sales(records)
    return {invoice["invoiceNo"]: {"invoiceNo": invoice["invoiceNo"], **{n: held[invoice["invoiceNo"]][n] for n in DECLARED}}
            for invoice in given or [] if invoice["invoiceNo"] in held}


#: What a declare client writes back of each invoice.
DECLARED = ("saleCesceReferenceNo", "statusCode", "reasonStatusCode")


def cesce_amount(text: str) -> str:
    """An ERP amount ("1234567.89") in Cesce's writing ("1234567,89"), digit for digit."""
    whole, _, cents = text.partition(".")
    return f"{whole},{(cents + '00')[:2]}"


def _body(entry: dict[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(entry.get("request") or "")
    except ValueError:
        return {}
    sale = body.get("sale") if isinstance(body, dict) else None
    return sale if isinstance(sale, dict) else {}


def _differences(sent: dict[str, Any], invoice: dict[str, Any]) -> list[str]:
    """What a declaration says otherwise than its invoice, by value (a format the emulator
    still reads is the journal's finding, not this one)."""
    wrong = []
    for name, erp in (("invoiceDate", "invoiceDate"), ("maturityDate", "maturityDate")):
        want = invoice[erp].replace("-", "")
        if normalize_date(sent.get(name)) != want:
            wrong.append(f"{name} {sent.get(name)!r} for the invoice's {invoice[erp]} ({want})")
    if amount(sent.get("currencyAmount")) != amount(cesce_amount(invoice["amount"])):
        wrong.append(f"currencyAmount {sent.get('currencyAmount')!r} for the invoice's {invoice['amount']} "
                     f"({cesce_amount(invoice['amount'])!r} in Cesce's writing; an amount read through a binary float "
                     "loses cents)")
    debtor = number(sent.get("endorsementNo")) or None
    if debtor not in (None, invoice["endorsementNo"]) or sent.get("customerReference") not in (
            None, invoice["customerReference"]):
        wrong.append(f"the debtor {debtor or sent.get('customerReference')!r}; the invoice's is endorsement "
                     f"{invoice['endorsementNo']} ({invoice['customerReference']})")
    return wrong


def declared_once(run: RunEvidence, labels: Labels) -> list[Finding]:
    """Every invoice declared as it is, once: one identifier per request, its values in Cesce's
    format, a duplicate answer read (never sent again in the run, never the end of a run), no
    invoice that is not the ERP's, and in the end one sale of each invoice."""
    findings: list[Finding] = []
    given = {invoice["invoiceNo"]: invoice for invoice in run.given or []}
    duplicates: dict[str, dict[str, Any]] = {}  # invoiceNo -> the first duplicate answer in the run
    sent_again: set[str] = set()
    posts = [entry for entry in run.entries if entry["operation"] == DECLARE]
    for entry in posts:
        sale = _body(entry)
        invoice_no = sale.get("invoiceNo")
        code = (entry.get("response") or {}).get("errorCode")
        problems = []
        if "endorsementNo" in sale and "customerReference" in sale:
            problems.append(f"named the debtor by both endorsementNo and customerReference (Cesce refuses it, {BOTH}): "
                            "a sale names its debtor by exactly one")
        if invoice_no in duplicates and invoice_no not in sent_again:
            sent_again.add(invoice_no)
            problems.append(f"declared invoice {invoice_no} again after {labels.short(duplicates[invoice_no])} was "
                            f"answered as a duplicate ({DUPLICATE}): a duplicate stays one; record the sale Cesce "
                            "holds (GET sale by invoiceNo and maturityDate) and go on")
        if code == DUPLICATE:
            duplicates.setdefault(invoice_no, entry)
        if invoice_no not in given:
            problems.append(f"declared invoice {invoice_no!r}, which is not in CESCE_INPUT")
        else:
            wrong = _differences(sale, given[invoice_no])
            if wrong:
                problems.append("declared " + "; ".join(wrong))
        if problems:
            findings.append(labels.finding(run, entry, "; ".join(problems)))
    outcome = run.outcome
    if posts and not outcome.finished and not outcome.stopped and outcome.exit_code is not None:
        last = (posts[-1].get("response") or {}).get("errorCode")
        if last == DUPLICATE and not findings:
            findings.append(labels.finding(run, posts[-1], (
                f"ended the run in error on Cesce's duplicate answer ({DUPLICATE}): the invoice is declared already "
                "(by a declaration whose answer was lost, or before); record the sale Cesce holds (GET sale by "
                "invoiceNo and maturityDate) and go on")))
    by_invoice: dict[str, list[str]] = {}
    for sale in run.records:
        by_invoice.setdefault(sale["invoiceNo"], []).append(sale["saleCesceReferenceNo"])
    for invoice_no in given:
        held = sorted(by_invoice.get(invoice_no, []), key=int)
        if len(held) > 1:
            findings.append(Finding(run.number, "record", (
                f"is declared {len(held)} times (sales {', '.join(held)}): declare an invoice once, and after a "
                f"lost answer read Cesce's duplicate error ({DUPLICATE}) or look the invoice up before declaring "
                "it anew"), f"invoice {invoice_no}", RECORD_ORDER - 1))
        elif not held and outcome.finished:
            findings.append(Finding(run.number, "record", "was never declared: Cesce holds no sale of it",
                                    f"invoice {invoice_no}", RECORD_ORDER - 1))
    return findings


def explain_declared(situation: str, key: str, have: dict | None, want: dict | None, context: Context) -> str:
    if situation == "unexpected":
        return "is not an invoice Cesce holds a sale of: record only what Cesce answered"
    if want is None:
        return ""
    if want["statusCode"] == _status("rejected"):
        return (f"; a rejected sale (statusCode {want['statusCode']}) is recorded with its reasonStatusCode, "
                "which says why" if situation == "missing" else " (a rejection is recorded with Cesce's reason)")
    if situation == "wrong" and number(have.get("saleCesceReferenceNo")) != number(want["saleCesceReferenceNo"]):
        return (f" (Cesce holds the invoice as sale {want['saleCesceReferenceNo']}: when it answers a duplicate "
                f"({DUPLICATE}), the sale it already holds is the invoice's)")
    return ""


def _declare_scenarios() -> list[Scenario]:
    task = "sales-declare"
    return [
        define(task, "declare-every-status", "invoices rated, rejected for two reasons, EN TRÁMITE and one declared "
               "before", records=DECLARE_TYPICAL),
        define(task, "declare-cents-and-month-ends",
               "amounts in cents and of millions, invoices dated at month ends", records={"cents": len(ERP_CENTS)},
               start="2026-01-05T09:00:00Z"),
        define(task, "declare-declared-before", "every invoice was declared before the run: each is a duplicate",
               records={"declared": 3}),
        define(task, "declare-dropped-connection",
               "the third declaration is carried out but its connection drops before the answer; run again",
               records={"rated": 5}, faults=(Fault("list", None, skip=2, drop=True),), between=("again",)),
        define(task, "declare-503-then-run-again",
               "the second declaration answers 503 once (nothing stored); run again", records=DECLARE_TYPICAL,
               faults=(Fault("list", 503, skip=1),), between=("again",)),
    ]


SALES_DECLARE = Task(
    name="sales-declare",
    description="the ERP's invoices (CESCE_INPUT) declared through POST .../sales, each one's outcome written back",
    rule=("for each invoice, keyed by invoiceNo, the saleCesceReferenceNo, statusCode and reasonStatusCode of the one "
          "sale Cesce holds of it (a rejection with its reason; a duplicate answer means the sale Cesce already "
          "holds); each declaration names its debtor once, in Cesce's amount and date formats"),
    reads=None, acts=DECLARE, writes=frozenset({DECLARE}), refusals=REFUSALS, short="declare",
    key="invoiceNo", noun="invoice", judged=DECLARED,
    kinds=DECLARE_KINDS, paged="rated", typical=DECLARE_TYPICAL,
    seed=seed_declare, records=sales, expected=declared, input=_given,
    explain=explain_declared, checks=(declared_once,), scenarios=_declare_scenarios,
)

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
            known.append({**public, "statusCode": _status("pending"), "reasonStatusCode": _reason("pending-limit"),
                          "accruedPremium": "0,00"})
    return known


def _rated(records: Records) -> list[dict[str, Any]]:
    return [r for r in records if r["statusCode"] == _status("rated")]


def _on_sale(event: str, pick: int):
    def plan(records: Records):
        targets = _rated(records)
        return ([{"type": event, "contractNo": CONTRACT_NO, "saleCesceReferenceNo": targets[pick]["saleCesceReferenceNo"]}]
                if targets else []), None
    return plan


def _decide(records: Records):
    """The committee grants the pending debtor's limit: its sales EN TRÁMITE are rated."""
    pending = sorted({r["endorsementNo"] for r in records if r["statusCode"] == _status("pending")})
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

TASKS = [SALES_DECLARE, SALES_SYNC]
