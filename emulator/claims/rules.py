"""Claims rules: what the insured does through the Claims product (declare a non-payment,
contribute a document) and what it reads (dossiers, non-payments, documents, settlements,
recoveries, steps, dates pending settlement). Sources: the guide's chapter 5 and PUBLIC-FACTS
§2.12 (R23-R25); where they are silent, the choices documented in mocks/README.md.

Every function takes the tenant's ``World`` and plain values; none knows of HTTP. Each checks
everything before it writes anything, so a refused request leaves no trace.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from emulator.claims import lifecycle, store
from emulator.claims.errors import (
    DocumentNotAwaited,
    DossierOfAnotherDebtor,
    EmptyDocument,
    SaleCollected,
    SaleNotClaimable,
    SaleNotDue,
    UnpaidNotPositive,
    UnpaidTooHigh,
)
from emulator.claims.lifecycle import AWAITED, DOSSIERS, NAME, code, key_of
from emulator.claims.policy import ClaimsPolicy
from emulator.claims.records import (
    AUTOMATIC,
    DOCUMENT_STATUSES,
    DOSSIER_STATUSES,
    MANUAL,
    NON_PAYMENT_STATUSES,
    PENDING_REASONS,
    RECOVERY,
    SETTLEMENT_STATUSES,
    Document,
    Dossier,
    NonPayment,
    PendingDate,
    Recovery,
    Settlement,
    Step,
    UnpaidSettled,
)
from emulator.clock import today
from emulator.errors import InvalidValue
from emulator.risks import store as risk_store
from emulator.risks.policy import Policy
from emulator.sales import rules as sales
from emulator.sales.cesce import CLAIM_DOSSIER_OPENED
from emulator.sales.records import Sale, status_key
from emulator.sales.rules import SaleRef
from emulator.wire import Amount, format_amount, format_date
from emulator.world import World, contract

#: Sale statuses (keys of the sales tables) on which a non-payment may be declared.
CLAIMABLE = frozenset({"rated", "certified", "securitised"})


@dataclass(frozen=True)
class Page:
    records: list
    #: Where the next page starts; None on the last page.
    following: int | None


# -- declaring ------------------------------------------------------------------------------


def declare(world: World, contract_no: str, dossier_no: int, sale_ref: SaleRef, unpaid: Amount) -> NonPayment:
    """POST non-payments: a non-payment on a rated sale that matured unpaid. The first of a
    debtor (policy and endorsement) opens a dossier (``dossier_no`` 0: the emulator finds or
    opens it), later ones attach to it; each asks for its documents, and Cesce's cover analysis
    follows after the policy's delay (its experts' longer one above manualAnalysisAbove)."""
    contract(world, contract_no)
    return declare_on(world, contract_no, dossier_no, sales.find_sale(world, contract_no, sale_ref), unpaid)


def declare_on(world: World, contract_no: str, dossier_no: int, sale: Sale, unpaid: Amount) -> NonPayment:
    """``declare``, on a sale already found."""
    reference = str(sale.sale_cesce_reference_no)
    if status_key(world.model, sale) not in CLAIMABLE or sale.credit_note:
        raise SaleNotClaimable(saleCesceReferenceNo=reference, statusCode=sale.status_code)
    if sale.owed() <= 0:
        raise SaleCollected(saleCesceReferenceNo=reference)
    if sale.maturity_date is None or sale.maturity_date >= world.today:
        raise SaleNotDue(saleCesceReferenceNo=reference, maturityDate=format_date(sale.maturity_date))
    if unpaid <= 0:
        raise UnpaidNotPositive()
    left = sale.owed() - store.declared_on_sale(world.tx, world.tenant, contract_no, sale.sale_cesce_reference_no)
    if unpaid > left:
        raise UnpaidTooHigh(saleCesceReferenceNo=reference, unpaid=format_amount(max(left, 0)))
    row = store.open_dossier_of(world.tx, world.tenant, contract_no, sale.endorsement_no)
    if dossier_no != 0 and (row is None or row["dossier_no"] != dossier_no):
        lifecycle.dossier(world, contract_no, dossier_no)  # one that does not exist is NO EXISTE EXPEDIENTE
        raise DossierOfAnotherDebtor(dossierNo=str(dossier_no), endorsementNo=str(sale.endorsement_no),
                                     expected=str(row["dossier_no"]) if row else "0")
    policy = lifecycle.policy_of(world, lifecycle.contract_of(world, contract_no))
    held = Dossier.from_row(row) if row is not None else _open(world, contract_no, sale.endorsement_no, policy)
    taken = store.non_payments(world.tx, world.tenant, contract_no, held.dossier_no)
    manual = unpaid > policy.manual_analysis_above
    found = lifecycle.save(world, NonPayment(
        dossier_no=held.dossier_no, internal_no=len(taken) + 1, sale_cesce_reference_no=sale.sale_cesce_reference_no,
        invoice_no=sale.invoice_no, invoice_date=sale.invoice_date, maturity_date=sale.maturity_date,
        unpaid_amount=unpaid, declaration_date=world.today,
        status_code=code(world, NON_PAYMENT_STATUSES, "expert" if manual else "declared"),
        analysis_type_code=MANUAL if manual else AUTOMATIC, contract_no=contract_no), "claim_non_payments", new=True)
    internal = str(found.internal_no)
    lifecycle.add_step(world, contract_no, held.dossier_no, "non-payment-declared", internal)
    lifecycle.request_documents(world, policy, contract_no, held.dossier_no, found.internal_no, policy.documents)
    lifecycle.add_step(world, contract_no, held.dossier_no, "documents-requested", internal)
    if manual:
        lifecycle.add_step(world, contract_no, held.dossier_no, "expert-analysis", internal)
    delay = policy.manual_analysis_delay if manual else policy.analysis_delay
    world.schedule(world.now + delay, NAME, contract_no, f"analyse:{held.dossier_no}:{found.internal_no}")
    lifecycle.progress(world, contract_no, held.dossier_no)
    return found


def _open(world: World, contract_no: str, endorsement_no: int, policy: ClaimsPolicy) -> Dossier:
    """A new dossier for the debtor: its own documents asked for, and its endorsement's sales
    frozen (the sales area hears it)."""
    debtor = risk_store.debtor(world.tx, world.tenant, contract_no, endorsement_no)
    pct = debtor["commercial_risk_cover_pct"] if debtor is not None else 0
    if not pct:
        pct = Policy.of(lifecycle.contract_of(world, contract_no).policy).commercial_risk_cover_pct
    number = world.tx.take_number(world.tenant, contract_no, DOSSIERS, 1)
    held = lifecycle.save(world, Dossier(
        dossier_no=number, endorsement_no=endorsement_no, customer_reference=debtor["customer_reference"] if debtor else None,
        status_code=code(world, DOSSIER_STATUSES, "opened"), opening_date=world.today, status_date=world.today,
        cover_pct=pct, contract_no=contract_no), "claim_dossiers", new=True)
    lifecycle.add_step(world, contract_no, number, "dossier-opened")
    lifecycle.add_step(world, contract_no, number, "recovery-started", None, RECOVERY)
    lifecycle.plan_recovery(world, policy, contract_no, number)
    lifecycle.request_documents(world, policy, contract_no, number, None, policy.dossier_documents)
    world.announce(CLAIM_DOSSIER_OPENED, contract_no, str(endorsement_no))
    return held


def contribute(world: World, contract_no: str, dossier_no: int, document_no: int, file_name: str, content_type: str,
               data: bytes) -> Document:
    """POST documents: the insured sends a document the dossier awaits (requested, chased or
    rejected); Cesce validates it after the policy's delay."""
    contract(world, contract_no)
    lifecycle.dossier(world, contract_no, dossier_no)
    return receive(world, contract_no, dossier_no, document_no, file_name, content_type, data)


