"""sales-declare: the ERP's invoices, given in CESCE_INPUT, declared through POST .../sales, each
invoice's outcome written back.

What a client should hold, from the emulator's own state (/_emulator/state): for each invoice
of CESCE_INPUT that Cesce holds a sale of, that sale's saleCesceReferenceNo, statusCode and
reasonStatusCode (rejections included, with their reason), keyed by invoiceNo. An invoice
declared before the run (by another channel, or by a run whose answer was lost) is answered
with Cesce's duplicate error: the client records the sale Cesce already holds. The task's own
check judges the declarations themselves: one debtor identifier per request, the invoice's
amount and dates sent as Cesce writes them ("1234,56", yyyyMMdd), every invoice declared and
none twice, and a duplicate answer never sent again. Invoices are dated from the scenario's
clock.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from contract_tests.conformance.evidence import RECORD_ORDER, Finding, Labels, RunEvidence
from contract_tests.conformance.scenarios import Fault, Scenario, define
from contract_tests.conformance.seeding import CONTRACT_NO
from contract_tests.conformance.tasks import Context, Keyed, Kind, Records, Task
from contract_tests.conformance.tasks.sales import (
    DEBTOR_NO,
    ERP_CENTS,
    IN_FORCE,
    PENDING,
    cesce_amount,
    sales,
    status,
)
from contract_tests.conformance.truth import amount, number
from emulator import resources
from emulator.clock import parse_instant
from emulator.sales.errors import BothDebtorIdentifiers, DuplicateSale
from emulator.wire import normalize_date

DECLARE = "createSale"

def error_code(error: type) -> str:
    """A business error's errorCode, read from the bundled mocks/codes/errors.yaml alone (the
    whole Sandbox Model loads every area, which would slow every cesce-contract command)."""
    return resources.load_yaml(resources.mocks_dir() / "codes" / "errors.yaml")[error.key]["errorCode"]


#: Cesce's answer to a true duplicate, and to a sale naming its debtor twice.
DUPLICATE, BOTH = error_code(DuplicateSale), error_code(BothDebtorIdentifiers)
REFUSALS = frozenset({DUPLICATE, BOTH})

#: What a declare client writes back of each invoice.
DECLARED = ("saleCesceReferenceNo", "statusCode", "reasonStatusCode")

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
    if want["statusCode"] == status("rejected"):
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


TASKS = [SALES_DECLARE]
