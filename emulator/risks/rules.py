"""Risk rules: classification requests, the individual query, cancel and the PPC operations,
portfolio and movements, and what Cesce does on its side (committee decisions, reductions,
cancellations). Sources: the guide §3 and PUBLIC-FACTS §2.2-2.5 (rules R1-R14).

Every function takes the tenant's ``World`` (transaction, Sandbox Model, tenant, now) and plain
values; none knows of HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator.errors import (
    ContractFull,
    CustomerReferenceFixed,
    InvalidValue,
    LimitNotInForce,
    MissingField,
    MissingIdentifier,
    NoLimit,
    NoPremiumPending,
    NotPpcPolicy,
    RequestPending,
    SandboxNotFound,
)
from emulator.policy import Policy
from emulator.risks.records import PENDING_REQUEST_BASE, Debtor, Outcome, cesce_code, pend, settle
from emulator.sandbox_model import SandboxModel
from emulator.wire import Amount, format_amount, parse_amount
from emulator.world import Contract, World, contract

#: Movements are the firm changes of the last 48 hours of the tenant's clock (R12).
MOVEMENTS_WINDOW = timedelta(hours=48)
#: Statuses in which a limit is in force and can be cancelled (R10) or switched on and off (R9).
CANCELLABLE = frozenset({"in-force", "inactive"})


@dataclass(frozen=True)
class Identifiers:
    """The three ways to name a debtor; when they disagree, customerReference wins over
    endorsementNo, which wins over countryCode + taxCode (R3)."""

    customer_reference: str | None = None
    endorsement_no: int | None = None
    country_code: str | None = None
    tax_code: str | None = None


@dataclass(frozen=True)
class ClassificationRequest:
    identifiers: Identifiers
    credit_limit_requested: Amount | None = None
    payment_method_requested_code: str | None = None
    payment_terms_requested: str | None = None
    currency_code: str | None = None
    non_payment_ind: str | None = None
    non_payment_amount: Amount | None = None
    #: companyName, address, city, state, postalCode, phoneNo, email, as Debtor field names.
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    records: list[Debtor]
    #: The endorsementNo the next page starts at; 0 on the last page (R13).
    next_endorsement_no: int


# -- the insured's operations -------------------------------------------------------------


def find_debtor(world: World, contract_no: str, ids: Identifiers) -> Debtor:
    """GET classifications: the debtor's firm record, never a pending 300xxx request (guide
    §3.2.1); NoLimit ("NO EXISTE LIMITE...") when nothing matches the identifier that wins."""
    contract(world, contract_no)
    return _firm(world, contract_no, ids)


def classify(world: World, contract_no: str, request: ClassificationRequest) -> Debtor:
    """POST classifications: a first classification (countryCode + taxCode required, optional
    customerReference, a new sequential endorsementNo) or a new limit on a known debtor. The
    answer is immediate (granted, partially granted, rejected) or EN TRÁMITE; a pending request
    on a known debtor is a second record under a 300xxx number (R5-R8, guide §3.1)."""
    current = contract(world, contract_no)
    if request.credit_limit_requested is None:
        raise MissingField(field="creditLimitRequested")
    if request.credit_limit_requested <= 0:
        raise InvalidValue(field="creditLimitRequested", allowed="> 0,00")
    if request.non_payment_ind == "Y" and not request.non_payment_amount:
        raise MissingField(field="nonPaymentAmount")
    known = _known_debtor(world, contract_no, request.identifiers)
    if known is None:
        return _classify_new(world, current, request)
    return _classify_known(world, current, known, request)


def cancel(world: World, contract_no: str, ids: Identifiers) -> Debtor:
    """POST classifications/cancel: annul a limit in force (R10), by any of the identifiers."""
    current = contract(world, contract_no)
    record = _firm(world, contract_no, ids)
    _require(world, record, CANCELLABLE)
    return _save(world, settle(record, Outcome("cancelled", "cancelled-by-insured"), current.policy, world.model, world.now))


def activate_deactivate(world: World, contract_no: str, ids: Identifiers, activate: bool) -> Debtor:
    """POST classifications/activate-deactivate: switch a PPC cover on or off (R9). Asking for
    the state a cover is already in changes nothing."""
    current = _ppc_contract(world, contract_no)
    record = _firm(world, contract_no, ids)
    status = _require(world, record, CANCELLABLE)
    target = "in-force" if activate else "inactive"
    if status == target:
        return record
    outcome = Outcome(target, "activated" if activate else "deactivated", record.credit_limit_granted)
    return _save(world, settle(record, outcome, current.policy, world.model, world.now))


def accept_deny_premium(world: World, contract_no: str, ids: Identifiers, accept: bool) -> Debtor:
    """POST classifications/accept-deny-premium. Our reading of an undocumented operation: on a
    PPC policy a granted cover waits for the insured to accept its premium (coverCost, yearly);
    accepting puts it in force, denying annuls it."""
    current = _ppc_contract(world, contract_no)
    record = _firm(world, contract_no, ids)
    if world.model.status_key(record.status_code) != "awaiting-premium":
        raise NoPremiumPending(endorsementNo=str(record.endorsement_no))
    if accept:
        outcome = Outcome("in-force", "premium-accepted", record.credit_limit_granted)
    else:
        outcome = Outcome("cancelled", "premium-denied")
    return _save(world, settle(record, outcome, current.policy, world.model, world.now))


def portfolio(world: World, contract_no: str, start: int, size: int) -> Page:
    """GET portfolio: every record of the contract (in force, cancelled, rejected, pending and
    300xxx requests) by endorsementNo, ``size`` a page (R11, R13)."""
    contract(world, contract_no)
    return _page(world.tx.portfolio_page(world.tenant, contract_no, start, size + 1), size)


def movements(world: World, contract_no: str, start: int, size: int) -> Page:
    """GET movements: the records whose firm state changed in the last 48 hours (new grants and
    rejections, resolutions, reductions, cancellations, by the insured or by Cesce); pending
    requests only once decided (R12)."""
    contract(world, contract_no)
    since = world.now - MOVEMENTS_WINDOW
    return _page(world.tx.movements_page(world.tenant, contract_no, since, world.now, start, size + 1), size)


# -- what Cesce does on its side ----------------------------------------------------------


def settle_due(world: World) -> None:
    """Decide every pending request whose committee date has come, at that date."""
    for row in world.tx.due_requests(world.tenant, world.now):
        request = Debtor.from_row(row)
        policy = contract(world, request.contract_no).policy
        _resolve(world, policy, request, committee_decision(world.model, policy, request), request.resolve_at)


def resolve_request(
    world: World, contract_no: str, endorsement_no: int, grant: bool | None = None, amount: Amount | None = None
) -> Debtor:
    """Decide a pending request now, named by its own number or its debtor's: as the committee
    would (``grant`` None), or granting ``amount`` (default: the committee's share), or rejecting."""
    policy = contract(world, contract_no).policy
    request = _pending_request(world, contract_no, endorsement_no)
    if grant is None:
        outcome = committee_decision(world.model, policy, request)
    elif grant:
        granted = amount if amount is not None else policy.committee_grant(request.credit_limit_requested)
        outcome = Outcome(_granted_status(policy), "granted-by-committee", granted)
    else:
        outcome = Outcome("rejected", "rejected-by-committee")
    return _resolve(world, policy, request, outcome, world.now)


def reduce_limit(world: World, contract_no: str, endorsement_no: int, amount: Amount) -> Debtor:
    """Cesce lowers a limit in force (the debtor's risk worsened)."""
    policy = contract(world, contract_no).policy
    record = _firm(world, contract_no, Identifiers(endorsement_no=endorsement_no))
    status = _require(world, record, CANCELLABLE | {"awaiting-premium"})
    if not 0 < amount < record.credit_limit_granted:
        raise InvalidValue(field="amount", allowed=f"0,01 .. {format_amount(record.credit_limit_granted - 1)}")
    return _save(world, settle(record, Outcome(status, "reduced-by-cesce", amount), policy, world.model, world.now))


def cancel_limit(world: World, contract_no: str, endorsement_no: int) -> Debtor:
    """Cesce withdraws a limit in force (the debtor became insolvent, say)."""
    policy = contract(world, contract_no).policy
    record = _firm(world, contract_no, Identifiers(endorsement_no=endorsement_no))
    _require(world, record, CANCELLABLE | {"awaiting-premium"})
    return _save(world, settle(record, Outcome("cancelled", "cancelled-by-cesce"), policy, world.model, world.now))


def assess(model: SandboxModel, policy: Policy, request: ClassificationRequest, country_code: str, tax_code: str) -> Outcome:
    """Cesce's automatic classification. In order: known payment incidents reject; a company
    Cesce rejects or must study by hand (mocks/companies.yaml), a country without online
    financial data, or an amount above the policy's threshold wait EN TRÁMITE; otherwise the
    amount is granted, up to what Cesce would grant that company."""
    company = model.companies.get((country_code, tax_code), {})
    requested = request.credit_limit_requested
    if request.non_payment_ind == "Y":
        return Outcome("rejected", "rejected-payment-incidents")
    if company.get("outcome") == "reject":
        return Outcome("rejected", company.get("reason", "rejected-financial"))
    if company.get("outcome") == "pending":
        return Outcome("pending", company.get("reason", "pending-new-company"))
    if country_code in model.countries_without_online_data:
        return Outcome("pending", "pending-country")
    if requested > policy.auto_grant_threshold:
        return Outcome("pending", "pending-committee")
    ceiling = parse_amount(company["maxLimit"]) if "maxLimit" in company else requested
    if requested > ceiling:
        return Outcome(_granted_status(policy), "granted-partially", ceiling)
    return Outcome(_granted_status(policy), "granted", requested)


def committee_decision(model: SandboxModel, policy: Policy, request: Debtor) -> Outcome:
    """The Risk Committee grants the policy's share of the amount requested (the guide's
    100000 -> 75000), up to the company's ceiling, unless mocks say it rejects the company."""
    company = model.companies.get((request.country_code, request.tax_code), {})
    if company.get("committee") == "reject":
        return Outcome("rejected", "rejected-by-committee")
    granted = policy.committee_grant(request.credit_limit_requested)
    if "maxLimit" in company:
        granted = min(granted, parse_amount(company["maxLimit"]))
    return Outcome(_granted_status(policy), "granted-by-committee", granted)


# -- inside the rules ---------------------------------------------------------------------


def _granted_status(policy: Policy) -> str:
    return "awaiting-premium" if policy.ppc else "in-force"


def _firm(world: World, contract_no: str, ids: Identifiers) -> Debtor:
    tx, tenant = world.tx, world.tenant
    if ids.customer_reference:
        row = tx.firm_debtor_by_reference(tenant, contract_no, ids.customer_reference)
    elif ids.endorsement_no is not None:
        row = tx.debtor(tenant, contract_no, ids.endorsement_no)
        row = row if row and row["pending_of"] is None else None
    elif ids.country_code and ids.tax_code:
        row = tx.firm_debtor_by_tax_code(tenant, contract_no, ids.country_code, ids.tax_code)
    else:
        raise MissingIdentifier()
    if row is None:
        raise NoLimit()
    return Debtor.from_row(row)


def _known_debtor(world: World, contract_no: str, ids: Identifiers) -> Debtor | None:
    """The debtor a classification request is about, or None for a new one. An unknown
    customerReference may be a new debtor's; an unknown endorsementNo is an error."""
    if ids.customer_reference:
        row = world.tx.firm_debtor_by_reference(world.tenant, contract_no, ids.customer_reference)
        if row:
            return Debtor.from_row(row)
    if ids.endorsement_no is not None:
        return _firm(world, contract_no, Identifiers(endorsement_no=ids.endorsement_no))
    if ids.country_code and ids.tax_code:
        row = world.tx.firm_debtor_by_tax_code(world.tenant, contract_no, ids.country_code, ids.tax_code)
        return Debtor.from_row(row) if row else None
    return None


def _classify_new(world: World, current: Contract, request: ClassificationRequest) -> Debtor:
    ids = request.identifiers
    for name, value in (("countryCode", ids.country_code), ("taxCode", ids.tax_code)):
        if not value:
            raise MissingField(field=name)
    company = world.model.companies.get((ids.country_code, ids.tax_code))
    if world.sandbox and company is None:
        raise SandboxNotFound()
    details = {"company_name": company["companyName"]} if company and "companyName" in company else {}
    number = world.tx.take_number(world.tenant, current.contract_no, "next_endorsement_no")
    if number >= PENDING_REQUEST_BASE:
        raise ContractFull(contractNo=current.contract_no)
    record = Debtor(
        contract_no=current.contract_no,
        endorsement_no=number,
        country_code=ids.country_code,
        tax_code=ids.tax_code,
        customer_reference=ids.customer_reference,
        cesce_code=cesce_code(ids.country_code, ids.tax_code),
        status_code=world.model.status("pending"),
        **{**details, **request.details},
        **_request_fields(world, request),
    )
    record = _decide(world, current.policy, record, request)
    world.tx.insert_debtors([record.to_row(world.tenant)])
    return record


def _classify_known(world: World, current: Contract, known: Debtor, request: ClassificationRequest) -> Debtor:
    ids = request.identifiers
    if known.status_code == world.model.status("pending"):
        raise RequestPending(endorsementNo=str(known.endorsement_no))
    waiting = world.tx.request_pending_on(world.tenant, current.contract_no, known.endorsement_no)
    if waiting:
        raise RequestPending(endorsementNo=str(waiting["endorsement_no"]))
    if ids.customer_reference and ids.customer_reference != known.customer_reference:
        raise CustomerReferenceFixed(endorsementNo=str(known.endorsement_no))
    asked = known.changed(**_request_fields(world, request))
    outcome = assess(world.model, current.policy, request, known.country_code, known.tax_code)
    if outcome.status != "pending":
        return _save(world, settle(asked, outcome, current.policy, world.model, world.now))
    number = world.tx.take_number(world.tenant, current.contract_no, "next_request_no")
    pending = pend(
        asked.changed(endorsement_no=number, pending_of=known.endorsement_no),
        outcome.decision, world.model, world.now + current.policy.committee_delay,
    )
    world.tx.insert_debtors([pending.to_row(world.tenant)])
    return pending


def _request_fields(world: World, request: ClassificationRequest) -> dict:
    return {
        "credit_limit_requested": request.credit_limit_requested,
        "payment_method_requested_code": request.payment_method_requested_code,
        "payment_terms_requested": request.payment_terms_requested,
        "currency_code": request.currency_code or "EUR",
        "request_entry_date": world.today,
    }


def _decide(world: World, policy: Policy, record: Debtor, request: ClassificationRequest) -> Debtor:
    outcome = assess(world.model, policy, request, record.country_code, record.tax_code)
    if outcome.status == "pending":
        return pend(record, outcome.decision, world.model, world.now + policy.committee_delay)
    return settle(record, outcome, policy, world.model, world.now)


def _resolve(world: World, policy: Policy, request: Debtor, outcome: Outcome, at: datetime) -> Debtor:
    """Make a pending request firm at ``at``. A 300xxx request merges into its debtor's
    endorsement and disappears (R7); a refused one leaves the limit in force as it was."""
    if request.pending_of is None:
        return _save(world, settle(request, outcome, policy, world.model, at))
    known = Debtor.from_row(world.tx.debtor(world.tenant, request.contract_no, request.pending_of))
    asked = known.changed(
        credit_limit_requested=request.credit_limit_requested,
        payment_method_requested_code=request.payment_method_requested_code,
        payment_terms_requested=request.payment_terms_requested,
        currency_code=request.currency_code,
        request_entry_date=request.request_entry_date,
    )
    if outcome.status == "rejected":
        status = world.model.status_key(known.status_code)
        outcome = Outcome(status, outcome.decision, known.credit_limit_granted)
    world.tx.delete_debtor(world.tenant, request.contract_no, request.endorsement_no)
    return _save(world, settle(asked, outcome, policy, world.model, at))


def _pending_request(world: World, contract_no: str, endorsement_no: int) -> Debtor:
    row = world.tx.debtor(world.tenant, contract_no, endorsement_no)
    if row and row["resolve_at"] is None:
        row = world.tx.request_pending_on(world.tenant, contract_no, endorsement_no)
    if row is None or row["resolve_at"] is None:
        raise NoLimit()
    return Debtor.from_row(row)


def _ppc_contract(world: World, contract_no: str) -> Contract:
    current = contract(world, contract_no)
    if not current.policy.ppc:
        raise NotPpcPolicy(contractNo=contract_no)
    return current


def _require(world: World, record: Debtor, statuses: frozenset[str]) -> str:
    status = world.model.status_key(record.status_code)
    if status not in statuses:
        raise LimitNotInForce(endorsementNo=str(record.endorsement_no))
    return status


def _save(world: World, record: Debtor) -> Debtor:
    world.tx.update_debtor(world.tenant, record.contract_no, record.endorsement_no, record.to_row(world.tenant))
    return record


def _page(rows: list[dict], size: int) -> Page:
    records = [Debtor.from_row(row) for row in rows[:size]]
    following = rows[size]["endorsement_no"] if len(rows) > size else 0
    return Page(records, following)
