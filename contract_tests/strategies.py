"""Hypothesis strategies for everything a Cesce client sends and everything a test sets up.

- Wire values: ``amounts``, ``dates``, ``contract_numbers``, ``country_codes``, ``tax_codes``,
  ``customer_references``, ``endorsement_numbers``, ``language_codes``.
- Requests the API accepts, one strategy per body and query: ``token_requests``,
  ``classification_requests`` (``new_debtor_classifications``, ``known_debtor_classifications``),
  ``cancel_requests``, ``activate_deactivate_requests``, ``accept_deny_premium_requests``,
  ``classification_queries``, ``page_queries``; ``request_bodies(operation_id)`` and
  ``queries(operation_id)`` find them by the OpenAPI document's operationId.
- Sales requests: ``sale_requests``, ``sale_modifications``, ``sale_queries``,
  ``sales_list_queries``, ``extension_requests``, ``collection_requests``,
  ``subsidiaries_queries``; their values ``invoice_numbers``, ``sale_references``,
  ``invoice_months`` and ``sale_identifications``.
- Requests that break one rule each: ``invalid_requests(operation_id, rule)`` draws an
  ``InvalidRequest`` (the body, the rule, the field, the answer to expect) for the rules of the
  document (lengths, formats, required and unknown fields), ``invalid_sales(rule, known)`` for
  the rules of Cesce's sales (both debtor identifiers, a duplicate, a credit note without the
  Abonos supplement, a maturity changed outside the modification window), and
  ``malformed_amounts`` and ``malformed_dates`` draw values in the wrong format.
- Worlds to seed through /_emulator/scenarios (``scenarios``, ``portfolios``, ``debtors``: the
  ``scenario`` definition of emulator/schemas/sandbox-model.yaml) and what Cesce does on its side
  (``cesce_events(contract)``: bodies of POST /_emulator/events that apply to that contract).

Formats come from emulator.wire and lengths, required fields and the fields in each format from
the OpenAPI document (contract_tests.document), so what is drawn is what the emulator reads.
Valid requests are valid in the emulator's strict mode; the dev, pre and pro catalogs accept
any of them for any contract (the sandbox catalog only for its mock data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contract_tests import document
from emulator.risks.records import DECISIONS, DETAILS, STATUSES
from emulator.sales.records import STATUSES as SALE_STATUSES
from emulator.wire import camel, format_amount, format_date, parse_date

#: The largest amount the wire format carries: 13 integer digits, in hundredths.
MAX_AMOUNT = 10**15 - 1
#: Endorsement numbers from 300000 are pending requests on known debtors ("300xxx").
PENDING_REQUESTS_FROM = 300_000
#: Countries a debtor is drawn from. Cesce has no online financial data for some (see
#: mocks/companies.yaml), and a request on one of them waits EN TRÁMITE.
COUNTRIES = ("ES", "PT", "FR", "DE", "IT", "GB", "NL", "BE", "US", "MX", "MA", "CN", "CU", "VE")
#: The rules of the document ``invalid_requests`` breaks.
RULES = ("too-long", "blank", "amount-format", "date-format", "missing", "unknown-field")
#: The rules of Cesce's sales ``invalid_sales`` breaks.
SALE_RULES = ("both-identifiers", "duplicate", "credit-note-without-abonos", "maturity-outside-window")
#: Free-text fields of a classification request, as the maximum-length table names them.
_DETAILS = tuple(camel(name) for name in DETAILS)


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


# -- valid requests -----------------------------------------------------------------------


def token_requests(client_ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """Form fields of a password-grant token request (POST oauth2/v1/token), with a scope among
    read, create, update and delete or none (all four)."""
    scopes = st.lists(st.sampled_from(("read", "create", "update", "delete")), min_size=1, unique=True).map(" ".join)
    ids = _or(client_ids, st.from_regex(r"[A-Za-z0-9._-]{1,40}", fullmatch=True))
    printable = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=40)
    return st.fixed_dictionaries(
        {"grant_type": st.just("password"), "client_id": ids, "client_secret": printable,
         "username": printable, "password": printable},
        optional={"scope": scopes},
    )


def debtor_identifications(known: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """One of the three ways to name a debtor: {"endorsementNo"}, {"customerReference"} or
    {"countryCode", "taxCode"}. With ``known``, a strategy of debtor records (from a portfolio
    page, a scenario's debtors, mocks/contracts.yaml), the debtor named is one of them, by a way
    its record allows; otherwise the identifiers are drawn at random."""
    if known is None:
        return st.one_of(
            st.fixed_dictionaries({"endorsementNo": endorsement_numbers()}),
            st.fixed_dictionaries({"customerReference": customer_references()}),
            st.fixed_dictionaries({"countryCode": country_codes(), "taxCode": tax_codes()}),
        )
    return st.tuples(known, st.sampled_from(_IDENTIFIERS)).map(_identification)


def new_debtor_classifications(max_requested: int = MAX_AMOUNT) -> st.SearchStrategy[dict]:
    """Bodies of POST classifications for a debtor the contract does not have yet: countryCode
    and taxCode, maybe a customerReference, the amount asked for (up to ``max_requested``
    hundredths), whether unpaid debts are known (nonPaymentInd Y brings nonPaymentAmount), and
    some of the company's details, each within Cesce's maximum length."""
    debtor = st.fixed_dictionaries(
        {"countryCode": country_codes(), "taxCode": tax_codes(), "creditLimitRequested": amounts(1, max_requested)},
        optional={"customerReference": customer_references(), "currencyCode": st.just("EUR"),
                  "paymentTermsRequested": st.integers(1, 360).map(str), **_details()},
    )
    return st.builds(_with_payment_record, clients(), debtor, _non_payment())


def known_debtor_classifications(known: st.SearchStrategy[dict] | None = None,
                                 max_requested: int = MAX_AMOUNT) -> st.SearchStrategy[dict]:
    """Bodies of POST classifications asking a new limit (up to ``max_requested`` hundredths)
    for a debtor the contract has, named as ``debtor_identifications(known)`` names it."""
    debtor = st.builds(lambda ids, amount: {**ids, "creditLimitRequested": amount},
                       debtor_identifications(known), amounts(1, max_requested))
    return st.builds(_with_payment_record, clients(), debtor, _non_payment())


def classification_requests() -> st.SearchStrategy[dict]:
    """Bodies of POST classifications: for a new debtor or for a known one."""
    return new_debtor_classifications() | known_debtor_classifications()


def cancel_requests(known: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Bodies of POST classifications/cancel: the debtor whose limit to annul (one of ``known``'s,
    as ``debtor_identifications`` names it)."""
    return st.builds(_body, clients(), debtor_identifications(known))


def activate_deactivate_requests(known: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Bodies of POST classifications/activate-deactivate: the debtor and activateInd Y (switch
    the PPC cover on) or N (off)."""
    return st.builds(lambda client, ids, on: _body(client, {**ids, "activateInd": on}),
                     clients(), debtor_identifications(known), st.sampled_from(("Y", "N")))


def accept_deny_premium_requests(known: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Bodies of POST classifications/accept-deny-premium: the debtor and acceptPremiumInd Y
    (accept the PPC cover's premium) or N (deny it)."""
    return st.builds(lambda client, ids, accept: _body(client, {**ids, "acceptPremiumInd": accept}),
                     clients(), debtor_identifications(known), st.sampled_from(("Y", "N")))


def classification_queries(known: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Query parameters of GET classifications: the debtor (one of ``known``'s), and maybe
    languageCode."""
    return st.builds(lambda language, ids: {**language, **ids},
                     st.fixed_dictionaries({}, optional={"languageCode": language_codes()}),
                     debtor_identifications(known))


def page_queries(next_endorsement_numbers: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict]:
    """Query parameters of GET portfolio and GET movements: maybe languageCode, and maybe the
    nextEndorsementNo a previous page gave ("0", or absent, for the first page)."""
    starts = _or(next_endorsement_numbers, st.just("0") | endorsement_numbers(999_999))
    return st.fixed_dictionaries({}, optional={"languageCode": language_codes(), "nextEndorsementNo": starts})


# -- sales ----------------------------------------------------------------------------------


def invoice_numbers() -> st.SearchStrategy[str]:
    """Invoice numbers of the insured's books: 1 to 30 characters, no blank at either end and no
    line break, mostly "FRA-2026-000123"-like."""
    ends = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters="\ufeff")
    inner = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=28)
    return st.from_regex(r"[A-Z]{1,4}-20[0-9]{2}-[0-9]{6}", fullmatch=True) | ends | st.tuples(ends, inner, ends).map("".join)


def sale_references() -> st.SearchStrategy[str]:
    """saleCesceReferenceNo values: Cesce's reference of a sale, "1" to "999999999999"."""
    return st.integers(1, 10**12 - 1).map(str)


def invoice_months(min_value: date = date(2000, 1, 1), max_value: date = date(2099, 12, 31)) -> st.SearchStrategy[str]:
    """Invoice months as the sales list's filter takes them: "yyyyMM"."""
    return st.dates(min_value, max_value).map(lambda day: f"{day.year:04d}{day.month:02d}")


def sale_requests(known: st.SearchStrategy[dict] | None = None, factoring: str = "none",
                  credit_notes: bool = False, invoiced: tuple[date, date] = (date(2000, 1, 1), date(2099, 9, 30)),
                  ) -> st.SearchStrategy[dict]:
    """Bodies of POST sales: the debtor by endorsementNo or customerReference (exactly one; of
    ``known``'s records when given), the invoice (number, date between ``invoiced``, a maturity 0
    to 90 days later, an amount, negative too with ``credit_notes``), sometimes the currency, the
    head office as subsidiaryNo and payment terms; with ``factoring`` "with-recourse" or
    "without-recourse", the acquisition date (and the assignor's tax code with recourse) that
    such a policy requires."""
    amount = amounts(1, 10**9) | (amounts(-10**9, -1) if credit_notes else st.nothing())
    optional = {"currencyCode": st.just("EUR"), "subsidiaryNo": st.just("0"), "paymentTerms": st.integers(1, 360).map(str)}
    drawn = st.fixed_dictionaries({"invoiceNo": invoice_numbers(), "invoiceDate": st.dates(*invoiced),
                                   "days": st.integers(0, 90), "acquired": st.integers(0, 5), "currencyAmount": amount,
                                   "taxCodeTransferor": tax_codes()}, optional=optional)

    def body(client: dict, debtor: dict, fields: dict) -> dict:
        fields = dict(fields)
        invoice, days, acquired = fields.pop("invoiceDate"), fields.pop("days"), fields.pop("acquired")
        transferor = fields.pop("taxCodeTransferor")
        sale = {**debtor, **fields, "invoiceDate": format_date(invoice),
                "maturityDate": format_date(invoice + timedelta(days=days))}
        if factoring != "none":
            sale["acquisitionDate"] = format_date(invoice + timedelta(days=min(acquired, days)))
        if factoring == "with-recourse":
            sale["taxCodeTransferor"] = transferor
        return _sale_body(client, sale)

    return st.builds(body, clients(), _sale_debtors(known), drawn)


def sale_identifications(sales: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """The two ways to name a sale: {"saleCesceReferenceNo"} or {"invoiceNo", "maturityDate"}.
    With ``sales``, a strategy of sale records (from a sales list, an answer, mocks/), the sale
    named is one of them; otherwise the values are drawn at random."""
    if sales is None:
        return st.one_of(st.fixed_dictionaries({"saleCesceReferenceNo": sale_references()}),
                         st.fixed_dictionaries({"invoiceNo": invoice_numbers(), "maturityDate": dates()}))
    return st.tuples(sales, st.booleans()).map(
        lambda drawn: {"saleCesceReferenceNo": drawn[0]["saleCesceReferenceNo"]} if drawn[1]
        else {"invoiceNo": drawn[0]["invoiceNo"], "maturityDate": drawn[0]["maturityDate"]})


def sale_modifications(sales: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Bodies of POST sale: the sale (one of ``sales``'s, as ``sale_identifications`` names it)
    and one or more new values among those a modification can change."""
    changes = st.fixed_dictionaries({}, optional={
        "invoiceNo": invoice_numbers(), "currencyAmount": amounts(1, 10**9), "invoiceDate": dates(),
        "maturityDate": dates(), "endorsementNo": endorsement_numbers()}).filter(bool)
    return st.builds(lambda client, sale, change: _sale_body(client, sale, modification=change),
                     clients(), sale_identifications(sales), changes)


def sale_queries(sales: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Query parameters of GET sale: the sale (one of ``sales``'s), and maybe languageCode."""
    return st.builds(lambda language, ids: {**language, **ids},
                     st.fixed_dictionaries({}, optional={"languageCode": language_codes()}), sale_identifications(sales))


def sales_list_queries(known: st.SearchStrategy[dict] | None = None,
                       initial_values: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict]:
    """Query parameters of GET sales: any combination of a debtor (one of ``known``'s, by
    endorsementNo or customerReference), an invoice month, a statusCode of the sale statuses
    table and movementsInd; maybe languageCode, and maybe the initialValue a previous page gave
    ("" or absent for the first)."""
    return st.builds(lambda debtor, rest: {**debtor, **rest},
                     st.just({}) | _sale_debtors(known),
                     st.fixed_dictionaries({}, optional={
                         "languageCode": language_codes(), "invoiceMonth": invoice_months(),
                         "statusCode": st.sampled_from(sorted({entry["code"] for entry in _model().codes[SALE_STATUSES].values()})),
                         "movementsInd": st.sampled_from(("Y", "N")),
                         "initialValue": _or(initial_values, st.just("") | sale_references())}))


def extension_requests(sales: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Bodies of POST extensions: the sale to extend (one of ``sales``'s) and the extension: a
    new maturityDate (with ``sales``, 1 to 60 days after the sale's) and the maturityAmount
    (with ``sales``, up to what is still owed on it)."""
    if sales is None:
        extension = st.fixed_dictionaries({"maturityDate": dates(), "maturityAmount": amounts(1, 10**9)})
        return st.builds(lambda client, sale, ext: _sale_body(client, sale, extension=ext), clients(),
                         sale_identifications(), extension)

    def body(client: dict, sale: dict, days: int, share: int) -> dict:
        owed = _hundredths(sale["currencyAmount"]) - _hundredths(sale.get("collectedAmount", "0,00"))
        maturity = parse_date(sale["maturityDate"]) + timedelta(days=days)
        extension = {"maturityDate": format_date(maturity), "maturityAmount": format_amount(max(1, owed * share // 100))}
        return _sale_body(client, {"saleCesceReferenceNo": sale["saleCesceReferenceNo"]}, extension=extension)

    return st.builds(body, clients(), sales, st.integers(1, 60), st.integers(1, 100))


def collection_requests(sales: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[dict]:
    """Bodies of POST collections: the sale (one of ``sales``'s), the collectionDate (with
    ``sales``, its invoice date) and the collectionAmount (with ``sales``, up to what is still
    owed on it)."""
    if sales is None:
        return st.builds(lambda client, sale, day, amount: {"client": client, "sale": sale, "collectionDate": day,
                                                            "collectionAmount": amount},
                         clients(), sale_identifications(), dates(), amounts(1, 10**9))

    def body(client: dict, sale: dict, share: int) -> dict:
        owed = _hundredths(sale["currencyAmount"]) - _hundredths(sale.get("collectedAmount", "0,00"))
        return {"client": client, "sale": {"saleCesceReferenceNo": sale["saleCesceReferenceNo"]},
                "collectionDate": sale["invoiceDate"], "collectionAmount": format_amount(max(1, owed * share // 100))}

    return st.builds(body, clients(), sales, st.integers(1, 100))


def subsidiaries_queries() -> st.SearchStrategy[dict]:
    """Query parameters of GET subsidiaries: maybe languageCode."""
    return st.fixed_dictionaries({}, optional={"languageCode": language_codes()})


_BODIES = {
    "token": token_requests,
    "createClassification": classification_requests,
    "cancelClassification": cancel_requests,
    "activateDeactivateClassification": activate_deactivate_requests,
    "acceptDenyPremium": accept_deny_premium_requests,
    "createSale": sale_requests,
    "modifySale": sale_modifications,
    "createExtension": extension_requests,
    "createCollection": collection_requests,
}
_QUERIES = {"getClassification": classification_queries, "getPortfolio": page_queries, "getMovements": page_queries,
            "getSale": sale_queries, "getSales": sales_list_queries, "getSubsidiaries": subsidiaries_queries}


def request_bodies(operation_id: str) -> st.SearchStrategy[dict]:
    """The valid bodies of an operation, by the OpenAPI document's operationId
    ("createClassification", "cancelClassification", "token", ...)."""
    if operation_id not in _BODIES:
        raise ValueError(f"{operation_id} takes no body; operations with one: {', '.join(_BODIES)}")
    return _BODIES[operation_id]()


def queries(operation_id: str) -> st.SearchStrategy[dict]:
    """The valid query parameters of a GET operation, by operationId ("getPortfolio", ...)."""
    if operation_id not in _QUERIES:
        raise ValueError(f"{operation_id} takes no query; operations with one: {', '.join(_QUERIES)}")
    return _QUERIES[operation_id]()


# -- invalid requests ---------------------------------------------------------------------


@dataclass(frozen=True)
class InvalidRequest:
    """A request body that breaks exactly one rule.

    ``field`` is where, as a dotted path ("debtor.companyName"); ``status`` is the HTTP status
    Cesce answers it with (400; 500 for a blank nonPaymentInd, as Cesce documents); ``error``
    is the key of the emulator's business error for it in mocks/codes/errors.yaml, where its
    errorCode and texts are. A rule of Cesce's sales also says the operation to send it to
    (``operation_id``), the requests (operationId, body) to send first for the rule to apply
    (``setup``: the first declaration of a duplicate), and, for a sale Cesce takes and rejects
    (201 with statusCode 9), the reason of mocks/codes/sale-reasons.yaml instead of an error.
    """

    body: dict
    rule: str
    field: str
    status: int
    error: str | None
    operation_id: str = ""
    setup: tuple[tuple[str, dict], ...] = ()
    reason: str | None = None

    @property
    def name(self) -> str:
        """The field's own name, as an errorDescription names it ("companyName")."""
        return self.field.rsplit(".", 1)[-1]


_RULE_ERRORS = {"too-long": "field_too_long", "amount-format": "invalid_format", "date-format": "invalid_format",
                "missing": "missing_field", "unknown-field": "unknown_field", "blank": "blank_value"}


def invalid_requests(operation_id: str = "createClassification", rule: str | None = None) -> st.SearchStrategy[InvalidRequest]:
    """Bodies of a business operation that break one rule (any of ``RULES`` when ``rule`` is
    None), each an ``InvalidRequest``:

    - "too-long": a field one or more characters over its maximum length;
    - "blank": a field Cesce answers blank with a server error (nonPaymentInd: " " -> 500);
    - "amount-format": an amount field in another format (``malformed_amounts``);
    - "date-format": a date field in another format (``malformed_dates``; a day that does not
      exist, such as 20260230, is the error nonexistent_date);
    - "missing": a required field left out (the debtor block, creditLimitRequested, activateInd...);
    - "unknown-field": a field the operation does not have.

    Each body is otherwise valid, so the error names that field. A strict emulator (and Cesce)
    answers them all as ``status`` says; the lenient emulator takes an amount it can still read
    and ignores an unknown field, noting both in the journal.
    """
    if operation_id not in _BODIES or operation_id == "token":
        raise ValueError(f"{operation_id} is not a business operation with a body")
    rules = [r for r in RULES if rule in (None, r) and _targets(operation_id, r)]
    if rule is not None and rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}")
    if not rules:
        raise ValueError(f"{operation_id} has no field that can break the rule {rule!r}")
    return st.sampled_from(rules).flatmap(lambda chosen: _breaking(operation_id, chosen))


def invalid_sales(rule: str | None = None, known: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[InvalidRequest]:
    """Sales requests that break one rule of Cesce's sales (any of ``SALE_RULES`` when ``rule``
    is None), each an ``InvalidRequest`` to send, after its ``setup``, to its ``operation_id``:

    - "both-identifiers": a declaration naming its debtor by endorsementNo and by
      customerReference: refused, and nothing stored;
    - "duplicate": a declaration sent a second time (the first is its setup): refused;
    - "credit-note-without-abonos": a credit note (a negative amount) on a policy without the
      Abonos supplement: taken, and RECHAZADA with that reason;
    - "maturity-outside-window": a modification of the maturity of a sale invoiced years ago
      (declared by its setup): refused, naming maturityDate.

    ``known``: debtor records (with endorsementNo and customerReference) of a contract whose
    policy has no Abonos; every rule but "both-identifiers" needs one of them to declare a sale
    on."""
    rules = [r for r in SALE_RULES if rule in (None, r)]
    if not rules:
        raise ValueError(f"unknown rule {rule!r}; rules: {', '.join(SALE_RULES)}")
    if known is None and rules != ["both-identifiers"]:
        raise ValueError("these rules declare a sale first: give the debtors it may name (known=...)")
    return st.sampled_from(rules).flatmap(lambda chosen: _breaking_sale(chosen, known))


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


# -- worlds and Cesce's side ------------------------------------------------------------


def debtors(policy: str | None = None) -> st.SearchStrategy[dict]:
    """Debtor entries of a scenario's contract: countryCode, taxCode, a status among those
    ``policy`` allows (the PPC statuses awaiting-premium and inactive only on a PPC policy), the
    amount requested, sometimes a smaller amount granted, how long ago it became what it is
    ("since"), and for a pending request when the committee decides ("resolveIn"). Some firm
    debtors have a pendingRequest of their own (a 300xxx request)."""
    return st.sampled_from(_statuses(policy)).flatmap(_debtor)


def portfolios(contract_no: st.SearchStrategy[str] | None = None, policy: str | None = None,
               max_debtors: int = 15) -> st.SearchStrategy[dict]:
    """A contract of a scenario with its portfolio: contractNo, a policy of mocks/policies.yaml
    (``policy``, or any), and up to ``max_debtors`` distinct debtors, each with its own
    endorsementNo, taxCode and customerReference."""
    policies = st.just(policy) if policy else st.sampled_from(sorted(_policies()))
    return st.tuples(_or(contract_no, contract_numbers()), policies).flatmap(
        lambda pair: st.builds(_contract, st.just(pair[0]), st.just(pair[1]),
                               st.lists(debtors(pair[1]), max_size=max_debtors, unique_by=(lambda d: d["taxCode"],)),
                               st.lists(endorsement_numbers(), min_size=max_debtors, max_size=max_debtors, unique=True)))


def scenarios(max_contracts: int = 3, max_debtors: int = 15) -> st.SearchStrategy[dict]:
    """Scenario documents (POST /_emulator/scenarios, or a file in fixtures/): a description,
    maybe a frozen clock, and up to ``max_contracts`` contracts with distinct numbers."""
    clock = st.datetimes(min_value=_DATETIME_MIN, max_value=_DATETIME_MAX).map(
        lambda moment: {"set": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "freeze": True})
    return st.fixed_dictionaries(
        {"description": st.just("generated by contract_tests.strategies.scenarios"),
         "contracts": st.lists(portfolios(max_debtors=max_debtors), min_size=1, max_size=max_contracts,
                               unique_by=lambda contract: contract["contractNo"])},
        optional={"clock": clock},
    )


def cesce_events(contract: dict) -> st.SearchStrategy[list[dict]]:
    """What Cesce does on its side to a contract seeded from ``contract`` (a ``portfolios``
    document): bodies of POST /_emulator/events, at most one event per debtor, each one the
    emulator carries out. A pending request is resolved (as the committee would, granted an
    amount, or rejected); a limit in force is reduced below what was granted, or cancelled."""
    options = [event for debtor in contract.get("debtors", [])
               if (event := _event_for(contract["contractNo"], debtor)) is not None]
    if not options:
        return st.just([])
    chosen = st.lists(st.sampled_from(range(len(options))), unique=True)
    return chosen.flatmap(lambda indexes: st.tuples(*(options[i] for i in indexes)).map(list))


def events() -> st.SearchStrategy[dict]:
    """Any event the operator surface's schema accepts (emulator/schemas/operator.yaml), whether
    or not the tenant has the debtor it names: for fuzzing /_emulator/events itself."""
    base = {"contractNo": contract_numbers(), "endorsementNo": endorsement_numbers(999_999)}
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("resolve"), **base},
                              optional={"decision": st.sampled_from(("grant", "reject")), "amount": amounts()}),
        st.fixed_dictionaries({"type": st.just("reduce"), **base, "amount": amounts()}),
        st.fixed_dictionaries({"type": st.just("cancel"), **base}),
    )


# -- inside the strategies ----------------------------------------------------------------


_IDENTIFIERS = (("endorsementNo",), ("customerReference",), ("countryCode", "taxCode"))


def _identification(drawn: tuple[dict, tuple[str, ...]]) -> dict[str, str]:
    record, way = drawn
    for names in (way, *_IDENTIFIERS):  # the way drawn, or the first the record allows
        if all(record.get(name) for name in names):
            return {name: record[name] for name in names}
    raise ValueError(f"a known debtor needs an endorsementNo, customerReference or countryCode and taxCode: {record}")


def _or(given: st.SearchStrategy | None, default: st.SearchStrategy) -> st.SearchStrategy:
    return default if given is None else given

_DATETIME_MIN, _DATETIME_MAX = datetime(2020, 1, 1), datetime(2035, 12, 31)
_LIVE = ("in-force", "awaiting-premium", "inactive")
#: The decisions (mocks/codes/decisions.yaml) that can explain a status, by their key's start.
_DECISIONS_FOR = {"in-force": ("granted", "reduced"), "awaiting-premium": ("granted",), "inactive": ("deactivated",),
                  "cancelled": ("cancelled", "premium-denied"), "rejected": ("rejected",), "pending": ("pending",)}


@cache
def _max_lengths() -> dict[str, int]:
    body = document.operation("createClassification").body
    return {path[-1]: schema["maxLength"] for path, schema in document.walk(body) if "maxLength" in schema}


def _details() -> dict[str, st.SearchStrategy[str]]:
    lengths = _max_lengths()
    text = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    return {name: st.text(text, min_size=1, max_size=lengths[name]) for name in _DETAILS}


def _non_payment() -> st.SearchStrategy[dict[str, str]]:
    return st.one_of(
        st.just({}),
        st.just({"nonPaymentInd": "N"}),
        st.just({"nonPaymentInd": "N", "nonPaymentAmount": format_amount(0)}),
        amounts(1, 10**10).map(lambda owed: {"nonPaymentInd": "Y", "nonPaymentAmount": owed}),
    )


def _with_payment_record(client: dict, debtor: dict, non_payment: dict) -> dict:
    return _body(client, {**debtor, **non_payment})


def _body(client: dict, debtor: dict) -> dict:
    return {"client": client, "debtor": debtor} if client else {"debtor": debtor}


def _targets(operation_id: str, rule: str) -> list[tuple[tuple[str, ...], dict]]:
    """The fields of an operation's body that ``rule`` can break."""
    body = document.operation(operation_id).body
    fields = list(document.walk(body))
    if rule == "too-long":
        return [(path, schema) for path, schema in fields if "maxLength" in schema]
    if rule == "blank":
        return [(path, {}) for path in document.blank_statuses(operation_id)]
    if rule == "amount-format":
        amounts_ = document.fields_in_format("amount")
        return [(path, schema) for path, schema in fields if path[-1] in amounts_ and schema.get("x-cesce-format") == "amount"]
    if rule == "date-format":
        return [(path, schema) for path, schema in fields if schema.get("x-cesce-format") == "date"]
    if rule == "missing":
        required = [((name,), {}) for name in body.get("required", [])]
        return required + [((*path, name), {}) for path, schema in fields for name in schema.get("required", [])]
    if rule == "unknown-field":
        return [((), body)] + [(path, schema) for path, schema in fields if schema.get("type") == "object"]
    return []


def _breaking(operation_id: str, rule: str) -> st.SearchStrategy[InvalidRequest]:
    targets = _targets(operation_id, rule)
    status = 400
    if rule == "blank":
        status = next(iter(document.blank_statuses(operation_id).values()))

    def build(base: dict, target: tuple[tuple[str, ...], dict], value: Any) -> InvalidRequest:
        path, _ = target
        body = _copy(base)
        if rule == "missing":
            _parent(body, path).pop(path[-1], None)
            field = path
        elif rule == "unknown-field":
            field = (*path, value)
            _parent(body, field)[value] = "x"
        else:
            field = path
            _parent(body, path)[path[-1]] = value
            if path[-1] == "nonPaymentAmount" and rule != "blank":
                # An amount of unpaid debts goes with nonPaymentInd Y: with N, sending one at all
                # would break a second rule.
                _parent(body, path)["nonPaymentInd"] = "Y"
        error = _RULE_ERRORS[rule]
        if rule == "date-format" and isinstance(value, str) and re.fullmatch(target[1]["pattern"], value):
            error = "nonexistent_date"  # the form of a date, a day no calendar has
        return InvalidRequest(body, rule, ".".join(field), status, error)

    return st.sampled_from(targets).flatmap(
        lambda target: st.builds(build, request_bodies(operation_id), st.just(target), _bad_value(rule, target)))


def _bad_value(rule: str, target: tuple[tuple[str, ...], dict]) -> st.SearchStrategy[Any]:
    path, schema = target
    if rule == "too-long":
        limit = schema["maxLength"]
        filler = _filler(schema)
        return st.integers(limit + 1, limit + 20).map(lambda size: filler * size)
    if rule == "blank":
        return st.sampled_from((" ", "  ", "\t"))
    if rule == "amount-format":
        return malformed_amounts()
    if rule == "date-format":
        return malformed_dates()
    if rule == "unknown-field":
        names = {path[0] for path, _ in document.walk(schema)}
        names |= {alias for _, prop in document.walk(schema) for alias in prop.get("x-cesce-aliases", ())}
        return st.from_regex(r"[a-z][A-Za-z]{2,15}", fullmatch=True).filter(lambda name: name not in names)
    return st.none()


def _breaking_sale(rule: str, known: st.SearchStrategy[dict] | None) -> st.SearchStrategy[InvalidRequest]:
    if rule == "both-identifiers":
        both = st.fixed_dictionaries({"endorsementNo": endorsement_numbers(), "customerReference": customer_references()})
        if known is not None:
            both = known.map(lambda record: {"endorsementNo": record["endorsementNo"],
                                             "customerReference": record["customerReference"]})
        return st.builds(lambda body, ids: InvalidRequest({**body, "sale": {**body["sale"], **ids}}, rule, "sale.customerReference",
                                                          400, "both_debtor_identifiers", "createSale"),
                         sale_requests(), both)
    if rule == "duplicate":
        return sale_requests(known).map(lambda body: InvalidRequest(
            body, rule, "sale", 400, "duplicate_sale", "createSale", setup=(("createSale", body),)))
    if rule == "credit-note-without-abonos":
        return st.tuples(sale_requests(known), amounts(-10**9, -1)).map(lambda drawn: InvalidRequest(
            {**drawn[0], "sale": {**drawn[0]["sale"], "currencyAmount": drawn[1]}}, rule, "sale.currencyAmount", 201, None,
            "createSale", reason="credit-note-without-abonos"))
    # Invoiced in 2000-2014: years out of any window of a clock of this century's second decade on.
    old_sales = sale_requests(known, invoiced=(date(2000, 1, 1), date(2014, 12, 31)))

    def modify(declared: dict, days: int) -> InvalidRequest:
        sale = declared["sale"]
        later = format_date(parse_date(sale["maturityDate"]) + timedelta(days=days))
        body = {"sale": {"invoiceNo": sale["invoiceNo"], "maturityDate": sale["maturityDate"]},
                "modification": {"maturityDate": later}}
        return InvalidRequest(body, rule, "modification.maturityDate", 400, "sale_outside_window", "modifySale",
                              setup=(("createSale", declared),))

    return st.builds(modify, old_sales, st.integers(1, 30))


def _sale_debtors(known: st.SearchStrategy[dict] | None) -> st.SearchStrategy[dict[str, str]]:
    """A sale's debtor: by endorsementNo or by customerReference, never both (of ``known``'s
    records, by a way its record allows, when given)."""
    if known is None:
        return st.one_of(st.fixed_dictionaries({"endorsementNo": endorsement_numbers()}),
                         st.fixed_dictionaries({"customerReference": customer_references()}))
    return st.tuples(known, st.booleans()).map(
        lambda drawn: {"customerReference": drawn[0]["customerReference"]} if drawn[1] and drawn[0].get("customerReference")
        else {"endorsementNo": drawn[0]["endorsementNo"]})


def _sale_body(client: dict, sale: dict, **blocks: dict) -> dict:
    return {**({"client": client} if client else {}), "sale": sale, **blocks}


def _filler(schema: dict) -> str:
    """A character that fits the field's pattern, so that only the length is wrong."""
    pattern = schema.get("pattern")
    for char in ("A", "1", "a"):
        if pattern is None or re.search(pattern, char * schema["maxLength"]):
            return char
    return "A"


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


def _statuses(policy: str | None) -> list[str]:
    ppc = policy is None or _policies()[policy]["ppc"]
    return [key for key in _model().codes[STATUSES] if ppc or key not in ("awaiting-premium", "inactive")]


def _decisions(status: str) -> list[str]:
    starts = _DECISIONS_FOR.get(status, ())
    return [key for key in _model().codes[DECISIONS] if key.startswith(starts)] if starts else []


def _debtor(status: str) -> st.SearchStrategy[dict]:
    ago = st.one_of(st.integers(1, 47).map(lambda h: f"-PT{h}H"), st.integers(2, 900).map(lambda d: f"-P{d}D"))
    optional: dict[str, st.SearchStrategy] = {"customerReference": customer_references(),
                                              "companyName": _details()["companyName"], "city": _details()["city"]}
    if _decisions(status):
        optional["decision"] = st.sampled_from(_decisions(status))
    if status == "pending":
        required = {"since": st.integers(1, 72).map(lambda h: f"-PT{h}H"), "resolveIn": st.integers(1, 30).map(lambda d: f"P{d}D")}
    else:
        required = {"since": ago}
        optional["pendingRequest"] = st.fixed_dictionaries(
            {"requested": amounts(100, 10**10), "since": st.integers(1, 72).map(lambda h: f"-PT{h}H"),
             "resolveIn": st.integers(1, 30).map(lambda d: f"P{d}D")})
    entry = st.fixed_dictionaries(
        {"countryCode": country_codes(), "taxCode": tax_codes(), "status": st.just(status),
         "requested": amounts(100, 10**10), **required}, optional=optional)
    if status in _LIVE:
        # Sometimes less is granted than was asked for.
        entry = st.tuples(entry, st.booleans(), st.integers(1, 100)).map(
            lambda drawn: {**drawn[0], "granted": format_amount(max(2, _hundredths(drawn[0]["requested"]) * drawn[2] // 100))}
            if drawn[1] else drawn[0])
    return entry


def _contract(contract_no: str, policy: str, entries: list[dict], numbers: list[str]) -> dict:
    references: set[str] = set()
    seeded = []
    for entry, number in zip(entries, numbers):
        entry = {**entry, "endorsementNo": number}
        reference = entry.get("customerReference")
        if reference in references:
            del entry["customerReference"]  # a reference names one debtor of the contract
        elif reference:
            references.add(reference)
        seeded.append(entry)
    return {"contractNo": contract_no, "policy": policy, "debtors": seeded}


def _event_for(contract_no: str, debtor: dict) -> st.SearchStrategy[dict] | None:
    base = {"contractNo": contract_no, "endorsementNo": debtor["endorsementNo"]}
    resolve = st.one_of(
        st.just({"type": "resolve", **base}),
        st.just({"type": "resolve", **base, "decision": "reject"}),
        amounts(1, 10**10).map(lambda amount: {"type": "resolve", **base, "decision": "grant", "amount": amount}),
    )
    if debtor["status"] == "pending" or "pendingRequest" in debtor:
        return resolve
    if debtor["status"] in _LIVE:
        granted = _hundredths(debtor.get("granted", debtor["requested"]))
        cancel = st.just({"type": "cancel", **base})
        if granted < 2:
            return cancel
        reduce = st.integers(1, granted - 1).map(lambda amount: {"type": "reduce", **base, "amount": format_amount(amount)})
        return reduce | cancel
    return None


def _hundredths(amount: str) -> int:
    return int(amount.replace(",", ""))
