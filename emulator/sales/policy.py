"""What a policy (contract) says of its sales, as the ``sales`` block of a policy in
mocks/policies.yaml declares it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from emulator.wire import Amount, parse_amount

#: Factoring kinds: "none", "with-recourse" (con responsabilidad), "without-recourse".
NO_FACTORING, WITH_RECOURSE = "none", "with-recourse"
#: The supplements a policy may have contracted.
ABONOS, ENDOSOS = "Abonos", "Endosos"


@dataclass(frozen=True)
class Subsidiary:
    subsidiary_no: str
    subsidiary_name: str
    country_code: str
    tax_code: str
    #: The last day it belongs to the policy (None: it still does).
    until: date | None = None

    def active(self, day: date) -> bool:
        return self.until is None or day <= self.until


@dataclass(frozen=True)
class SalesPolicy:
    #: Rule 2: days of the month in which the sales of two months back may still change.
    grace_days: int
    supplements: frozenset[str]
    factoring: str
    subsidiaries: tuple[Subsidiary, ...]
    premium_rate: Amount  # hundredths of a percent of the amount: 25 is 0.25 %
    #: Days from invoice to maturity a limit covers when it grants no payment terms of its own.
    max_payment_terms: int
    #: Days an extension may move a maturity.
    max_extension_days: int

    @classmethod
    def of(cls, doc: dict) -> SalesPolicy:
        """The sales settings of a policy document (read once per distinct document)."""
        return _parsed(_frozen(doc["sales"]))

    @property
    def factoring_policy(self) -> bool:
        return self.factoring != NO_FACTORING

    def premium(self, amount: Amount) -> Amount:
        """The premium Cesce accrues on ``amount`` (negative for a credit note)."""
        value = Decimal(amount) * self.premium_rate / 10000
        return int(value.quantize(Decimal(1), ROUND_HALF_UP))

    def subsidiary(self, number: str, day: date) -> Subsidiary | None:
        """The policy's subsidiary ``number`` if it is active on ``day``."""
        return next((s for s in self.subsidiaries if s.subsidiary_no == number and s.active(day)), None)


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


@cache
def _parsed(items: tuple) -> SalesPolicy:
    doc = dict(items)
    return SalesPolicy(
        grace_days=doc["graceDays"],
        supplements=frozenset(doc.get("supplements", ())),
        factoring=doc["factoring"],
        subsidiaries=tuple(_subsidiary(dict(entry)) for entry in doc.get("subsidiaries", ())),
        premium_rate=parse_amount(doc["premiumRate"]),
        max_payment_terms=doc["maxPaymentTerms"],
        max_extension_days=doc["maxExtensionDays"],
    )


def _subsidiary(entry: dict) -> Subsidiary:
    return Subsidiary(entry["subsidiaryNo"], entry["subsidiaryName"], entry["countryCode"], entry["taxCode"],
                      date.fromisoformat(entry["until"]) if "until" in entry else None)
