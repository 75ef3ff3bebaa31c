"""What Cesce does with a claims dossier, on the tenant's clock or forced by a Cesce-side event:
the cover analysis, chasing and validating documents, settling and paying, recovering, closing
(the guide's chapter 5 and its six milestones). Each step checks the record's state first, so a
row of the due queue whose work an event already did is a no-op.

Due queue references: ``analyse:<dossierNo>:<internalNo>``, ``chase:<documentNo>``,
``validate:<documentNo>``, ``pay:<settlementNo>``, ``recover:<dossierNo>``, ``close:<dossierNo>``.
"""

from __future__ import annotations

import json
from datetime import timedelta

from emulator.claims import cover, store
from emulator.claims.errors import ClaimEventNotAllowed, NoDocument, NoDossier, NoNonPayment, NoSettlement, RecoveryTooHigh
from emulator.claims.policy import ClaimsPolicy
from emulator.claims.records import (
    DOCUMENT_STATUSES,
    DOCUMENT_TYPES,
    DOSSIER_STATUSES,
    NON_PAYMENT_STATUSES,
    PROCESSING,
    RECOVERY,
    SETTLEMENT_STATUSES,
    STEPS,
    Document,
    Dossier,
    NonPayment,
    R,
    Recovery,
    Settlement,
    Step,
)
from emulator.risks import records as risk_records
from emulator.risks import store as risk_store
from emulator.sales import store as sale_store
from emulator.sales.records import Sale
from emulator.sales.rules import policy_of as sales_policy_of
from emulator.wire import Amount, format_amount
from emulator.world import Contract, World

NAME = "claims"
#: Counters of the contract: dossierNo, documentNo, settlementNo.
DOSSIERS, DOCUMENTS, SETTLEMENTS = "dossier", "claim-document", "settlement"
#: Document statuses that still wait for the insured.
AWAITED = frozenset({"requested", "claimed", "rejected"})


def policy_of(world: World, current: Contract) -> ClaimsPolicy:
    """The policy's claims settings. A contract kept in a state file from before claims has
    none: it takes those of the Sandbox Model's policy with the same description, or of the
    default."""
    doc = current.policy
    if "claims" not in doc:
        policies = world.model.policies
        doc = next((p for p in policies.values() if p.get("description") == doc.get("description")),
                   policies[world.model.default_policy])
    return ClaimsPolicy.of(doc)


def contract_of(world: World, contract_no: str) -> Contract:
    """The contract as the store keeps it, whole or still being seeded (this area's seeding
    runs the same rules as requests do)."""
    row = world.tx.contract(world.tenant, contract_no)
    return Contract(contract_no, json.loads(row["policy"]))


def code(world: World, table: str, key: str) -> str:
    """The code of ``key`` in a claims code table ("requested" -> "1")."""
    return world.model.codes[table].code(key)


def key_of(world: World, table: str, value: str) -> str:
    """The key of a code in a claims code table ("1" -> "requested")."""
    return world.model.codes[table].key(value)


# -- reading and writing records ------------------------------------------------------------


def dossier(world: World, contract_no: str, dossier_no: int) -> Dossier:
    row = store.dossier(world.tx, world.tenant, contract_no, dossier_no)
    if row is None:
        raise NoDossier(dossierNo=str(dossier_no))
    return Dossier.from_row(row)


def non_payment(world: World, contract_no: str, dossier_no: int, internal_no: int) -> NonPayment:
    row = store.non_payment(world.tx, world.tenant, contract_no, dossier_no, internal_no)
    if row is None:
        raise NoNonPayment(dossierNo=str(dossier_no), internalNo=str(internal_no))
    return NonPayment.from_row(row)


def document(world: World, contract_no: str, document_no: int, dossier_no: int | None = None) -> Document:
    row = store.document(world.tx, world.tenant, contract_no, document_no)
    if row is None or (dossier_no is not None and row["dossier_no"] != dossier_no):
        raise NoDocument(documentNo=str(document_no), dossierNo=str(dossier_no if dossier_no is not None else ""))
    return Document.from_row(row)


def settlement(world: World, contract_no: str, settlement_no: int) -> Settlement:
    row = store.settlement(world.tx, world.tenant, contract_no, settlement_no)
    if row is None:
        raise NoSettlement(settlementNo=str(settlement_no))
    return Settlement.from_row(row)


