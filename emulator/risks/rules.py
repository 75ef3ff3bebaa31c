"""Risk rules: classification requests, the individual query, cancel and the PPC operations,
portfolio and movements, and what Cesce does on its side (committee decisions, reductions,
increases, cancellations). Sources: the guide §3 and PUBLIC-FACTS §2.2-2.5 (rules R1-R14).

Every function takes the tenant's ``World`` (transaction, Sandbox Model, tenant, now) and plain
values; none knows of HTTP. A request left EN TRÁMITE is a row of the due queue: the committee
decides it when the tenant's clock reaches its date (``decide_due``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator.errors import InvalidValue, MissingField, SandboxNotFound
from emulator.risks import store
from emulator.risks.errors import (
    ContractFull,
    CustomerReferenceFixed,
    LimitNotInForce,
    MissingIdentifier,
    NoLimit,
    NoPremiumPending,
    NotPpcPolicy,
    RequestPending,
)
from emulator.risks.policy import Policy
from emulator.risks.records import (
    PENDING_REQUEST_BASE,
    Debtor,
    Outcome,
    cesce_code,
    pend,
    settle,
    status,
    status_key,
)
from emulator.sandbox_model import SandboxModel
from emulator.wire import Amount, format_amount, parse_amount, record_text
from emulator.world import Contract, World, contract

NAME = "risks"
#: Movements are the firm changes of the last 48 hours of the tenant's clock (R12).
MOVEMENTS_WINDOW = timedelta(hours=48)
#: Statuses in which a limit is in force and can be cancelled (R10) or switched on and off (R9).
CANCELLABLE = frozenset({"in-force", "inactive"})
#: Statuses Cesce can reduce, increase or cancel on its side.
LIVE = CANCELLABLE | {"awaiting-premium"}
#: The contract's two numberings: debtors' endorsements, and pending re-requests (300xxx).
ENDORSEMENTS, REQUESTS = "endorsement", "request"
#: What the area announces (world.announce) whenever a debtor's firm record changes (granted,
#: rejected, decided by the committee, reduced, increased, cancelled...): ref is its endorsementNo.
LIMIT_CHANGED = "risks.limit"


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
    #: The records' wire texts (wire.record_text), in endorsement order.
    encoded: list[str]
    #: The endorsementNo the next page starts at; 0 on the last page (R13).
    next_endorsement_no: int


def policy_of(current: Contract) -> Policy:
    return Policy.of(current.policy)


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
    if request.non_payment_ind == "Y":
        # The guide: with Y, nonPaymentAmount says how much is unpaid.
        if request.non_payment_amount is None:
            raise MissingField(field="nonPaymentAmount")
        if request.non_payment_amount <= 0:
            raise InvalidValue(field="nonPaymentAmount", allowed="> 0,00")
    known = _known_debtor(world, contract_no, request.identifiers)
    if known is None:
        return _classify_new(world, current, request)
    return _classify_known(world, current, known, request)


def cancel(world: World, contract_no: str, ids: Identifiers) -> Debtor:
    """POST classifications/cancel: annul a limit in force (R10), by any of the identifiers. A
    request pending on it is withdrawn: a cancelled limit does not come back to life when the
    committee meets."""
    current = contract(world, contract_no)
    record = _firm(world, contract_no, ids)
    _require(world, record, CANCELLABLE)
    _withdraw_request_on(world, record)
    outcome = Outcome("cancelled", "cancelled-by-insured")
    return _save(world, settle(record, outcome, policy_of(current), world.model, world.now))


def activate_deactivate(world: World, contract_no: str, ids: Identifiers, activate: bool) -> Debtor:
    """POST classifications/activate-deactivate: switch a PPC cover on or off (R9). Asking for
    the state a cover is already in changes nothing."""
    current = _ppc_contract(world, contract_no)
    record = _firm(world, contract_no, ids)
    state = _require(world, record, CANCELLABLE)
    target = "in-force" if activate else "inactive"
    if state == target:
        return record
    outcome = Outcome(target, "activated" if activate else "deactivated", record.credit_limit_granted)
    return _save(world, settle(record, outcome, policy_of(current), world.model, world.now))


def accept_deny_premium(world: World, contract_no: str, ids: Identifiers, accept: bool) -> Debtor:
    """POST classifications/accept-deny-premium. Our reading of an undocumented operation: on a
    PPC policy a granted cover waits for the insured to accept its premium (coverCost, yearly);
    accepting puts it in force, denying annuls it."""
    current = _ppc_contract(world, contract_no)
    record = _firm(world, contract_no, ids)
    if status_key(world.model, record.status_code) != "awaiting-premium":
        raise NoPremiumPending(endorsementNo=str(record.endorsement_no))
    if accept:
        outcome = Outcome("in-force", "premium-accepted", record.credit_limit_granted)
    else:
        outcome = Outcome("cancelled", "premium-denied")
    return _save(world, settle(record, outcome, policy_of(current), world.model, world.now))


def portfolio(world: World, contract_no: str, start: int, size: int) -> Page:
    """GET portfolio: every record of the contract (in force, cancelled, rejected, pending and
    300xxx requests) by endorsementNo, ``size`` a page (R11, R13)."""
    contract(world, contract_no)
    return _page(_wired(world, contract_no, store.portfolio_page(world.tx, world.tenant, contract_no, start, size + 1)), size)


def movements(world: World, contract_no: str, start: int, size: int) -> Page:
    """GET movements: the records whose firm state changed in the last 48 hours (new grants and
    rejections, resolutions, reductions, cancellations, by the insured or by Cesce); pending
    requests only once decided (R12)."""
    contract(world, contract_no)
    since = world.now - MOVEMENTS_WINDOW
    rows = store.movements_page(world.tx, world.tenant, contract_no, since, world.now, start, size + 1)
    return _page(_wired(world, contract_no, rows), size)


# -- what Cesce does on its side ----------------------------------------------------------


def decide_due(world: World, contract_no: str, ref: str) -> None:
    """The due queue's work: the committee decides the pending request ``ref`` (its
    endorsementNo) at the world's now, its date."""
    row = store.debtor(world.tx, world.tenant, contract_no, int(ref))
    if row is None or status_key(world.model, row["status_code"]) != "pending":
        return  # withdrawn or decided since it was scheduled
    request = Debtor.from_row(row)
    policy = policy_of(contract(world, contract_no))
    _resolve(world, policy, request, committee_decision(world.model, policy, request))


