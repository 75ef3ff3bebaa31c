"""Classification records from a world document: the debtors of a contract in mocks/ or in a
scenario, with the outcomes they declare, as if each had happened at its ``since``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime

from emulator.clock import parse_duration, resolve_time, today
from emulator.risks.policy import Policy
from emulator.risks.records import (
    DETAILS,
    LIVE_STATUSES,
    PENDING_REQUEST_BASE,
    Debtor,
    Outcome,
    cesce_code,
    pend,
    settle,
    status,
)
from emulator.sandbox_model import ModelError, SandboxModel
from emulator.wire import camel, parse_amount

#: A record to seed, and when the committee decides it if it is a pending request.
Seeded = tuple[Debtor, datetime | None]

DEFAULT_DECISION = {
    "in-force": "granted",
    "awaiting-premium": "granted",
    "inactive": "deactivated",
    "cancelled": "cancelled-by-insured",
    "rejected": "rejected-financial",
    "pending": "pending-committee",
}
_TEMPLATED = ("taxCode", "companyName", "customerReference")
#: The record fields a seed may fill in, with their keys in the seed.
_DETAIL_KEYS = tuple((name, camel(name)) for name in ("customer_reference", *DETAILS))


def seed_debtors(model: SandboxModel, policy: Policy, doc: dict, now: datetime) -> Iterator[Seeded]:
    """The records of a contract document, one at a time (a generated portfolio of 100,000
    debtors is never all in memory): each debtor in order, its 300xxx request after it, each
    with the instant the committee decides it when it is pending."""
    contract_no = doc["contractNo"]
    next_request = PENDING_REQUEST_BASE + 1
    for number, seed in numbered(doc):
        record, decided_at = _record(model, policy, contract_no, number, seed, now)
        yield record, decided_at
        if "pendingRequest" in seed:
            request = seed["pendingRequest"]
            yield _pending(model, policy, record.changed(
                endorsement_no=next_request, pending_of=number,
                credit_limit_requested=parse_amount(request["requested"]),
            ), request, now)
            next_request += 1


def numbered(doc: dict) -> Iterator[tuple[int, dict]]:
    """The debtors a contract document declares, each with its endorsementNo (its own, or the
    next one free), checked before anything is seeded: ModelError for a number given twice,
    the same debtor twice, or a number in the 300xxx range."""
    contract_no = doc["contractNo"]
    explicit = Counter(_explicit_numbers(doc))
    twice = [number for number, count in explicit.items() if count > 1]
    if twice:
        raise ModelError(f"contract {contract_no}: endorsementNo {twice[0]} used twice")
    taken = set(explicit)
    next_no = 1
    seen_tax, seen_reference = set(), set()
    for number, seed in _seeds(doc):
        if not number:
            while next_no in taken:
                next_no += 1
            number = next_no
        taken.add(number)
        if (seed["countryCode"], seed["taxCode"]) in seen_tax or seed.get("customerReference") in seen_reference:
            raise ModelError(f"contract {contract_no}, debtor {seed['countryCode']} {seed['taxCode']}: the same debtor twice")
        if number >= PENDING_REQUEST_BASE:
            raise ModelError(f"contract {contract_no}, debtor {seed['countryCode']} {seed['taxCode']}: endorsementNo"
                             f" {number} is in the 300xxx range of pending requests")
        seen_tax.add((seed["countryCode"], seed["taxCode"]))
        if seed.get("customerReference"):
            seen_reference.add(seed["customerReference"])
        yield number, seed


def _seeds(doc: dict) -> Iterator[tuple[int, dict]]:
    """(endorsementNo or 0 for the next free one, seed) of every debtor a document declares."""
    for seed in doc.get("debtors", []):
        yield int(seed.get("endorsementNo", 0)), seed
    for batch in doc.get("generate", []):
        first = int(batch.get("firstEndorsementNo", 0))
        template = {k: v for k, v in batch.items() if k not in ("count", "firstEndorsementNo")}
        for index in range(1, batch["count"] + 1):
            seed = {k: v.format(index=index) if k in _TEMPLATED else v for k, v in template.items()}
            yield (first + index - 1 if first else 0), seed


def _explicit_numbers(doc: dict) -> Iterator[int]:
    for seed in doc.get("debtors", []):
        if "endorsementNo" in seed:
            yield int(seed["endorsementNo"])
    for batch in doc.get("generate", []):
        if "firstEndorsementNo" in batch:
            first = int(batch["firstEndorsementNo"])
            yield from range(first, first + batch["count"])


def _record(model: SandboxModel, policy: Policy, contract_no: str, number: int, seed: dict, now: datetime) -> Seeded:
    state = seed["status"]
    requested = parse_amount(seed["requested"])
    record = Debtor(
        contract_no=contract_no,
        endorsement_no=number,
        country_code=seed["countryCode"],
        tax_code=seed["taxCode"],
        credit_limit_requested=requested,
        payment_terms_requested=seed.get("paymentTerms"),
        currency_code=seed.get("currencyCode", "EUR"),
        cesce_code=cesce_code(seed["countryCode"], seed["taxCode"]),
        status_code=status(model, state),
        **{name: seed[key] for name, key in _DETAIL_KEYS if key in seed},
    )
    if state == "pending":
        return _pending(model, policy, record, seed, now)
    since = resolve_time(seed.get("since", "-P30D"), now)
    default = requested if state in LIVE_STATUSES else 0
    granted = parse_amount(seed["granted"]) if "granted" in seed else default
    outcome = Outcome(state, seed.get("decision", DEFAULT_DECISION[state]), granted)
    return settle(record.changed(request_entry_date=today(since)), outcome, policy, model, since), None


def _pending(model: SandboxModel, policy: Policy, record: Debtor, seed: dict, now: datetime) -> Seeded:
    since = resolve_time(seed.get("since", "-P1D"), now)
    decided_at = now + parse_duration(seed["resolveIn"]) if "resolveIn" in seed else since + policy.committee_delay
    pending = pend(record, seed.get("decision", DEFAULT_DECISION["pending"]), model)
    return pending.changed(request_entry_date=today(since)), decided_at

