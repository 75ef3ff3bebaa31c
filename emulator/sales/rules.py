"""Sales rules: what the insured does through the Sales, Extensions and Collections products
(declare, modify, query and list sales; list the policy's subsidiaries; declare extensions and
collections). Sources: the guide §4 and PUBLIC-FACTS §2.6 to §2.11 (rules R15-R22); where they
are silent, the choices documented in mocks/README.md.

Every function takes the tenant's ``World`` and plain values; none knows of HTTP. Each checks
everything before it writes anything, so a refused request leaves no trace.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from emulator.clock import today
from emulator.errors import InvalidValue
from emulator.risks import rules as risks
from emulator.risks.records import Debtor
from emulator.sales import store
from emulator.sales.errors import (
    AcquisitionDateNotAllowed,
    AmbiguousSale,
    BothDebtorIdentifiers,
    CollectionTooHigh,
    DateBefore,
    DateInFuture,
    DuplicateSale,
    ExtensionNotLater,
    FactoringFieldRequired,
    MaturityAmountTooHigh,
    MaturityFixedInGrace,
    MissingDebtorIdentifier,
    MissingSaleIdentifier,
    NoSale,
    NothingToModify,
    SaleDateOtherMonth,
    SaleInClaim,
    SaleNotCollectable,
    SaleNotExtendable,
    SaleNotModifiable,
    SaleOutsideWindow,
    TaxCodeTransferorNotAllowed,
    UnknownSubsidiary,
)
from emulator.sales.policy import WITH_RECOURSE, SalesPolicy, Subsidiary
from emulator.sales.rating import rate
from emulator.sales.records import EXTENSION_STATUSES, STATUSES, UNMODIFIABLE, Outcome, Sale, settle, status_key
from emulator.sales.windows import Window, month_label, same_month, window
from emulator.wire import Amount, format_amount, format_date, record_text
from emulator.world import Contract, World, contract

#: The contract's numbering of sales (saleCesceReferenceNo), and where it starts.
SALES, FIRST_SALE = "sale", 1_000_001
#: "Moved in the last 48 hours": from two calendar days before today, today included (R22).
MOVED_DAYS = 2


@dataclass(frozen=True)
class DebtorRef:
    """How a sale names its debtor: exactly one of the two (R4)."""

    endorsement_no: int | None = None
    customer_reference: str | None = None


@dataclass(frozen=True)
class SaleRef:
    """How a request names a sale: its saleCesceReferenceNo, or invoiceNo + maturityDate."""

    sale_no: int | None = None
    invoice_no: str | None = None
    maturity_date: date | None = None


@dataclass(frozen=True)
class Declaration:
    debtor: DebtorRef
    invoice_no: str
    invoice_date: date
    maturity_date: date
    amount: Amount
    subsidiary_no: str | None = None
    acquisition_date: date | None = None
    currency_code: str | None = None
    payment_method_code: str | None = None
    payment_terms: str | None = None
    tax_code_transferor: str | None = None


@dataclass(frozen=True)
class Modification:
    """The new values a modification asks for (None: unchanged)."""

    invoice_no: str | None = None
    debtor: DebtorRef | None = None
    invoice_date: date | None = None
    acquisition_date: date | None = None
    maturity_date: date | None = None
    amount: Amount | None = None


@dataclass(frozen=True)
class Filters:
    """What a sales list asks for (R22): a debtor, an invoice month (year, month), a statusCode,
    and whether only the sales that moved in the last 48 hours."""

    debtor: DebtorRef | None = None
    month: tuple[int, int] | None = None
    status_code: str | None = None
    moved: bool = False


@dataclass(frozen=True)
class Page:
    #: The sales' wire texts (wire.record_text), by saleCesceReferenceNo.
    encoded: list[str]
    #: The saleCesceReferenceNo the next page starts at; None on the last page.
    following: int | None


def policy_of(world: World, current: Contract) -> SalesPolicy:
    """The policy's sales settings. A contract kept in a state file from before sales has none:
    it takes those of the Sandbox Model's policy with the same description, or of the default."""
    doc = current.policy
    if "sales" not in doc:
        policies = world.model.policies
        doc = next((p for p in policies.values() if p.get("description") == doc.get("description")),
                   policies[world.model.default_policy])
    return SalesPolicy.of(doc)


