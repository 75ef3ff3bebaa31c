"""claims-follow: the non-payments the ERP gives in CESCE_INPUT declared, the documents each dossier
asks for uploaded, and each dossier followed until Cesce pays its settlement, the client writing
back what it believes of each dossier.

The scenarios seed the policy ``claims-in-seconds`` of mocks/policies.yaml, whose claims Cesce
handles within seconds on the tenant's clock (analysis and validation in a second, the payment
four seconds after the settlement), so a client sees a claim through while it runs. What a
client should hold, from the emulator's own state (/_emulator/state): each dossier holding a
non-payment of CESCE_INPUT, keyed by dossierNo, with its endorsementNo, the amount Cesce
indemnified (the principal and interest of its paid settlements, the dossier's
indemnifiedAmount) and the paymentDate of its last paid settlement (empty while none is paid).
The task's own check judges the traffic: every non-payment declared once, in the debtor's open
dossier once the client knows it (dossierNo 0 only when it does not), only documents the
dossier asks for uploaded, polls paced and backing off while nothing changes, and no
settlement left unpaid at the end of a run.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from contract_tests.conformance.evidence import RECORD_ORDER, Finding, Labels, RunEvidence
from contract_tests.conformance.scenarios import Fault, Scenario, define
from contract_tests.conformance.seeding import CONTRACT_NO
from contract_tests.conformance.tasks import Context, Keyed, Kind, Records, Task
from contract_tests.conformance.tasks.sales import IN_FORCE
from contract_tests.conformance.tasks.sales_declare import error_code
from contract_tests.conformance.truth import amount, number
from emulator import resources
from emulator.claims.errors import DocumentNotAwaited, DossierOfAnotherDebtor, NoDocument
from emulator.clock import parse_instant
from emulator.wire import format_amount

DECLARE, UPLOAD = "declareNonPayment", "contributeDocument"
#: The policy the scenarios seed (mocks/policies.yaml).
POLICY = "claims-in-seconds"
#: The least pause between two identical reads (a poll and the next): a client that waits
#: stays well above it however loaded the machine, one that does not wait stays well below.
POLL_FLOOR = 0.1
#: Backing off, judged over a streak of identical reads getting the identical answer (status and
#: body): from the ``BACKOFF_STREAK``-th pause of such a streak on, each pause is at least twice
#: the streak's first, or ``POLL_CEILING`` or more. Over a streak rather than pair by pair, so the
#: noise of a loaded machine on one pause fails no client that backs off; 0.25 s doubling passes
#: the ceiling by its fourth pause, and 1.2 times each pause has doubled by the fifth.
BACKOFF_STREAK = 5
POLL_CEILING = 1.0

NOT_AWAITED, NO_DOCUMENT, OTHER_DOSSIER = (error_code(DocumentNotAwaited), error_code(NoDocument),
                                          error_code(DossierOfAnotherDebtor))
REFUSALS = frozenset({NOT_AWAITED, NO_DOCUMENT, OTHER_DOSSIER})


def _codes(table: str) -> dict[str, str]:
    """A claims code table of the bundled mocks/codes/, key -> code ("paid" -> "2")."""
    table = resources.load_yaml(resources.mocks_dir() / "codes" / f"{table}.yaml")
    return {key: entry["code"] for key, entry in table.items()}


PAID = _codes("claim-settlement-statuses")["paid"]
_DOCUMENTS = _codes("claim-document-statuses")
#: Document statuses the insured still owes: requested, chased, rejected.
AWAITED = frozenset(_DOCUMENTS[key] for key in ("requested", "claimed", "rejected"))

#: What a claims client writes back of each dossier.
FOLLOWED = ("endorsementNo", "indemnifiedAmount", "paymentDate")

#: The second debtor the scenarios seed (endorsementNo 2; the first, IN_FORCE, is 1).
SECOND = {"countryCode": "ES", "taxCode": "A1000003", "companyName": "DEUDOR SEGUNDO SL",
          "customerReference": "CLI-0003", "status": "in-force", "requested": "500000,00", "since": "-P60D"}
ENDORSEMENT = {"CLI-0001": "1", "CLI-0003": "2"}

CLAIMS_KINDS = {
    "first": Kind("non-payments on a first debtor (one dossier)", most=5),
    "second": Kind("non-payments on a second debtor (a dossier of its own)", most=3),
    "open": Kind("a dossier of the first debtor opened before the run, its documents still owed", most=1),
}
CLAIMS_TYPICAL = {"first": 2, "second": 1}


def _sales(scenario: Scenario) -> Records:
    """The sales of a recipe, each due five days before the start and unpaid: (sale seed, the
    amount left unpaid). Their saleCesceReferenceNos are given, so a recipe always numbers
    them the same way."""
    made = []

    def add(prefix: str, index: int, debtor: str, whole: int, unpaid: str) -> None:
        made.append({"saleCesceReferenceNo": str(2000000 + len(made) + 1), "customerReference": debtor,
                     "invoiceNo": f"FRA-{prefix}{index:05d}", "invoiceDate": "-P25D", "maturityDate": "-P5D",
                     "amount": f"{whole},25", "status": "rated", "since": "-P24D", "unpaid": unpaid})

    for i in range(1, scenario.count("open") + 1):
        add("O", i, "CLI-0001", 3000 + i, f"{3000 + i},25")
    for i in range(1, scenario.count("first") + 1):
        # Odd invoices unpaid whole, even ones in part.
        add("A", i, "CLI-0001", 1000 + i, f"{1000 + i},25" if i % 2 else f"{400 + i},10")
    for i in range(1, scenario.count("second") + 1):
        add("B", i, "CLI-0003", 2000 + i, f"{2000 + i},25" if i % 2 else f"{700 + i},60")
    return made


def seed_claims(scenario: Scenario) -> dict[str, Any]:
    """The two debtors, their unpaid sales, and the ``open`` dossier declared a day before."""
    made = _sales(scenario)
    claims = [{"saleCesceReferenceNo": sale["saleCesceReferenceNo"], "amount": sale["unpaid"], "declared": "-P1D"}
              for sale in made if sale["invoiceNo"].startswith("FRA-O")]
    return {"contractNo": CONTRACT_NO, "policy": POLICY, "debtors": [IN_FORCE, SECOND],
            "sales": [{k: v for k, v in sale.items() if k != "unpaid"} for sale in made], "claims": claims}


def _given(scenario: Scenario, records: Records) -> Records:
    """The ERP's non-payments: every sale but those of the dossier opened before the run."""
    due = (parse_instant(scenario.start) - timedelta(days=5)).strftime("%Y%m%d")
    return [{"saleCesceReferenceNo": sale["saleCesceReferenceNo"], "invoiceNo": sale["invoiceNo"], "maturityDate": due,
             "customerReference": sale["customerReference"], "endorsementNo": ENDORSEMENT[sale["customerReference"]],
             "unpaidAmount": sale["unpaid"]}
            for sale in _sales(scenario) if not sale["invoiceNo"].startswith("FRA-O")]


