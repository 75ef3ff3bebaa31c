"""Strategies for the sales area's requests: sales, modifications, extensions, collections, the
sale and sales-list queries, and sales requests that break one rule of Cesce's sales."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from contract_tests.strategies.common import (
    InvalidRequest,
    _hundredths,
    _model,
    _or,
    amounts,
    clients,
    customer_references,
    dates,
    endorsement_numbers,
    language_codes,
    tax_codes,
)
from emulator.sales.records import STATUSES as SALE_STATUSES
from emulator.wire import format_amount, format_date, parse_date

#: The rules of Cesce's sales ``invalid_sales`` breaks.
SALE_RULES = ("both-identifiers", "duplicate", "credit-note-without-abonos", "maturity-outside-window")


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


# -- inside the strategies ----------------------------------------------------------------


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