def save(world: World, record: R, table: str, new: bool = False) -> R:
    """Write a record into its table (a new row, or the one with its key), and give it back."""
    row = record.to_row(world.tenant)
    if new:
        store.insert(world.tx, table, [row])
    else:
        store.update(world.tx, table, row)
    return record


def add_step(world: World, contract_no: str, dossier_no: int, step: str, reference: str | None = None,
             kind: str = PROCESSING) -> None:
    """A processing step (or, by ``kind``, a recovery procedure) of the dossier, today."""
    taken = store.steps(world.tx, world.tenant, contract_no, dossier_no, kind)
    save(world, Step(dossier_no=dossier_no, step_no=len(taken) + 1, step_code=code(world, STEPS, step),
                     step_date=world.today, reference=reference, kind=kind, contract_no=contract_no),
         "claim_steps", new=True)


def request_documents(world: World, policy: ClaimsPolicy, contract_no: str, dossier_no: int, internal_no: int | None,
                      types: tuple[str, ...]) -> None:
    """Ask for documents of these types (of one non-payment, or of the dossier when
    ``internal_no`` is None), each chased if it has not come by the policy's deadline."""
    for kind in types:
        number = world.tx.take_number(world.tenant, contract_no, DOCUMENTS, 1)
        save(world, Document(document_no=number, dossier_no=dossier_no, internal_no=internal_no,
                             document_type_code=code(world, DOCUMENT_TYPES, kind),
                             status_code=code(world, DOCUMENT_STATUSES, "requested"), request_date=world.today,
                             deadline_date=world.today + _days(policy.document_deadline), status_date=world.today,
                             contract_no=contract_no), "claim_documents", new=True)
        world.schedule(world.now + policy.document_deadline, NAME, contract_no, f"chase:{number}")


def _days(delay: timedelta) -> timedelta:
    return timedelta(days=delay.days + (1 if delay.seconds else 0))


# -- the cover analysis ---------------------------------------------------------------------


def analyse(world: World, contract_no: str, dossier_no: int, internal_no: int, covered: Amount | None = None) -> NonPayment:
    """Cesce's cover analysis of a non-payment, now (``covered``: its experts' figure)."""
    found = non_payment(world, contract_no, dossier_no, internal_no)
    if key_of(world, NON_PAYMENT_STATUSES, found.status_code) not in ("declared", "expert"):
        raise ClaimEventNotAllowed(record="non-payment", number=f"{dossier_no}/{internal_no}",
                                   statusCode=found.status_code, event="claim-cover-decided")
    world.tx.unschedule(world.tenant, contract_no, NAME, f"analyse:{dossier_no}:{internal_no}")
    held = dossier(world, contract_no, dossier_no)
    others = store.non_payments(world.tx, world.tenant, contract_no, dossier_no)
    taken = sum(row["covered_amount"] for row in others if row["internal_no"] != internal_no and row["analysis_date"])
    result = cover.analyse(found.unpaid_amount, _limit_for(world, contract_no, held, found), taken, held.cover_pct, covered)
    status = "covered" if result.covered else "not-covered"
    found = save(world, found.changed(status_code=code(world, NON_PAYMENT_STATUSES, status), analysis_date=world.today,
                                      credit_limit_applied=result.limit, covered_amount=result.covered,
                                      not_covered_amount=result.not_covered, indemnifiable_amount=result.indemnifiable,
                                      non_indemnifiable_amount=result.non_indemnifiable), "claim_non_payments")
    add_step(world, contract_no, dossier_no, "cover-analysed", str(internal_no))
    progress(world, contract_no, dossier_no)
    return found


def _limit_for(world: World, contract_no: str, held: Dossier, found: NonPayment) -> Amount:
    """The debtor's limit on the date of the sale the non-payment is on."""
    row = sale_store.sale(world.tx, world.tenant, contract_no, found.sale_cesce_reference_no)
    day = found.invoice_date
    if row is not None:
        day = Sale.from_row(row).sale_date(sales_policy_of(world, contract_of(world, contract_no)).factoring_policy)
    entries = [(entry["since"], entry["amount"]) for entry in store.limits(world.tx, world.tenant, contract_no, held.endorsement_no)]
    return cover.limit_on(entries, day)