def receive(world: World, contract_no: str, dossier_no: int, document_no: int, file_name: str, content_type: str,
            data: bytes) -> Document:
    """``contribute``, in a contract already at hand."""
    found = lifecycle.document(world, contract_no, document_no, dossier_no)
    if key_of(world, DOCUMENT_STATUSES, found.status_code) not in AWAITED:
        raise DocumentNotAwaited(documentNo=str(document_no), statusCode=found.status_code)
    if not data:
        raise EmptyDocument()
    found = lifecycle.save(world, found.changed(
        status_code=code(world, DOCUMENT_STATUSES, "received"), status_date=world.today, file_name=file_name,
        content_type=content_type, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), rejection_reason=None),
        "claim_documents")
    world.tx.unschedule(world.tenant, contract_no, NAME, f"chase:{document_no}")
    delay = lifecycle.policy_of(world, lifecycle.contract_of(world, contract_no)).validation_delay
    world.schedule(world.now + delay, NAME, contract_no, f"validate:{document_no}")
    lifecycle.add_step(world, contract_no, dossier_no, "document-received", str(document_no))
    lifecycle.progress(world, contract_no, dossier_no)
    return found


# -- reading --------------------------------------------------------------------------------


def list_dossiers(world: World, contract_no: str, start: int, size: int, endorsement_no: int | None = None,
                  status_code: str | None = None) -> Page:
    contract(world, contract_no)
    _check_code(world, DOSSIER_STATUSES, status_code)
    rows = store.dossiers(world.tx, world.tenant, contract_no, start, size + 1, endorsement_no, status_code)
    return _page([Dossier.from_row(row) for row in rows], size, "dossier_no")


