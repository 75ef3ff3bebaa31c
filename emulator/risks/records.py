"""The classification record: one row of the portfolio, in the field order of the wire."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter

from emulator.clock import today
from emulator.risks.policy import Policy
from emulator.sandbox_model import SandboxModel
from emulator.wire import Amount, record_text

INTERNAL = {"internal": True}

PENDING_REQUEST_BASE = 300_000  # "300xxx": the numbers of pending re-requests on known debtors

#: What a record says of the company itself, beyond its identifiers: the fields a request or a
#: mock debtor may fill in.
DETAILS = ("company_name", "address", "city", "state", "postal_code", "phone_no", "email")

#: Statuses (keys of mocks/codes/risk-statuses.yaml) in which a limit is granted.
LIVE_STATUSES = frozenset({"in-force", "awaiting-premium", "inactive"})
#: The code tables of mocks/codes/ the risk area reads.
STATUSES, DECISIONS = "risk-statuses", "decisions"


def status(model: SandboxModel, key: str) -> str:
    """The statusCode of a status key ("pending" -> "1")."""
    return model.codes[STATUSES].code(key)


def status_key(model: SandboxModel, code: str) -> str:
    return model.codes[STATUSES].key(code)


def decision(model: SandboxModel, key: str) -> str:
    """The classificationDecisionCode of a decision key ("granted" -> "01")."""
    return model.codes[DECISIONS].code(key)


@dataclass(kw_only=True)
class Debtor:
    """A debtor's classification record, as portfolio, movements and the individual query show
    it (field order of a production client's DTO, then the PPC cover fields). A pending
    re-request on a known debtor is a second record under a 300xxx number (``pending_of``)."""

    country_code: str
    tax_code: str
    endorsement_no: int
    customer_reference: str | None = None
    company_name: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    phone_no: str | None = None
    email: str | None = None
    credit_limit_requested: Amount = 0
    payment_method_requested_code: str | None = None
    payment_terms_requested: str | None = None
    currency_code: str | None = "EUR"
    credit_limit_granted: Amount = 0
    commercial_risk_cover_pct: Amount = 0
    political_risk_cover_pct: Amount = 0
    payment_method_granted_code: str | None = None
    payment_terms_granted: str | None = None
    commercial_risk_group_code: str | None = None
    political_risk_group_code: str | None = None
    classification_decision_code: str | None = None
    status_code: str
    cesce_code: str | None = None
    request_entry_date: date | None = None
    effective_date: date | None = None
    cancellation_date: date | None = None
    validity_date: date | None = None
    classification_date: date | None = None
    validity_reason_code: str | None = None
    comments_ind: str | None = "N"
    cover_cost: Amount = 0
    cover_duration: str | None = None
    contract_no: str = field(default="", metadata=INTERNAL)
    pending_of: int | None = field(default=None, metadata=INTERNAL)
    changed_at: datetime | None = field(default=None, metadata=INTERNAL)

    @classmethod
    def from_row(cls, row: dict) -> Debtor:
        return cls(**{name: row[name] for name in _NAMES})

    def to_row(self, tenant: str) -> dict:
        """The record's row of ``debtors``, with its wire text (what pages place as it is).
        A shallow copy: every field is a scalar, and dataclasses.asdict's deep copy was the
        bulk of seeding a large portfolio."""
        return {"tenant": tenant, **dict(zip(_NAMES, _VALUES(self))), "wire": record_text(self)}

    def changed(self, **changes) -> Debtor:
        # dataclasses.replace calls __init__ again with every field: a third of seeding a large
        # portfolio. Every field is a scalar, so a shallow copy with the changes is the same.
        unknown = changes.keys() - _FIELDS
        if unknown:
            raise TypeError(f"Debtor has no field {min(unknown)}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **changes)
        return copy


_NAMES = tuple(f.name for f in fields(Debtor))
_FIELDS = frozenset(_NAMES)
_VALUES = attrgetter(*_NAMES)


def cesce_code(country_code: str, tax_code: str) -> str:
    """Cesce's own code for a company: stable for the same countryCode + taxCode."""
    return f"{zlib.crc32(f'{country_code}:{tax_code}'.encode()) % 10**9:09d}"


@dataclass(frozen=True)
class Outcome:
    """A firm decision on a limit: a status and a decision (keys of mocks/codes) and the amount."""

    status: str
    decision: str
    granted: Amount = 0


def settle(record: Debtor, outcome: Outcome, policy: Policy, model: SandboxModel, at: datetime) -> Debtor:
    """The record once ``outcome`` is firm, decided at ``at``: what movements will show."""
    day = today(at)
    granted = outcome.granted if outcome.status in LIVE_STATUSES else 0
    return record.changed(
        status_code=status(model, outcome.status),
        classification_decision_code=decision(model, outcome.decision),
        credit_limit_granted=granted,
        payment_terms_granted=record.payment_terms_requested if granted else None,
        payment_method_granted_code=record.payment_method_requested_code if granted else None,
        commercial_risk_cover_pct=policy.commercial_risk_cover_pct if granted else 0,
        political_risk_cover_pct=policy.political_risk_cover_pct if granted else 0,
        cover_cost=policy.cover_cost(granted) if policy.ppc else 0,
        cover_duration="12" if policy.ppc and granted else None,
        classification_date=day,
        effective_date=day if granted else record.effective_date,
        cancellation_date=day if outcome.status == "cancelled" else None,
        changed_at=at,
    )


def pend(record: Debtor, reason: str, model: SandboxModel) -> Debtor:
    """The record of a request left EN TRÁMITE (the committee decides it through the due
    queue): no limit, no movement."""
    return record.changed(
        status_code=status(model, "pending"),
        classification_decision_code=decision(model, reason),
        credit_limit_granted=0,
        payment_terms_granted=None,
        payment_method_granted_code=None,
        commercial_risk_cover_pct=0,
        political_risk_cover_pct=0,
        cover_cost=0,
        classification_date=None,
        effective_date=None,
        cancellation_date=None,
        changed_at=None,
    )