def resolve_request(world: World, contract_no: str, endorsement_no: int, grant: bool | None = None,
                    amount: Amount | None = None) -> Debtor:
    """Decide a pending request now, named by its own number or its debtor's: as the committee
    would (``grant`` None), or granting ``amount`` (default: the committee's share), or rejecting."""
    policy = policy_of(contract(world, contract_no))
    request = _pending_request(world, contract_no, endorsement_no)
    if grant is None:
        outcome = committee_decision(world.model, policy, request)
    elif grant:
        granted = amount if amount is not None else policy.committee_grant(request.credit_limit_requested)
        outcome = Outcome(_granted_status(policy), "granted-by-committee", granted)
    else:
        outcome = Outcome("rejected", "rejected-by-committee")
    return _resolve(world, policy, request, outcome)


def reduce_limit(world: World, contract_no: str, endorsement_no: int, amount: Amount) -> Debtor:
    """Cesce lowers a limit in force (the debtor's risk worsened)."""
    policy = policy_of(contract(world, contract_no))
    record = _firm(world, contract_no, Identifiers(endorsement_no=endorsement_no))
    state = _require(world, record, LIVE)
    if not 0 < amount < record.credit_limit_granted:
        raise InvalidValue(field="amount", allowed=f"0,01 .. {format_amount(record.credit_limit_granted - 1)}")
    return _save(world, settle(record, Outcome(state, "reduced-by-cesce", amount), policy, world.model, world.now))


def increase_limit(world: World, contract_no: str, endorsement_no: int, amount: Amount) -> Debtor:
    """Cesce raises a limit in force on its own decision (the guide: limits may be "ampliados")."""
    policy = policy_of(contract(world, contract_no))
    record = _firm(world, contract_no, Identifiers(endorsement_no=endorsement_no))
    state = _require(world, record, LIVE)
    if amount <= record.credit_limit_granted:
        raise InvalidValue(field="amount", allowed=f"> {format_amount(record.credit_limit_granted)}")
    return _save(world, settle(record, Outcome(state, "increased-by-cesce", amount), policy, world.model, world.now))


def cancel_limit(world: World, contract_no: str, endorsement_no: int) -> Debtor:
    """Cesce withdraws a limit in force (the debtor became insolvent, say), and with it any
    request pending on it."""
    policy = policy_of(contract(world, contract_no))
    record = _firm(world, contract_no, Identifiers(endorsement_no=endorsement_no))
    _require(world, record, LIVE)
    _withdraw_request_on(world, record)
    return _save(world, settle(record, Outcome("cancelled", "cancelled-by-cesce"), policy, world.model, world.now))