# -- declaring ------------------------------------------------------------------------------


def declare(world: World, contract_no: str, request: Declaration) -> Sale:
    """POST sales: one sale, rated at once (TARIFICADA 5 or RECHAZADA 9 with its reason) or EN
    TRÁMITE while its debtor's limit waits for a decision. Refused with nothing stored: both
    debtor identifiers or neither (R4), a duplicate (R15), a subsidiary not active in the policy
    (R16), factoring fields the policy requires or does not allow (R17)."""
    current = contract(world, contract_no)
    policy = policy_of(world, current)
    debtor = _debtor(world, contract_no, request.debtor)
    number = request.subsidiary_no or "0"
    _check_subsidiary(world, policy, contract_no, number)
    _check_factoring(policy, contract_no, request.acquisition_date, request.tax_code_transferor)
    _check_amount("currencyAmount", request.amount)
    _check_dates(request.invoice_date, request.acquisition_date, request.maturity_date)
    _check_duplicate(world, contract_no, request.invoice_no, request.invoice_date, request.maturity_date,
                     debtor.endorsement_no, request.amount)
    sale = Sale(
        contract_no=contract_no,
        sale_cesce_reference_no=world.tx.take_number(world.tenant, contract_no, SALES, FIRST_SALE),
        endorsement_no=debtor.endorsement_no,
        customer_reference=debtor.customer_reference,
        subsidiary_no=number,
        invoice_no=request.invoice_no,
        invoice_date=request.invoice_date,
        acquisition_date=request.acquisition_date,
        maturity_date=request.maturity_date,
        currency_code=request.currency_code or "EUR",
        currency_amount=request.amount,
        payment_method_code=request.payment_method_code,
        payment_terms=request.payment_terms,
        tax_code_transferor=request.tax_code_transferor,
        status_code="",
        reason_status_code="",
        declaration_date=world.today,
    )
    sale = settle(world.model, sale, rate(world, contract_no, policy, sale), world.now)
    store.insert(world.tx, [sale.to_row(world.tenant)])
    return sale


# -- modifying -------------------------------------------------------------------------------