def find_dossier(world: World, contract_no: str, dossier_no: int) -> Dossier:
    contract(world, contract_no)
    return lifecycle.dossier(world, contract_no, dossier_no)


def non_payments(world: World, contract_no: str, dossier_no: int) -> list[NonPayment]:
    find_dossier(world, contract_no, dossier_no)
    return [NonPayment.from_row(row) for row in store.non_payments(world.tx, world.tenant, contract_no, dossier_no)]


def find_non_payment(world: World, contract_no: str, dossier_no: int, internal_no: int) -> NonPayment:
    find_dossier(world, contract_no, dossier_no)
    return lifecycle.non_payment(world, contract_no, dossier_no, internal_no)


def list_settlements(world: World, contract_no: str, start: int, size: int, dossier_no: int | None = None) -> Page:
    contract(world, contract_no)
    rows = store.settlements(world.tx, world.tenant, contract_no, start, size + 1, dossier_no)
    return _page([Settlement.from_row(row) for row in rows], size, "settlement_no")


def find_settlement(world: World, contract_no: str, settlement_no: int) -> Settlement:
    contract(world, contract_no)
    return lifecycle.settlement(world, contract_no, settlement_no)


def unpaid_settled(world: World, contract_no: str, settlement_no: int) -> list[UnpaidSettled]:
    """The non-payments a settlement pays, each with its principal and interest."""
    find_settlement(world, contract_no, settlement_no)
    return [UnpaidSettled(settlement_no=settlement_no, dossier_no=row["dossier_no"], internal_no=row["internal_no"],
                          sale_cesce_reference_no=row["sale_cesce_reference_no"], invoice_no=row["invoice_no"],
                          maturity_date=row["maturity_date"], unpaid_amount=row["unpaid_amount"],
                          amt_prin_indemnified=row["indemnifiable_amount"], amt_int_indemnified=row["interest_amount"])
            for row in store.non_payments(world.tx, world.tenant, contract_no, settlement_no=settlement_no)]


def recoveries(world: World, contract_no: str, dossier_no: int) -> list[Recovery]:
    find_dossier(world, contract_no, dossier_no)
    return [Recovery.from_row(row) for row in store.recoveries(world.tx, world.tenant, contract_no, dossier_no)]


def list_documents(world: World, contract_no: str, start: int, size: int, dossier_no: int | None = None,
                   status_code: str | None = None) -> Page:
    contract(world, contract_no)
    _check_code(world, DOCUMENT_STATUSES, status_code)
    rows = store.documents(world.tx, world.tenant, contract_no, start, size + 1, dossier_no, status_code)
    return _page([Document.from_row(row) for row in rows], size, "document_no")


def steps(world: World, contract_no: str, dossier_no: int, kind: str) -> list[Step]:
    find_dossier(world, contract_no, dossier_no)
    return [Step.from_row(row) for row in store.steps(world.tx, world.tenant, contract_no, dossier_no, kind)]


def pending_dates(world: World, contract_no: str, dossier_no: int) -> list[PendingDate]:
    """The dossier's non-payments still to be settled: what each waits for, and when Cesce
    expects to act (the due queue's date; none while the insured's documents are awaited)."""
    find_dossier(world, contract_no, dossier_no)
    tx, tenant = world.tx, world.tenant
    in_progress = code(world, SETTLEMENT_STATUSES, "in-progress")
    found = []
    for row in store.non_payments(tx, tenant, contract_no, dossier_no):
        settled = store.settlement(tx, tenant, contract_no, row["settlement_no"]) if row["settlement_no"] else None
        if not row["analysis_date"]:
            reason, amount = "analysis", row["unpaid_amount"]
            at = tx.due_at(tenant, contract_no, NAME, f"analyse:{dossier_no}:{row['internal_no']}")
        elif row["indemnifiable_amount"] and settled is None:
            reason, amount, at = "documents", row["indemnifiable_amount"], None
        elif settled is not None and settled["settlement_status_code"] == in_progress:
            reason, amount = "payment", row["indemnifiable_amount"] + row["interest_amount"]
            at = tx.due_at(tenant, contract_no, NAME, f"pay:{settled['settlement_no']}")
        else:
            continue
        found.append(PendingDate(dossier_no=dossier_no, internal_no=row["internal_no"], pending_amount=amount,
                                 pending_reason_code=code(world, PENDING_REASONS, reason),
                                 expected_date=today(at) if at else None))
    return found


def _check_code(world: World, table: str, code: str | None) -> None:
    """A statusCode filter must be one of its table's codes (an unknown one is refused, listing them)."""
    codes = [entry["code"] for entry in world.model.codes[table].values()]
    if code is not None and code not in codes:
        raise InvalidValue(field="statusCode", allowed=", ".join(codes))


def _page(records: list, size: int, key: str) -> Page:
    return Page(records[:size], getattr(records[size], key) if len(records) > size else None)