def after_limit_change(world: World, contract_no: str, ref: str) -> None:
    """The reaction to the risk area's announcement that debtor ``ref``'s limit changed now: the
    amount it covers from today on (0 when it no longer covers)."""
    row = risk_store.debtor(world.tx, world.tenant, contract_no, int(ref))
    if row is None:
        return
    live = risk_records.status_key(world.model, row["status_code"]) == "in-force"
    amount = row["credit_limit_granted"] if live else 0
    entries = [(entry["since"], entry["amount"]) for entry in store.limits(world.tx, world.tenant, contract_no, int(ref))]
    if not entries or cover.limit_on(entries, world.today) != amount:
        store.add_limit(world.tx, {"tenant": world.tenant, "contract_no": contract_no, "endorsement_no": int(ref),
                                   "since": world.today, "amount": amount})


# -- documents ------------------------------------------------------------------------------


def chase(world: World, contract_no: str, document_no: int) -> None:
    """A document still awaited at its deadline is chased (reclamado)."""
    found = document(world, contract_no, document_no)
    if key_of(world, DOCUMENT_STATUSES, found.status_code) not in ("requested", "rejected"):
        return
    save(world, found.changed(status_code=code(world, DOCUMENT_STATUSES, "claimed"), status_date=world.today), "claim_documents")
    add_step(world, contract_no, found.dossier_no, "document-chased", str(document_no))
    progress(world, contract_no, found.dossier_no)


def validate(world: World, contract_no: str, document_no: int, accept: bool = True, reason: str | None = None) -> Document:
    """Cesce validates (or rejects) a document it received."""
    found = document(world, contract_no, document_no)
    if key_of(world, DOCUMENT_STATUSES, found.status_code) != "received":
        raise ClaimEventNotAllowed(record="document", number=str(document_no), statusCode=found.status_code,
                                   event="claim-document-validated" if accept else "claim-document-rejected")
    world.tx.unschedule(world.tenant, contract_no, NAME, f"validate:{document_no}")
    status = "validated" if accept else "rejected"
    found = save(world, found.changed(status_code=code(world, DOCUMENT_STATUSES, status), status_date=world.today,
                                      rejection_reason=None if accept else (reason or "ILEGIBLE")), "claim_documents")
    add_step(world, contract_no, found.dossier_no, f"document-{status}", str(document_no))
    if not accept:
        policy = policy_of(world, contract_of(world, contract_no))
        world.schedule(world.now + policy.document_deadline, NAME, contract_no, f"chase:{document_no}")
    progress(world, contract_no, found.dossier_no)
    return found


# -- settling, paying, recovering, closing --------------------------------------------------


def progress(world: World, contract_no: str, dossier_no: int) -> Dossier:
    """After any change: a settlement when every document is validated and something
    indemnifiable is not yet settled; the closing scheduled when nothing is left to settle;
    the dossier's sums and status brought up to date."""
    held = dossier(world, contract_no, dossier_no)
    if held.closing_date is None:
        _settle(world, contract_no, held)
        _plan_closing(world, contract_no, held)
    return refresh(world, contract_no, dossier_no)


def _settle(world: World, contract_no: str, held: Dossier) -> None:
    tx, tenant = world.tx, world.tenant
    rows = store.non_payments(tx, tenant, contract_no, held.dossier_no)
    ready = [NonPayment.from_row(row) for row in rows if row["analysis_date"] and row["indemnifiable_amount"] > 0
             and row["settlement_no"] is None]
    documents = store.documents(tx, tenant, contract_no, dossier_no=held.dossier_no)
    validated = code(world, DOCUMENT_STATUSES, "validated")
    if not ready or any(row["status_code"] != validated for row in documents):
        return
    policy = policy_of(world, contract_of(world, contract_no))
    number = tx.take_number(tenant, contract_no, SETTLEMENTS, 1)
    interest = 0
    for found in ready:
        owed = cover.interest(found.indemnifiable_amount, policy.interest_rate, found.maturity_date, world.today)
        interest += owed
        save(world, found.changed(settlement_no=number, interest_amount=owed), "claim_non_payments")
    save(world, Settlement(settlement_no=number, dossier_no=held.dossier_no,
                           settlement_status_code=code(world, SETTLEMENT_STATUSES, "in-progress"), settlement_date=world.today,
                           amt_prin_indemnified=sum(found.indemnifiable_amount for found in ready),
                           amt_int_indemnified=interest, contract_no=contract_no), "claim_settlements", new=True)
    world.schedule(world.now + policy.payment_delay, NAME, contract_no, f"pay:{number}")
    add_step(world, contract_no, held.dossier_no, "settlement-proposed", str(number))