def assess(model: SandboxModel, policy: Policy, request: ClassificationRequest, country_code: str, tax_code: str) -> Outcome:
    """Cesce's automatic classification. In order: declared non-payments send the request to
    manual study (it never rejects a debtor by itself, and never touches a limit in force); a
    company Cesce rejects or must study by hand (mocks/companies.yaml), a country without
    online financial data, or an amount above the policy's threshold wait EN TRÁMITE;
    otherwise the amount is granted, up to what Cesce would grant that company."""
    data = model.data[NAME]
    company = data.companies.get((country_code, tax_code), {})
    requested = request.credit_limit_requested
    if request.non_payment_ind == "Y":
        return Outcome("pending", "pending-non-payments")
    if company.get("outcome") == "reject":
        return Outcome("rejected", company.get("reason", "rejected-financial"))
    if company.get("outcome") == "pending":
        return Outcome("pending", company.get("reason", "pending-new-company"))
    if country_code in data.countries_without_online_data:
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
    company = model.data[NAME].companies.get((request.country_code, request.tax_code), {})
    if company.get("committee") == "reject":
        return Outcome("rejected", "rejected-by-committee")
    granted = policy.committee_grant(request.credit_limit_requested)
    if "maxLimit" in company:
        granted = min(granted, parse_amount(company["maxLimit"]))
    return Outcome(_granted_status(policy), "granted-by-committee", granted)


def decided_at(world: World, record: Debtor) -> datetime | None:
    """When the committee decides a pending record (None for a firm one)."""
    return world.tx.due_at(world.tenant, record.contract_no, NAME, str(record.endorsement_no))


# -- inside the rules ---------------------------------------------------------------------


def _granted_status(policy: Policy) -> str:
    return "awaiting-premium" if policy.ppc else "in-force"


def _firm(world: World, contract_no: str, ids: Identifiers) -> Debtor:
    tx, tenant = world.tx, world.tenant
    if ids.customer_reference:
        row = store.firm_by_reference(tx, tenant, contract_no, ids.customer_reference)
    elif ids.endorsement_no is not None:
        row = store.debtor(tx, tenant, contract_no, ids.endorsement_no)
        row = row if row and row["pending_of"] is None else None
    elif ids.country_code and ids.tax_code:
        row = store.firm_by_tax_code(tx, tenant, contract_no, ids.country_code, ids.tax_code)
    else:
        raise MissingIdentifier()
    if row is None:
        raise NoLimit()
    return Debtor.from_row(row)


def _known_debtor(world: World, contract_no: str, ids: Identifiers) -> Debtor | None:
    """The debtor a classification request is about, or None for a new one. An unknown
    customerReference may be a new debtor's; an unknown endorsementNo is an error."""
    if ids.customer_reference:
        row = store.firm_by_reference(world.tx, world.tenant, contract_no, ids.customer_reference)
        if row:
            return Debtor.from_row(row)
    if ids.endorsement_no is not None:
        return _firm(world, contract_no, Identifiers(endorsement_no=ids.endorsement_no))
    if ids.country_code and ids.tax_code:
        row = store.firm_by_tax_code(world.tx, world.tenant, contract_no, ids.country_code, ids.tax_code)
        return Debtor.from_row(row) if row else None
    return None


def _classify_new(world: World, current: Contract, request: ClassificationRequest) -> Debtor:
    ids = request.identifiers
    for name, value in (("countryCode", ids.country_code), ("taxCode", ids.tax_code)):
        if not value:
            raise MissingField(field=name)
    company = world.model.data[NAME].companies.get((ids.country_code, ids.tax_code))
    if world.sandbox and company is None:
        raise SandboxNotFound()
    details = {"company_name": company["companyName"]} if company and "companyName" in company else {}
    number = world.tx.take_number(world.tenant, current.contract_no, ENDORSEMENTS)
    if number >= PENDING_REQUEST_BASE:
        raise ContractFull(contractNo=current.contract_no)
    record = Debtor(
        contract_no=current.contract_no,
        endorsement_no=number,
        country_code=ids.country_code,
        tax_code=ids.tax_code,
        customer_reference=ids.customer_reference,
        cesce_code=cesce_code(ids.country_code, ids.tax_code),
        status_code=status(world.model, "pending"),
        **{**details, **request.details},
        **_request_fields(world, request),
    )
    policy = policy_of(current)
    outcome = assess(world.model, policy, request, record.country_code, record.tax_code)
    if outcome.status == "pending":
        record = _pend(world, policy, record, outcome)
    else:
        record = settle(record, outcome, policy, world.model, world.now)
    store.insert(world.tx, [record.to_row(world.tenant)])
    if outcome.status != "pending":
        world.announce(LIMIT_CHANGED, record.contract_no, str(record.endorsement_no))
    return record