def modify(world: World, contract_no: str, ref: SaleRef, change: Modification) -> Sale:
    """POST sale: change a declared sale, all or nothing, under rules 1 to 8 of the guide's
    §4.2, and rate it again. Refused, naming the first field that may not change: a sale that
    is certified, securitised or en trámite (4), on an endorsement with a claims dossier (5), in
    Baja, Prorrogada or pending re-rating (6); a field outside the windows of rules 1 to 3 (the
    sale's month and the policy's grace days, on the tenant's clock); an invoice or acquisition
    date moved to another month (7)."""
    current = contract(world, contract_no)
    policy = policy_of(world, current)
    sale = _find(world, contract_no, ref)
    reference = str(sale.sale_cesce_reference_no)
    if store.in_claim(world.tx, world.tenant, contract_no, sale.endorsement_no):
        raise SaleInClaim(saleCesceReferenceNo=reference, endorsementNo=str(sale.endorsement_no))
    if status_key(world.model, sale) in UNMODIFIABLE:
        raise SaleNotModifiable(saleCesceReferenceNo=reference, statusCode=sale.status_code)
    debtor = _debtor(world, contract_no, change.debtor) if change.debtor else None
    asked = [
        ("invoiceNo", "invoice_no", change.invoice_no),
        (_debtor_field(change.debtor), "endorsement_no", debtor.endorsement_no if debtor else None),
        ("invoiceDate", "invoice_date", change.invoice_date),
        ("acquisitionDate", "acquisition_date", change.acquisition_date),
        ("maturityDate", "maturity_date", change.maturity_date),
        ("currencyAmount", "currency_amount", change.amount),
    ]
    changes = [(name, attr, value) for name, attr, value in asked if value is not None and value != getattr(sale, attr)]
    if not changes:
        raise NothingToModify(saleCesceReferenceNo=reference)
    sale_day = sale.sale_date(policy.factoring_policy)
    allowed = window(sale_day, world.today, policy.grace_days)
    month = month_label(sale_day)
    for name, attr, value in changes:
        if allowed is Window.NOTHING:
            raise SaleOutsideWindow(field=name, saleCesceReferenceNo=reference, month=month)
        if allowed is Window.ALL_BUT_MATURITY and attr == "maturity_date":
            raise MaturityFixedInGrace(field=name, saleCesceReferenceNo=reference, month=month)
        if attr in ("invoice_date", "acquisition_date"):
            if attr == "acquisition_date" and not policy.factoring_policy:
                raise AcquisitionDateNotAllowed(contractNo=contract_no)
            own = getattr(sale, attr) or sale_day
            if not same_month(value, own):
                raise SaleDateOtherMonth(field=name, month=month_label(own))
    new = sale.changed(**{attr: value for _, attr, value in changes})
    if debtor is not None:
        new = new.changed(customer_reference=debtor.customer_reference)
    _check_amount("currencyAmount", new.currency_amount)
    _check_dates(new.invoice_date, new.acquisition_date, new.maturity_date)
    _check_duplicate(world, contract_no, new.invoice_no, new.invoice_date, new.maturity_date, new.endorsement_no,
                     new.currency_amount, other_than=sale.sale_cesce_reference_no)
    new = settle(world.model, new, rate(world, contract_no, policy, new, again=True), world.now)
    store.update(world.tx, world.tenant, contract_no, sale.sale_cesce_reference_no, new.to_row(world.tenant))
    return new


# -- querying -------------------------------------------------------------------------------


def find_sale(world: World, contract_no: str, ref: SaleRef) -> Sale:
    """GET sale: the sale's current record, named by saleCesceReferenceNo or by invoiceNo +
    maturityDate (guide §4.3.1); when several sales share the pair, the reference must say."""
    contract(world, contract_no)
    return _find(world, contract_no, ref)


def list_sales(world: World, contract_no: str, filters: Filters, start: int, size: int) -> Page:
    """GET sales: the contract's sales by saleCesceReferenceNo, ``size`` a page, filtered by
    debtor, invoice month, statusCode and "moved in the last 48 hours" (any change, from two
    calendar days before today on the tenant's clock, today included), in any combination
    (guide §4.3.2, R22)."""
    contract(world, contract_no)
    codes = sorted({entry["code"] for table in (STATUSES, EXTENSION_STATUSES)
                    for entry in world.model.codes[table].values()}, key=lambda code: (len(code), code))
    if filters.status_code is not None and filters.status_code not in codes:
        raise InvalidValue(field="statusCode", allowed=", ".join(codes))
    rows = store.page(world.tx, world.tenant, contract_no, store.Filters(
        endorsement_no=_debtor(world, contract_no, filters.debtor).endorsement_no if filters.debtor else None,
        invoiced=_month_days(*filters.month) if filters.month else None,
        status_code=filters.status_code,
        moved=(moved_since(world.now), world.now) if filters.moved else None,
    ), start, size + 1)
    texts = [row["wire"] or record_text(Sale.from_row(store.sale(world.tx, world.tenant, contract_no, row["sale_no"])))
             for row in rows[:size]]  # (a sale of an older file has no wire text until its next change)
    return Page(texts, rows[size]["sale_no"] if len(rows) > size else None)


def moved_since(now: datetime) -> datetime:
    """Where "moved in the last 48 hours" starts: 00:00 of two calendar days before ``now``'s
    day (on 05/08/2023, 03/08/2023 00:00), however late in the day ``now`` is."""
    return datetime.combine(today(now) - timedelta(days=MOVED_DAYS), time(), UTC)