def dossiers(contract: dict[str, Any]) -> Records:
    """Each dossier of a contract in /_emulator/state, with its non-payments, documents and
    settlements, and what a client should believe of it: its indemnifiedAmount and the
    paymentDate of its last paid settlement."""
    made = []
    for dossier in contract.get("dossiers", []):
        no = dossier["dossierNo"]
        settlements = [s for s in contract.get("settlements", []) if s["dossierNo"] == no]
        paid = [s["paymentDate"] for s in settlements if s["settlementStatusCode"] == PAID]
        made.append({"dossierNo": no, "endorsementNo": dossier["endorsementNo"],
                     "indemnifiedAmount": dossier["indemnifiedAmount"], "paymentDate": max(paid, default=""),
                     "settlements": settlements,
                     "nonPayments": [n for n in contract.get("nonPayments", []) if n["dossierNo"] == no],
                     "documents": [d for d in contract.get("claimDocuments", []) if d["dossierNo"] == no]})
    return made


def _of_input(records: Records, given: Records | None) -> Records:
    sales = {n["saleCesceReferenceNo"] for n in given or []}
    return [r for r in records if any(n["saleCesceReferenceNo"] in sales for n in r["nonPayments"])]


def followed(records: Records, now: datetime, before: Keyed, given: Records | None = None) -> Keyed:
    return {r["dossierNo"]: {name: r[name] for name in ("dossierNo", *FOLLOWED)} for r in _of_input(records, given)}


# -- the traffic ------------------------------------------------------------------------------