def _classify_known(world: World, current: Contract, known: Debtor, request: ClassificationRequest) -> Debtor:
    ids = request.identifiers
    if known.status_code == status(world.model, "pending"):
        raise RequestPending(endorsementNo=str(known.endorsement_no))
    waiting = store.request_pending_on(world.tx, world.tenant, current.contract_no, known.endorsement_no)
    if waiting:
        raise RequestPending(endorsementNo=str(waiting["endorsement_no"]))
    if ids.customer_reference and ids.customer_reference != known.customer_reference:
        raise CustomerReferenceFixed(endorsementNo=str(known.endorsement_no))
    policy = policy_of(current)
    asked = known.changed(**_request_fields(world, request))
    outcome = assess(world.model, policy, request, known.country_code, known.tax_code)
    if outcome.status != "pending":
        return _save(world, settle(asked, outcome, policy, world.model, world.now))
    number = world.tx.take_number(world.tenant, current.contract_no, REQUESTS, PENDING_REQUEST_BASE + 1)
    pending = _pend(world, policy, asked.changed(endorsement_no=number, pending_of=known.endorsement_no), outcome)
    store.insert(world.tx, [pending.to_row(world.tenant)])
    return pending


def _pend(world: World, policy: Policy, record: Debtor, outcome: Outcome) -> Debtor:
    """The record EN TRÁMITE, with the committee's decision due after the policy's delay."""
    world.schedule(world.now + policy.committee_delay, NAME, record.contract_no, str(record.endorsement_no))
    return pend(record, outcome.decision, world.model)


def _request_fields(world: World, request: ClassificationRequest) -> dict:
    return {
        "credit_limit_requested": request.credit_limit_requested,
        "payment_method_requested_code": request.payment_method_requested_code,
        "payment_terms_requested": request.payment_terms_requested,
        "currency_code": request.currency_code or "EUR",
        "request_entry_date": world.today,
    }


def _resolve(world: World, policy: Policy, request: Debtor, outcome: Outcome) -> Debtor:
    """Make a pending request firm at the world's now. A 300xxx request merges into its
    debtor's endorsement and disappears (R7); a refused one leaves the limit in force as it was."""
    world.tx.unschedule(world.tenant, request.contract_no, NAME, str(request.endorsement_no))
    if request.pending_of is None:
        return _save(world, settle(request, outcome, policy, world.model, world.now))
    known = Debtor.from_row(store.debtor(world.tx, world.tenant, request.contract_no, request.pending_of))
    asked = known.changed(
        credit_limit_requested=request.credit_limit_requested,
        payment_method_requested_code=request.payment_method_requested_code,
        payment_terms_requested=request.payment_terms_requested,
        currency_code=request.currency_code,
        request_entry_date=request.request_entry_date,
    )
    if outcome.status == "rejected":
        outcome = Outcome(status_key(world.model, known.status_code), outcome.decision, known.credit_limit_granted)
    store.delete(world.tx, world.tenant, request.contract_no, request.endorsement_no)
    return _save(world, settle(asked, outcome, policy, world.model, world.now))


def _withdraw_request_on(world: World, record: Debtor) -> None:
    """Withdraw the 300xxx request pending on a debtor's limit, if there is one."""
    waiting = store.request_pending_on(world.tx, world.tenant, record.contract_no, record.endorsement_no)
    if waiting:
        world.tx.unschedule(world.tenant, record.contract_no, NAME, str(waiting["endorsement_no"]))
        store.delete(world.tx, world.tenant, record.contract_no, waiting["endorsement_no"])


def _pending_request(world: World, contract_no: str, endorsement_no: int) -> Debtor:
    pending = status(world.model, "pending")
    row = store.debtor(world.tx, world.tenant, contract_no, endorsement_no)
    if row and row["status_code"] != pending:
        row = store.request_pending_on(world.tx, world.tenant, contract_no, endorsement_no)
    if row is None or row["status_code"] != pending:
        raise NoLimit()
    return Debtor.from_row(row)


def _ppc_contract(world: World, contract_no: str) -> Contract:
    current = contract(world, contract_no)
    if not policy_of(current).ppc:
        raise NotPpcPolicy(contractNo=contract_no)
    return current


def _require(world: World, record: Debtor, statuses: frozenset[str]) -> str:
    state = status_key(world.model, record.status_code)
    if state not in statuses:
        raise LimitNotInForce(endorsementNo=str(record.endorsement_no))
    return state


def _save(world: World, record: Debtor) -> Debtor:
    store.update(world.tx, world.tenant, record.contract_no, record.endorsement_no, record.to_row(world.tenant))
    world.announce(LIMIT_CHANGED, record.contract_no, str(record.endorsement_no))
    return record


def _wired(world: World, contract_no: str, rows: list[dict]) -> list[dict]:
    """Page rows with their wire texts: a record written before records kept theirs is
    rendered from its columns (it keeps one at its next change)."""
    for row in rows:
        if row["wire"] is None:
            row["wire"] = record_text(Debtor.from_row(store.debtor(world.tx, world.tenant, contract_no, row["endorsement_no"])))
    return rows


def _page(rows: list[dict], size: int) -> Page:
    following = rows[size]["endorsement_no"] if len(rows) > size else 0
    return Page([row["wire"] for row in rows[:size]], following)