def _plan_closing(world: World, contract_no: str, held: Dossier) -> None:
    """Recovery ends the policy's recoveryPeriod after handling ends: from the moment the
    dossier becomes closable, not pushed back by what happens after (a document chased)."""
    ref = f"close:{held.dossier_no}"
    if not closable(world, contract_no, held.dossier_no):
        world.tx.unschedule(world.tenant, contract_no, NAME, ref)
    elif world.tx.due_at(world.tenant, contract_no, NAME, ref) is None:
        policy = policy_of(world, contract_of(world, contract_no))
        world.schedule(world.now + policy.recovery_period, NAME, contract_no, ref)


def closable(world: World, contract_no: str, dossier_no: int) -> bool:
    """Handling has ended: every non-payment analysed, everything indemnifiable paid."""
    tx, tenant = world.tx, world.tenant
    rows = store.non_payments(tx, tenant, contract_no, dossier_no)
    paid = code(world, SETTLEMENT_STATUSES, "paid")
    settled = all(row["settlement_status_code"] == paid for row in store.settlements(tx, tenant, contract_no, dossier_no=dossier_no))
    return bool(rows) and settled and all(row["analysis_date"] and (row["indemnifiable_amount"] == 0 or row["settlement_no"])
                                          for row in rows)


def pay(world: World, contract_no: str, settlement_no: int) -> Settlement:
    """Cesce pays a settlement in progress: its non-payments are indemnified."""
    found = settlement(world, contract_no, settlement_no)
    if key_of(world, SETTLEMENT_STATUSES, found.settlement_status_code) != "in-progress":
        raise ClaimEventNotAllowed(record="settlement", number=str(settlement_no), statusCode=found.settlement_status_code,
                                   event="claim-settlement-paid")
    world.tx.unschedule(world.tenant, contract_no, NAME, f"pay:{settlement_no}")
    found = save(world, found.changed(settlement_status_code=code(world, SETTLEMENT_STATUSES, "paid"),
                                      payment_date=world.today), "claim_settlements")
    for row in store.non_payments(world.tx, world.tenant, contract_no, settlement_no=settlement_no):
        save(world, NonPayment.from_row(row).changed(status_code=code(world, NON_PAYMENT_STATUSES, "indemnified")),
             "claim_non_payments")
    add_step(world, contract_no, found.dossier_no, "settlement-paid", str(settlement_no))
    progress(world, contract_no, found.dossier_no)
    return found


def plan_recovery(world: World, policy: ClaimsPolicy, contract_no: str, dossier_no: int) -> None:
    """Cesce's own recovery of a dossier just opened, when its policy makes one."""
    if policy.recovered_share > 0:
        world.schedule(world.now + policy.recovery_delay, NAME, contract_no, f"recover:{dossier_no}")


def recover_share(world: World, contract_no: str, dossier_no: int) -> None:
    """Cesce's own recovery, at its time: the policy's recoveredShare of what is still unpaid."""
    held = dossier(world, contract_no, dossier_no)
    share = policy_of(world, contract_of(world, contract_no)).recovered_share
    amount = cover.share(held.unpaid_amount - held.recovered_amount, share)
    if amount > 0:
        recover(world, contract_no, dossier_no, amount)


def recover(world: World, contract_no: str, dossier_no: int, amount: Amount) -> Recovery:
    """Cesce recovers ``amount`` from the debtor, shared as the cover percentage says once it
    has indemnified. Cesce's own recovery is then done: a recovery forced by an event (or a
    scenario's step) takes its place."""
    held = dossier(world, contract_no, dossier_no)
    left = held.unpaid_amount - held.recovered_amount
    if held.closing_date is not None:
        raise ClaimEventNotAllowed(record="dossier", number=str(dossier_no), statusCode=held.status_code,
                                   event="claim-recovery")
    if amount <= 0 or amount > left:
        raise RecoveryTooHigh(dossierNo=str(dossier_no), left=format_amount(left))
    world.tx.unschedule(world.tenant, contract_no, NAME, f"recover:{dossier_no}")
    cesce_part, insured_part = cover.recovery_shares(amount, held.cover_pct, held.indemnified_amount,
                                                     held.cesce_recovered_amount)
    taken = store.recoveries(world.tx, world.tenant, contract_no, dossier_no)
    found = save(world, Recovery(dossier_no=dossier_no, recovery_no=len(taken) + 1, recovery_date=world.today,
                                 recovered_amount=amount, cesce_amount=cesce_part, insured_amount=insured_part,
                                 contract_no=contract_no), "claim_recoveries", new=True)
    add_step(world, contract_no, dossier_no, "amount-recovered", str(found.recovery_no), RECOVERY)
    refresh(world, contract_no, dossier_no)
    return found