def _body(entry: dict[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(entry.get("request") or "")
    except ValueError:
        return {}
    found = body.get("nonPayment") if isinstance(body, dict) else None
    return found if isinstance(found, dict) else {}


def _dossier_in_path(entry: dict[str, Any]) -> str | None:
    found = re.search(r"/dossiers/([^/]+)/", entry["path"])
    return number(found.group(1)) if found else None


def _answered_dossier(entry: dict[str, Any]) -> str | None:
    answer = entry.get("response") or {}
    found = (answer.get("nonPayment") or {}).get("dossierNo") if isinstance(answer.get("nonPayment"), dict) else None
    return number(found) if entry["status"] == 201 and found else None


def _answer(entry: dict[str, Any]) -> tuple[int, str]:
    return entry["status"], json.dumps(entry.get("response"), sort_keys=True)


def followed_rules(run: RunEvidence, labels: Labels) -> list[Finding]:
    """Each non-payment of CESCE_INPUT declared once, in its debtor's open dossier once the
    client knows it; only documents a dossier asks for uploaded; two identical reads never
    closer than ``POLL_FLOOR``, and polls of an unchanged answer backing off (``BACKOFF_STREAK``,
    ``POLL_CEILING``); and at the end of a finished run one dossier per debtor, each settlement
    paid."""
    findings: list[Finding] = []
    given = {n["saleCesceReferenceNo"]: n for n in run.given or []}
    by_invoice = {n["invoiceNo"]: n for n in run.given or []}
    known: dict[str, tuple[str, dict[str, Any] | None]] = {  # endorsementNo -> its dossier, and who said so
        number(r.get("endorsementNo")): (number(r.get("dossierNo")), None) for r in run.before.values()}
    taken: dict[str, dict[str, Any]] = {}  # sale -> the declaration Cesce took
    reads: dict[tuple, dict[str, Any]] = {}  # a read (path and query) -> its last entry
    streaks: dict[tuple, list[float]] = {}  # a read -> the pauses since its answer last changed
    paced = backs_off = True
    for entry in run.entries:
        problems = []
        if entry["operation"] == DECLARE:
            sent = _body(entry)
            match = given.get(number(sent.get("saleCesceReferenceNo"))) or by_invoice.get(sent.get("invoiceNo"))
            in_path = _dossier_in_path(entry)
            if match is None:
                named = sent.get("saleCesceReferenceNo") or sent.get("invoiceNo")
                problems.append(f"declared a non-payment on sale {named!r}, which is not in CESCE_INPUT")
            else:
                sale, debtor = match["saleCesceReferenceNo"], match["endorsementNo"]
                held = known.get(debtor)
                if sale in taken:
                    problems.append(f"declared sale {sale} again after {labels.short(taken[sale])} declared it: a "
                                    "non-payment is declared once")
                if held and in_path != held[0]:
                    said = f"{labels.short(held[1])} put endorsement {debtor}'s non-payment" if held[1] else \
                        f"its output of the run before holds endorsement {debtor}'s non-payment"
                    problems.append(f"declared in dossier {in_path} though {said} in dossier {held[0]}: a debtor's "
                                    "non-payments go in its open dossier (send its dossierNo; 0 only opens a first "
                                    "one)")
                if (entry.get("response") or {}).get("errorCode") == OTHER_DOSSIER:
                    problems.append(f"declared endorsement {debtor}'s non-payment in dossier {in_path}, which is not "
                                    f"that debtor's open dossier ({OTHER_DOSSIER}): each debtor has its own dossier; "
                                    "send the number Cesce answered for this debtor, or 0 when it has none")
                answered = _answered_dossier(entry)
                if answered:
                    taken.setdefault(sale, entry)
                    known[debtor] = (answered, entry)
        elif entry["operation"] == UPLOAD:
            code = (entry.get("response") or {}).get("errorCode")
            if code in (NOT_AWAITED, NO_DOCUMENT):
                document = re.search(r"documentNo=([0-9]+)", entry.get("request") or "")
                problems.append(f"uploaded document {document.group(1) if document else '?'}, which dossier "
                                f"{_dossier_in_path(entry)} does not ask for ({code}): upload only the documents GET "
                                "documents lists for the dossier in statusCode 1 (requested), 2 (chased) or 5 "
                                "(rejected), each once")
        elif entry["method"] == "GET" and entry["operation"] != "token":
            key = (entry["path"], json.dumps(entry.get("query") or {}, sort_keys=True))
            last = reads.get(key)
            reads[key] = entry
            if last is not None and last["status"] < 400:
                pause = (parse_instant(entry["at"]) - parse_instant(last["at"])).total_seconds()
                streak = streaks.setdefault(key, [])
                if _answer(entry) == _answer(last):
                    streak.append(pause)
                else:
                    streak.clear()
                if pause < POLL_FLOOR and paced:
                    paced = False  # said once
                    problems.append(f"read this again {pause:.3f} s after {labels.short(last)}: back off between "
                                    "polls (wait, and wait longer while nothing changes: 0.25 s doubling up to a few "
                                    f"seconds, say; the kit takes {POLL_FLOOR:g} s or more)")
                elif len(streak) >= BACKOFF_STREAK and pause < min(2 * streak[0], POLL_CEILING) and backs_off:
                    backs_off = False  # said once
                    problems.append(
                        f"read this again {pause:.3f} s after {labels.short(last)}, the same answer {len(streak) + 1} "
                        f"times running, at pauses of {', '.join(f'{p:.2f}' for p in streak)} s: wait longer while "
                        "nothing changes (0.25 s doubling up to a few seconds, say; once an answer has stayed the "
                        f"same for {BACKOFF_STREAK} pauses, the kit takes each pause twice the first, or "
                        f"{POLL_CEILING:g} s or more)")
        if problems:
            findings.append(labels.finding(run, entry, "; ".join(problems)))
    if run.outcome.finished:
        findings += _end(run, given, taken)
    return findings


def _end(run: RunEvidence, given: dict[str, dict[str, Any]], taken: dict[str, dict[str, Any]]) -> list[Finding]:
    findings = []
    mine = _of_input(run.records, run.given)
    per_debtor: dict[str, list[str]] = {}
    for record in mine:
        per_debtor.setdefault(record["endorsementNo"], []).append(record["dossierNo"])
        unpaid = [s["settlementNo"] for s in record["settlements"] if s["settlementStatusCode"] != PAID]
        if unpaid:
            findings.append(Finding(run.number, "record", (
                f"settlement {', '.join(unpaid)} was still in progress when the client ended its run: poll until "
                "Cesce pays it (settlementStatusCode 2, with its paymentDate), and believe an amount only once paid"),
                f"dossier {record['dossierNo']}", RECORD_ORDER - 1))
    for debtor, numbers in per_debtor.items():
        if len(numbers) > 1:
            findings.append(Finding(run.number, "record", (
                f"has {len(numbers)} dossiers ({', '.join(numbers)}): a debtor's non-payments go in its one open "
                "dossier"), f"endorsement {debtor}", RECORD_ORDER - 1))
    held = {n["saleCesceReferenceNo"] for r in mine for n in r["nonPayments"]}
    for sale in given:
        if sale not in held:
            findings.append(Finding(run.number, "record", "was never declared: Cesce holds no non-payment on it",
                                    f"sale {sale}", RECORD_ORDER - 1))
    return findings


def explain_followed(situation: str, key: str, have: dict | None, want: dict | None, context: Context) -> str:
    if situation == "unexpected":
        return "is not a dossier holding a non-payment of CESCE_INPUT: record the dossiers Cesce answered"
    if situation != "wrong" or want is None:
        return ""
    record = next((r for r in context.records if r["dossierNo"] == key), None)
    settled = sum(amount(s["amtPrinIndemnified"]) + amount(s["amtIntIndemnified"]) for s in record["settlements"]) \
        if record else None
    got, owed = amount(have.get("indemnifiedAmount")), amount(want["indemnifiedAmount"])
    if not want["paymentDate"] and record and record["settlements"]:
        return (" (its settlement is still in progress: Cesce has paid nothing yet, so nothing is indemnified and "
                "there is no paymentDate)")
    if got is not None and owed and got in (owed * 100, owed // 100):
        return (f" (Cesce writes {format_amount(owed)!r}: its comma is the decimal separator, not a thousands "
                "separator)")
    if got is not None and settled is not None and got != settled and got == sum(
            amount(s["amtPrinIndemnified"]) for s in record["settlements"]):
        return " (the principal alone: the amount indemnified is amtPrinIndemnified plus amtIntIndemnified)"
    return ""


def _claims_scenarios() -> list[Scenario]:
    task = "claims-follow"
    return [
        define(task, "claims-two-debtors", "non-payments on two debtors, some unpaid in part: two dossiers",
               records={"first": 3, "second": 2}),
        define(task, "claims-dossier-open-before",
               "the first debtor has a dossier opened the day before, its documents still owed",
               records={"first": 2, "open": 1}),
        define(task, "claims-dropped-connection",
               "the second declaration is carried out but its connection drops before the answer; run again",
               records=CLAIMS_TYPICAL, faults=(Fault("list", None, skip=1, drop=True),), between=("again",)),
    ]


CLAIMS_FOLLOW = Task(
    name="claims-follow",
    description=("the ERP's non-payments (CESCE_INPUT) declared, the documents each dossier asks for uploaded, and "
                 "each dossier followed until its settlement is paid"),
    rule=("for each dossier holding a non-payment of CESCE_INPUT, keyed by dossierNo, its endorsementNo, the amount "
          "indemnified (principal and interest of its paid settlements) and the paymentDate of its last paid "
          "settlement; one dossier per debtor (its open dossier's number sent once known), only requested documents "
          "uploaded, polls paced and backing off while nothing changes"),
    reads=None, acts=DECLARE, writes=frozenset({DECLARE, UPLOAD}), refusals=REFUSALS, short="claims",
    key="dossierNo", noun="dossier", judged=FOLLOWED, polls=True,
    kinds=CLAIMS_KINDS, paged="first", typical=CLAIMS_TYPICAL,
    seed=seed_claims, records=dossiers, expected=followed, input=_given,
    explain=explain_followed, checks=(followed_rules,), scenarios=_claims_scenarios,
)

TASKS = [CLAIMS_FOLLOW]
