"""What the strategies of every area share: the values of the wire format (amounts, dates,
numbers, countries, tax codes, references, languages), the ``client`` block of a body, the
``InvalidRequest`` a rule-breaking strategy draws and the malformed values it sends."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contract_tests import document
from emulator.wire import format_amount, format_date

#: The largest amount the wire format carries: 13 integer digits, in hundredths.
MAX_AMOUNT = 10**15 - 1
#: Endorsement numbers from 300000 are pending requests on known debtors ("300xxx").
PENDING_REQUESTS_FROM = 300_000
#: Countries a debtor is drawn from. Cesce has no online financial data for some (see
#: mocks/companies.yaml), and a request on one of them waits EN TRÁMITE.
COUNTRIES = ("ES", "PT", "FR", "DE", "IT", "GB", "NL", "BE", "US", "MX", "MA", "CN", "CU", "VE")


# -- wire values ------------------------------------------------------------------------


def amounts(min_value: int = 0, max_value: int = MAX_AMOUNT) -> st.SearchStrategy[str]:
    """Amounts in the wire format, "25000,00", between ``min_value`` and ``max_value``
    hundredths (2500000 is "25000,00"; negative values give "-150,50")."""
    return st.integers(min_value, max_value).map(format_amount)


def dates(min_value: date = date(2000, 1, 1), max_value: date = date(2099, 12, 31),
          allow_none: bool = False) -> st.SearchStrategy[str]:
    """Dates in the wire format, "20260115"; with ``allow_none`` also "0", Cesce's no-date."""
    days = st.dates(min_value, max_value).map(format_date)
    return (days | st.just(format_date(None))) if allow_none else days


def contract_numbers() -> st.SearchStrategy[str]:
    """Contract (policy) numbers: up to 11 digits, modality included."""
    return st.from_regex(r"[0-9]{1,11}", fullmatch=True)


def country_codes() -> st.SearchStrategy[str]:
    """ISO 3166-1 alpha-2 country codes of debtors (``COUNTRIES``)."""
    return st.sampled_from(COUNTRIES)


def tax_codes() -> st.SearchStrategy[str]:
    """Tax codes: 1 to 20 letters, digits and hyphens, mostly Spanish-looking ("B12345678")."""
    return st.from_regex(r"[ABG][0-9]{8}", fullmatch=True) | st.from_regex(r"[0-9A-Za-z-]{1,20}", fullmatch=True)


def customer_references() -> st.SearchStrategy[str]:
    """The insured's own codes for debtors: 1 to 50 characters, no blank at either end and no
    line break."""
    # Control characters, separators and the byte-order mark are blanks to some readers.
    ends = st.characters(codec="utf-8", exclude_categories=("Cc", "Zs", "Zl", "Zp"), exclude_characters="\ufeff")
    inner = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Zl", "Zp")), max_size=48)
    return ends | st.tuples(ends, inner, ends).map("".join)


def endorsement_numbers(max_value: int = PENDING_REQUESTS_FROM - 1) -> st.SearchStrategy[str]:
    """Endorsement numbers (números de suplemento) of debtors, "1" to "299999" by default; up to
    "999999" to include pending 300xxx requests."""
    return st.integers(1, max_value).map(str)


def language_codes() -> st.SearchStrategy[str]:
    """The languages of errorDescription: "ES" (Cesce's default) or "EN"."""
    return st.sampled_from(document.document()["components"]["schemas"]["LanguageCode"]["enum"])


def clients() -> st.SearchStrategy[dict[str, str]]:
    """The ``client`` block of a request body: languageCode, sometimes absent."""
    return st.fixed_dictionaries({}, optional={"languageCode": language_codes()})


@dataclass(frozen=True)
class InvalidRequest:
    """A request body that breaks exactly one rule.

    ``field`` is where, as a dotted path ("debtor.companyName"); ``status`` is the HTTP status
    Cesce answers it with (400; 500 for a blank nonPaymentInd, as Cesce documents); ``error``
    is the key of the emulator's business error for it in mocks/codes/errors.yaml, where its
    errorCode and texts are. A rule of Cesce's sales or claims also says the operation to send
    it to (``operation_id``), the requests (operationId, body) to send first for the rule to
    apply (``setup``: the first declaration of a duplicate), and, for a sale Cesce takes and
    rejects (201 with statusCode 9), the reason of mocks/codes/sale-reasons.yaml instead of an
    error; a non-payment declaration, the path parameters to send it with (``params``: its
    dossierNo).
    """

    body: dict
    rule: str
    field: str
    status: int
    error: str | None
    operation_id: str = ""
    setup: tuple[tuple[str, dict], ...] = ()
    reason: str | None = None
    params: dict[str, str] = dataclass_field(default_factory=dict)

    @property
    def name(self) -> str:
        """The field's own name, as an errorDescription names it ("companyName")."""
        return self.field.rsplit(".", 1)[-1]


def malformed_amounts() -> st.SearchStrategy[Any]:
    """Amounts not in the wire format "1234,56": a decimal point, a thousands separator, one or
    no decimal, a JSON number, a currency sign, words. The lenient emulator reads the first few
    ("1234.5", "1234", 1234.5) and notes them in the journal; Cesce refuses them all."""
    number = st.integers(0, 10**9)
    return st.one_of(
        number.map(lambda n: f"{n}.{n % 100:02d}"),                    # "1234.56"
        number.map(lambda n: f"{n}"),                                   # "1234"
        number.map(lambda n: f"{n},{n % 10}"),                          # "1234,5"
        st.integers(1000, 10**9).map(lambda n: f"{n:,}".replace(",", ".") + ",00"),  # "1.234,00"
        st.floats(0, 1e9, allow_nan=False, allow_infinity=False),      # 1234.56 as a JSON number
        number.map(lambda n: f"{n},00 €"),
        st.sampled_from(["", "abc", "1,2,3", "--1,00", "1e3"]),
    )


def malformed_dates() -> st.SearchStrategy[Any]:
    """Dates not in the wire format "yyyyMMdd" (or "0"): ISO "2026-01-15", "15/01/2026", a JSON
    number, a date that does not exist ("20260230"), a timestamp. The lenient emulator reads ISO
    dates and numbers and notes them in the journal; Cesce refuses them all."""
    day = st.dates(date(2000, 1, 1), date(2099, 12, 31))
    return st.one_of(
        day.map(date.isoformat),
        day.map(lambda d: d.strftime("%d/%m/%Y")),
        day.map(lambda d: int(d.strftime("%Y%m%d"))),
        day.map(lambda d: d.isoformat() + "T00:00:00Z"),
        st.sampled_from(["20260230", "20261301", "00000000", "2026011", "", "null"]),
    )


# -- inside the strategies ----------------------------------------------------------------


def _or(given: st.SearchStrategy | None, default: st.SearchStrategy) -> st.SearchStrategy:
    return default if given is None else given


def _parent(body: dict, path: tuple[str, ...]) -> dict:
    for key in path[:-1]:
        body = body.setdefault(key, {})
    return body


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return value


@cache
def _model():
    from emulator.sandbox_model import SandboxModel

    return SandboxModel()


def _policies() -> dict:
    return _model().policies


def _hundredths(amount: str) -> int:
    return int(amount.replace(",", ""))