def subsidiaries(world: World, contract_no: str) -> list[Subsidiary]:
    """GET subsidiaries: the policy's subsidiaries active today, whose numbers are the
    subsidiaryNo of its sales (the head office, 0, is not one of them)."""
    current = contract(world, contract_no)
    return [s for s in policy_of(world, current).subsidiaries if s.active(world.today)]


# -- extensions and collections ---------------------------------------------------------


def extend(world: World, contract_no: str, ref: SaleRef, maturity_date: date, maturity_amount: Amount) -> Sale:
    """POST extensions (prórroga): a new, extended sale with its own saleCesceReferenceNo,
    rating and premium, covering ``maturity_amount`` (the unpaid part of the original invoice,
    never above it) to the new ``maturity_date``; the original becomes Prorrogada and can no
    longer be modified (R21). Only a rated sale that is not a credit note can be extended."""
    current = contract(world, contract_no)
    policy = policy_of(world, current)
    original = _find(world, contract_no, ref)
    reference = str(original.sale_cesce_reference_no)
    if original.credit_note or status_key(world.model, original) != "rated":
        raise SaleNotExtendable(saleCesceReferenceNo=reference, statusCode=original.status_code)
    if maturity_date <= original.maturity_date:
        raise ExtensionNotLater(maturityDate=format_date(original.maturity_date))
    _check_amount("maturityAmount", maturity_amount, positive=True)
    if maturity_amount > original.owed():
        raise MaturityAmountTooHigh(saleCesceReferenceNo=reference, owed=format_amount(original.owed()))
    _check_duplicate(world, contract_no, original.invoice_no, original.invoice_date, maturity_date,
                     original.endorsement_no, original.currency_amount)
    extended = original.changed(
        sale_cesce_reference_no=world.tx.take_number(world.tenant, contract_no, SALES, FIRST_SALE),
        maturity_date=maturity_date,
        maturity_amount=maturity_amount,
        original_sale_cesce_reference_no=original.sale_cesce_reference_no,
        collected_amount=0,
        collection_date=None,
        status_code="",
        reason_status_code="",
        accrued_premium=0,
        declaration_date=world.today,
        status_date=None,
    )
    extended = settle(world.model, extended, rate(world, contract_no, policy, extended), world.now)
    store.insert(world.tx, [extended.to_row(world.tenant)])
    original = settle(world.model, original, Outcome("extended", "extended", original.accrued_premium), world.now)
    store.update(world.tx, world.tenant, contract_no, original.sale_cesce_reference_no, original.to_row(world.tenant))
    return extended


def collect(world: World, contract_no: str, ref: SaleRef, collection_date: date, amount: Amount) -> Sale:
    """POST collections: record ``amount`` collected on a sale on ``collection_date``. Refused:
    an unknown sale, a credit note, a sale in Baja or Prorrogada (the extended sale carries
    what is unpaid), a date before the invoice or after today, more than is still owed."""
    contract(world, contract_no)
    sale = _find(world, contract_no, ref)
    reference = str(sale.sale_cesce_reference_no)
    if sale.credit_note or status_key(world.model, sale) in ("cancelled", "extended"):
        raise SaleNotCollectable(saleCesceReferenceNo=reference, statusCode=sale.status_code)
    _check_amount("collectionAmount", amount, positive=True)
    if collection_date > world.today:
        raise DateInFuture(field="collectionDate")
    if collection_date < sale.invoice_date:
        raise DateBefore(field="collectionDate", other="invoiceDate")
    if amount > sale.owed():
        raise CollectionTooHigh(saleCesceReferenceNo=reference, owed=format_amount(sale.owed()))
    collected = sale.changed(
        collected_amount=sale.collected_amount + amount,
        collection_date=max(filter(None, [sale.collection_date, collection_date])),
        changed_at=world.now,
    )
    store.update(world.tx, world.tenant, contract_no, sale.sale_cesce_reference_no, collected.to_row(world.tenant))
    return collected


# -- inside the rules ---------------------------------------------------------------------