def close(world: World, contract_no: str, dossier_no: int, forced: bool = True) -> Dossier:
    """Handling and recovery have ended: the dossier closes (milestone 6)."""
    held = dossier(world, contract_no, dossier_no)
    if held.closing_date is not None or not closable(world, contract_no, dossier_no):
        if not forced:
            return held
        raise ClaimEventNotAllowed(record="dossier", number=str(dossier_no), statusCode=held.status_code,
                                   event="claim-dossier-closed")
    world.tx.unschedule(world.tenant, contract_no, NAME, f"close:{dossier_no}")
    world.tx.unschedule(world.tenant, contract_no, NAME, f"recover:{dossier_no}")
    save(world, held.changed(closing_date=world.today), "claim_dossiers")
    add_step(world, contract_no, dossier_no, "recovery-ended", None, RECOVERY)
    add_step(world, contract_no, dossier_no, "dossier-closed")
    return refresh(world, contract_no, dossier_no)


def refresh(world: World, contract_no: str, dossier_no: int) -> Dossier:
    """The dossier's sums and its status, from its records."""
    tx, tenant = world.tx, world.tenant
    held = dossier(world, contract_no, dossier_no)
    rows = store.non_payments(tx, tenant, contract_no, dossier_no)
    settlements = store.settlements(tx, tenant, contract_no, dossier_no=dossier_no)
    recoveries = store.recoveries(tx, tenant, contract_no, dossier_no)
    paid = [s for s in settlements if key_of(world, SETTLEMENT_STATUSES, s["settlement_status_code"]) == "paid"]
    sums = {name: sum(row[name] for row in rows) for name in
            ("unpaid_amount", "covered_amount", "not_covered_amount", "indemnifiable_amount", "non_indemnifiable_amount")}
    status = code(world, DOSSIER_STATUSES, _status(world, held, rows, settlements, paid, recoveries))
    changed = held.changed(
        **sums, status_code=status,
        indemnified_amount=sum(s["amt_prin_indemnified"] + s["amt_int_indemnified"] for s in paid),
        recovered_amount=sum(r["recovered_amount"] for r in recoveries),
        cesce_recovered_amount=sum(r["cesce_amount"] for r in recoveries),
        insured_recovered_amount=sum(r["insured_amount"] for r in recoveries),
        status_date=world.today if status != held.status_code else held.status_date)
    return save(world, changed, "claim_dossiers") if changed != held else held


def _status(world: World, held: Dossier, rows: list, settlements: list, paid: list, recoveries: list) -> str:
    """The dossier's milestone, as its records show it."""
    if held.closing_date is not None:
        return "closed"
    if len(paid) < len(settlements):
        return "settling"
    unanalysed = [row for row in rows if not row["analysis_date"]]
    if unanalysed:
        manual = code(world, NON_PAYMENT_STATUSES, "expert")
        return "expert" if all(row["status_code"] == manual for row in unanalysed) else "opened"
    if any(row["indemnifiable_amount"] > 0 and row["settlement_no"] is None for row in rows):
        return "documents"
    if recoveries or not paid:
        return "recovery"
    return "indemnified"


# -- the due queue --------------------------------------------------------------------------


def due(world: World, contract_no: str, ref: str) -> None:
    """Carry out a row of the due queue, at its instant; work an event already did is skipped."""
    kind, _, rest = ref.partition(":")
    numbers = [int(part) for part in rest.split(":")]
    try:
        if kind == "analyse":
            analyse(world, contract_no, *numbers)
        elif kind == "chase":
            chase(world, contract_no, numbers[0])
        elif kind == "validate":
            validate(world, contract_no, numbers[0])
        elif kind == "pay":
            pay(world, contract_no, numbers[0])
        elif kind == "recover":
            recover_share(world, contract_no, numbers[0])
        elif kind == "close":
            close(world, contract_no, numbers[0], forced=False)
    except (ClaimEventNotAllowed, NoDossier, NoNonPayment, NoDocument, NoSettlement):
        return  # done already (an event came first), or reset since
