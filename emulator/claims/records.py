"""The claims records, in the field order of the wire, and the code tables their statuses come
from. Each record is a row of its table (one column per field, plus tenant and contract), so the
store, the wire and a snapshot read the same fields."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, TypeVar

from emulator.wire import Amount

INTERNAL = {"internal": True}

#: The code tables of mocks/codes/ the claims area reads.
DOSSIER_STATUSES = "claim-dossier-statuses"
NON_PAYMENT_STATUSES = "claim-non-payment-statuses"
DOCUMENT_STATUSES = "claim-document-statuses"
DOCUMENT_TYPES = "claim-document-types"
SETTLEMENT_STATUSES = "claim-settlement-statuses"
STEPS = "claim-steps"
PENDING_REASONS = "claim-pending-reasons"
TABLES = (DOSSIER_STATUSES, NON_PAYMENT_STATUSES, DOCUMENT_STATUSES, DOCUMENT_TYPES, SETTLEMENT_STATUSES, STEPS,
          PENDING_REASONS)

#: analysisTypeCode of a non-payment: Cesce's automatic analysis, or its experts'.
AUTOMATIC, MANUAL = "A", "M"
#: Kinds of a dossier's steps: processing steps (tramitación) and recovery procedures (recobro).
PROCESSING, RECOVERY = "processing", "recovery"

R = TypeVar("R", bound="Record")


class Record:
    """A row of a claims table as a dataclass: its fields are the table's columns."""

    contract_no: str

    @classmethod
    def from_row(cls: type[R], row: dict) -> R:
        return cls(**{f.name: row[f.name] for f in fields(cls)})

    def to_row(self, tenant: str) -> dict[str, Any]:
        return {"tenant": tenant, **{f.name: getattr(self, f.name) for f in fields(self)}}

    def changed(self: R, **changes: Any) -> R:
        return replace(self, **changes)


@dataclass(kw_only=True)
class Dossier(Record):
    """A claims dossier (expediente): the non-payments of one debtor of the policy, and what
    Cesce covered, indemnified and recovered of them, summed."""

    dossier_no: int
    endorsement_no: int
    customer_reference: str | None = None
    status_code: str
    opening_date: date | None
    status_date: date | None
    closing_date: date | None = None
    cover_pct: Amount = 0
    unpaid_amount: Amount = 0
    covered_amount: Amount = 0
    not_covered_amount: Amount = 0
    indemnifiable_amount: Amount = 0
    non_indemnifiable_amount: Amount = 0
    indemnified_amount: Amount = 0
    recovered_amount: Amount = 0
    cesce_recovered_amount: Amount = 0
    insured_recovered_amount: Amount = 0
    contract_no: str = field(default="", metadata=INTERNAL)


@dataclass(kw_only=True)
class NonPayment(Record):
    """A non-payment (impago) declared on a sale, and Cesce's cover analysis of it."""

    dossier_no: int
    internal_no: int
    sale_cesce_reference_no: int
    invoice_no: str
    invoice_date: date | None
    maturity_date: date | None
    unpaid_amount: Amount
    declaration_date: date | None
    status_code: str
    analysis_type_code: str
    analysis_date: date | None = None
    credit_limit_applied: Amount = 0
    covered_amount: Amount = 0
    not_covered_amount: Amount = 0
    indemnifiable_amount: Amount = 0
    non_indemnifiable_amount: Amount = 0
    interest_amount: Amount = 0
    settlement_no: int | None = None
    contract_no: str = field(default="", metadata=INTERNAL)


@dataclass(kw_only=True)
class Document(Record):
    """A document Cesce asks for (of one non-payment, or of the dossier as a whole), and what the
    insured sent: its file's name, type, size and SHA-256 (the bytes themselves are not kept)."""

    document_no: int
    dossier_no: int
    internal_no: int | None = None
    document_type_code: str
    status_code: str
    request_date: date | None
    deadline_date: date | None
    status_date: date | None
    file_name: str | None = None
    content_type: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    rejection_reason: str | None = None
    contract_no: str = field(default="", metadata=INTERNAL)


@dataclass(kw_only=True)
class Settlement(Record):
    """A settlement (liquidación): what Cesce pays of a dossier's indemnifiable non-payments."""

    settlement_no: int
    dossier_no: int
    settlement_status_code: str
    settlement_date: date | None
    payment_date: date | None = None
    amt_prin_indemnified: Amount = 0
    amt_int_indemnified: Amount = 0
    currency_code: str | None = "EUR"
    contract_no: str = field(default="", metadata=INTERNAL)


@dataclass(kw_only=True)
class Recovery(Record):
    """An amount Cesce recovered from the debtor, and how it is shared."""

    dossier_no: int
    recovery_no: int
    recovery_date: date | None
    recovered_amount: Amount
    cesce_amount: Amount
    insured_amount: Amount
    contract_no: str = field(default="", metadata=INTERNAL)


@dataclass(kw_only=True)
class Step(Record):
    """A processing step or a recovery procedure of a dossier; ``reference`` names what it is
    about (a documentNo, a settlementNo, an internalNo)."""

    dossier_no: int
    step_no: int
    step_code: str
    step_date: date | None
    reference: str | None = None
    kind: str = field(default=PROCESSING, metadata=INTERNAL)
    contract_no: str = field(default="", metadata=INTERNAL)


@dataclass(kw_only=True)
class UnpaidSettled:
    """A non-payment as a settlement pays it (unpaid-settlements)."""

    settlement_no: int
    dossier_no: int
    internal_no: int
    sale_cesce_reference_no: int
    invoice_no: str
    maturity_date: date | None
    unpaid_amount: Amount
    amt_prin_indemnified: Amount
    amt_int_indemnified: Amount


@dataclass(kw_only=True)
class PendingDate:
    """A non-payment still to be settled: what it waits for, and the date Cesce expects to take
    the next step ("0" when the insured is the one to act)."""

    dossier_no: int
    internal_no: int
    pending_amount: Amount
    pending_reason_code: str
    expected_date: date | None
