"""HTTP glue of the Sales, Extensions and Collections products. Each handler reads the validated
request, calls the rule of the same name and renders its result in Cesce's envelope."""

from __future__ import annotations

from datetime import date

from emulator.areas import Operations
from emulator.gateway import Answer, Call
from emulator.sales import rules
from emulator.sales.errors import NonexistentDate
from emulator.sales.records import Sale
from emulator.wire import Encoded, envelope, parse_amount, parse_date, render_record

operations = Operations()


@operations("createSale")
def create_sale(call: Call) -> Answer:
    fields = call.body["sale"]
    request = rules.Declaration(
        debtor=debtor_ref(fields),
        invoice_no=fields["invoiceNo"],
        invoice_date=_date(fields, "invoiceDate"),
        maturity_date=_date(fields, "maturityDate"),
        amount=parse_amount(fields["currencyAmount"]),
        subsidiary_no=fields.get("subsidiaryNo"),
        acquisition_date=_date(fields, "acquisitionDate"),
        currency_code=fields.get("currencyCode"),
        payment_method_code=fields.get("paymentMethodCode"),
        payment_terms=fields.get("paymentTerms"),
        tax_code_transferor=fields.get("taxCodeTransferor") or None,
    )
    return _record(call, 201, rules.declare(call.world, call.contract_no, request))


@operations("modifySale")
def modify_sale(call: Call) -> Answer:
    fields = call.body["modification"]
    named = "endorsementNo" in fields or "customerReference" in fields
    change = rules.Modification(
        invoice_no=fields.get("invoiceNo"),
        debtor=debtor_ref(fields) if named else None,
        invoice_date=_date(fields, "invoiceDate"),
        acquisition_date=_date(fields, "acquisitionDate"),
        maturity_date=_date(fields, "maturityDate"),
        amount=parse_amount(fields["currencyAmount"]) if "currencyAmount" in fields else None,
    )
    return _record(call, 200, rules.modify(call.world, call.contract_no, sale_ref(call.body["sale"]), change))


@operations("getSale")
def get_sale(call: Call) -> Answer:
    return _record(call, 200, rules.find_sale(call.world, call.contract_no, sale_ref(call.query)))


@operations("getSales")
def get_sales(call: Call) -> Answer:
    query = call.query
    month = query.get("invoiceMonth")
    named = "endorsementNo" in query or "customerReference" in query
    filters = rules.Filters(
        debtor=debtor_ref(query) if named else None,
        month=(int(month[:4]), int(month[4:])) if month else None,
        status_code=query.get("statusCode"),
        moved=query.get("movementsInd") == "Y",
    )
    page = rules.list_sales(call.world, call.contract_no, filters, int(call.cursor or 0), call.size)
    following = None if page.following is None else str(page.following)
    return call.page([Encoded(text) for text in page.encoded], following)


@operations("getSubsidiaries")
def get_subsidiaries(call: Call) -> Answer:
    found = rules.subsidiaries(call.world, call.contract_no)
    records = [{"subsidiaryNo": s.subsidiary_no, "subsidiaryName": s.subsidiary_name, "countryCode": s.country_code,
                "taxCode": s.tax_code} for s in found]
    return Answer(200, envelope(call.client(), subsidiary=records or None))


@operations("createExtension")
def create_extension(call: Call) -> Answer:
    fields = call.body["extension"]
    extended = rules.extend(call.world, call.contract_no, sale_ref(call.body["sale"]), _date(fields, "maturityDate"),
                            parse_amount(fields["maturityAmount"]))
    return _record(call, 201, extended)


@operations("createCollection")
def create_collection(call: Call) -> Answer:
    body = call.body
    collected = rules.collect(call.world, call.contract_no, sale_ref(body["sale"]), _date(body, "collectionDate"),
                              parse_amount(body["collectionAmount"]))
    return _record(call, 201, collected)


def debtor_ref(fields: dict[str, str]) -> rules.DebtorRef:
    number = fields.get("endorsementNo")
    return rules.DebtorRef(endorsement_no=int(number) if number else None,
                           customer_reference=fields.get("customerReference"))


def sale_ref(fields: dict[str, str]) -> rules.SaleRef:
    number = fields.get("saleCesceReferenceNo")
    return rules.SaleRef(sale_no=int(number) if number else None, invoice_no=fields.get("invoiceNo"),
                         maturity_date=_date(fields, "maturityDate"))


def _date(fields: dict[str, str], name: str) -> date | None:
    """A date field ("0" or absent: none); one that does not exist (20230230) is refused."""
    if name not in fields:
        return None
    try:
        return parse_date(fields[name])
    except ValueError:
        raise NonexistentDate(field=name, value=fields[name]) from None


def _record(call: Call, status: int, sale: Sale) -> Answer:
    return Answer(status, envelope(call.client(), sale=render_record(sale)))