def _debtor(world: World, contract_no: str, ref: DebtorRef) -> Debtor:
    """The firm record of the debtor a sale names (NO EXISTE LIMITE when there is none)."""
    if ref.endorsement_no is not None and ref.customer_reference is not None:
        raise BothDebtorIdentifiers()
    if ref.endorsement_no is None and ref.customer_reference is None:
        raise MissingDebtorIdentifier()
    return risks.find_debtor(world, contract_no, risks.Identifiers(
        customer_reference=ref.customer_reference, endorsement_no=ref.endorsement_no))


def _debtor_field(ref: DebtorRef | None) -> str:
    return "customerReference" if ref is not None and ref.customer_reference is not None else "endorsementNo"


def _find(world: World, contract_no: str, ref: SaleRef) -> Sale:
    if ref.sale_no is not None:
        row = store.sale(world.tx, world.tenant, contract_no, ref.sale_no)
        if row is None:
            raise NoSale()
        return Sale.from_row(row)
    if ref.invoice_no is None or ref.maturity_date is None:
        raise MissingSaleIdentifier()
    rows = store.by_invoice(world.tx, world.tenant, contract_no, ref.invoice_no, ref.maturity_date)
    if not rows:
        raise NoSale()
    if len(rows) > 1:
        raise AmbiguousSale(count=str(len(rows)), invoiceNo=ref.invoice_no, maturityDate=format_date(ref.maturity_date))
    return Sale.from_row(rows[0])


def _check_subsidiary(world: World, policy: SalesPolicy, contract_no: str, number: str) -> None:
    if number != "0" and policy.subsidiary(number, world.today) is None:
        raise UnknownSubsidiary(subsidiaryNo=number, contractNo=contract_no)


def _check_factoring(policy: SalesPolicy, contract_no: str, acquisition: date | None, transferor: str | None) -> None:
    """R17: acquisitionDate only, and always, on factoring policies; taxCodeTransferor only,
    and always, on factoring with recourse."""
    if not policy.factoring_policy:
        if acquisition is not None:
            raise AcquisitionDateNotAllowed(contractNo=contract_no)
        if transferor is not None:
            raise TaxCodeTransferorNotAllowed(contractNo=contract_no)
        return
    if acquisition is None:
        raise FactoringFieldRequired(field="acquisitionDate", contractNo=contract_no)
    if policy.factoring == WITH_RECOURSE and transferor is None:
        raise FactoringFieldRequired(field="taxCodeTransferor", contractNo=contract_no)
    if policy.factoring != WITH_RECOURSE and transferor is not None:
        raise TaxCodeTransferorNotAllowed(contractNo=contract_no)


def _check_amount(name: str, amount: Amount, positive: bool = False) -> None:
    if amount == 0 or (positive and amount < 0):
        raise InvalidValue(field=name, allowed="> 0,00" if positive else "≠ 0,00")


def _check_dates(invoice: date, acquisition: date | None, maturity: date) -> None:
    if acquisition is not None and acquisition < invoice:
        raise DateBefore(field="acquisitionDate", other="invoiceDate")
    if maturity < invoice:
        raise DateBefore(field="maturityDate", other="invoiceDate")


def _check_duplicate(world: World, contract_no: str, invoice_no: str, invoice_date: date, maturity_date: date,
                     endorsement_no: int, amount: Amount, other_than: int | None = None) -> None:
    """R15: the same invoiceNo, invoiceDate, maturityDate, debtor (however it was named) and
    currencyAmount as a sale already declared."""
    found = store.duplicate(world.tx, world.tenant, contract_no, invoice_no, invoice_date, maturity_date,
                            endorsement_no, amount, other_than)
    if found is not None:
        raise DuplicateSale(saleCesceReferenceNo=str(found["sale_no"]))


def _month_days(year: int, month: int) -> tuple[date, date]:
    """The first and last days of a month (December 9999 included: its last is date.max)."""
    first = date(year, month, 1)
    return first, first.replace(day=calendar.monthrange(year, month)[1])
