"""The sale record, in the field order of the wire, and the code tables it takes its statuses and
reasons from: tables 1 and 2 of the Sales Sandbox Model for sales, 3 and 4 for extended sales."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from emulator.clock import today
from emulator.sandbox_model import SandboxModel
from emulator.wire import Amount, record_text

INTERNAL = {"internal": True}

#: The code tables of mocks/codes/ the sales area reads: sale statusCode and reasonStatusCode
#: (tables 1 and 2), and the same for extended sales (tables 3 and 4).
STATUSES, REASONS = "sale-statuses", "sale-reasons"
EXTENSION_STATUSES, EXTENSION_REASONS = "extension-statuses", "extension-reasons"
TABLES = (STATUSES, REASONS, EXTENSION_STATUSES, EXTENSION_REASONS)

#: Statuses (keys shared by tables 1 and 3) in which a sale is in force: it counts among the
#: debtor's positive sales a credit note offsets.
IN_FORCE = frozenset({"rated", "certified", "securitised", "rerating"})
#: Rules 4 and 6: statuses in which a sale cannot be modified.
UNMODIFIABLE = frozenset({"pending", "certified", "securitised", "cancelled", "extended", "rerating"})
#: The reasons a status takes when nothing more precise is said.
DEFAULT_REASON = {
    "pending": "pending-limit", "rated": "rated", "certified": "certified", "securitised": "securitised",
    "extended": "extended", "rejected": "no-credit", "cancelled": "cancelled", "rerating": "pending-rerating",
}


@dataclass(kw_only=True)
class Sale:
    """A declared sale (or an extended sale, which names the sale it extends), as the sale query,
    the sales list and every sales answer show it."""

    sale_cesce_reference_no: int
    endorsement_no: int
    customer_reference: str | None = None
    subsidiary_no: str = "0"
    invoice_no: str
    invoice_date: date | None
    acquisition_date: date | None = None
    maturity_date: date | None
    currency_code: str | None = "EUR"
    currency_amount: Amount
    payment_method_code: str | None = None
    payment_terms: str | None = None
    tax_code_transferor: str | None = None
    status_code: str
    reason_status_code: str
    accrued_premium: Amount = 0
    #: An extended sale: the part of the original invoice still unpaid that it covers.
    maturity_amount: Amount = 0
    original_sale_cesce_reference_no: int | None = None
    collected_amount: Amount = 0
    collection_date: date | None = None
    declaration_date: date | None = None
    status_date: date | None = None
    contract_no: str = field(default="", metadata=INTERNAL)
    #: The last change of any kind: what the sales list's "moved in the last 48 hours" reads.
    changed_at: datetime | None = field(default=None, metadata=INTERNAL)

    @classmethod
    def from_row(cls, row: dict) -> Sale:
        return cls(**{name: row[_COLUMNS.get(name, name)] for name in _NAMES})

    def to_row(self, tenant: str) -> dict:
        """The sale's row of ``sales``, with its wire text (what the sales list places as it is)."""
        return {"tenant": tenant, **{_COLUMNS.get(name, name): getattr(self, name) for name in _NAMES},
                "wire": record_text(self)}

    def changed(self, **changes) -> Sale:
        return replace(self, **changes)

    @property
    def extension(self) -> bool:
        return self.original_sale_cesce_reference_no is not None

    @property
    def credit_note(self) -> bool:
        return self.currency_amount < 0

    def sale_date(self, factoring: bool) -> date:
        """The date the windows and the cover are judged on: the acquisition date on a factoring
        policy, the invoice date otherwise (the guide's "fecha factura/adquisición")."""
        return self.acquisition_date if factoring and self.acquisition_date else self.invoice_date

    def owed(self) -> Amount:
        """What is still to be collected: of the unpaid part an extended sale covers, or of the
        invoice."""
        return (self.maturity_amount if self.extension else self.currency_amount) - self.collected_amount


_NAMES = tuple(f.name for f in fields(Sale))
#: Columns whose names are shorter than the wire's.
_COLUMNS = {"sale_cesce_reference_no": "sale_no", "original_sale_cesce_reference_no": "original_sale_no"}


@dataclass(frozen=True)
class Outcome:
    """How Cesce rates a sale: a status and a reason (keys of its code tables) and the premium."""

    status: str
    reason: str
    premium: Amount = 0


def status_table(sale: Sale) -> str:
    return EXTENSION_STATUSES if sale.extension else STATUSES


def reason_table(sale: Sale) -> str:
    return EXTENSION_REASONS if sale.extension else REASONS


def status_key(model: SandboxModel, sale: Sale) -> str:
    """The status of a sale as a key of its table ("rated")."""
    return model.codes[status_table(sale)].key(sale.status_code)


def settle(model: SandboxModel, sale: Sale, outcome: Outcome, at: datetime) -> Sale:
    """The sale once ``outcome`` is what Cesce says of it, at ``at``: a movement."""
    changed_status = sale.status_code != model.codes[status_table(sale)].code(outcome.status)
    return sale.changed(
        status_code=model.codes[status_table(sale)].code(outcome.status),
        reason_status_code=model.codes[reason_table(sale)].code(outcome.reason),
        accrued_premium=outcome.premium,
        status_date=today(at) if changed_status or sale.status_date is None else sale.status_date,
        changed_at=at,
    )
