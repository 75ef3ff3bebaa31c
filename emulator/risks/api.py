"""HTTP glue of the risk APIs: classifications, portfolio and movements. Each handler reads the
validated request, calls the rule of the same name and renders its result in Cesce's envelope."""

from __future__ import annotations

from emulator.areas import Operations
from emulator.gateway import Answer, Call
from emulator.risks import rules
from emulator.risks.records import DETAILS, Debtor
from emulator.wire import Encoded, camel, envelope, parse_amount, render_record

operations = Operations()


@operations("getClassification")
def get_classification(call: Call) -> Answer:
    debtor = rules.find_debtor(call.world, call.contract_no, identifiers(call.query))
    return _record(call, 200, debtor)


@operations("createClassification")
def create_classification(call: Call) -> Answer:
    fields = call.body["debtor"]
    request = rules.ClassificationRequest(
        identifiers=identifiers(fields),
        credit_limit_requested=_amount(fields, "creditLimitRequested"),
        payment_method_requested_code=fields.get("paymentMethodRequestedCode"),
        payment_terms_requested=fields.get("paymentTermsRequested"),
        currency_code=fields.get("currencyCode"),
        non_payment_ind=fields.get("nonPaymentInd"),
        non_payment_amount=_amount(fields, "nonPaymentAmount"),
        details={name: fields[camel(name)] for name in DETAILS if fields.get(camel(name))},
    )
    return _record(call, 201, rules.classify(call.world, call.contract_no, request))


@operations("activateDeactivateClassification")
def activate_deactivate_classification(call: Call) -> Answer:
    fields = call.body["debtor"]
    debtor = rules.activate_deactivate(call.world, call.contract_no, identifiers(fields), fields["activateInd"] == "Y")
    return _record(call, 200, debtor)


@operations("cancelClassification")
def cancel_classification(call: Call) -> Answer:
    return _record(call, 200, rules.cancel(call.world, call.contract_no, identifiers(call.body["debtor"])))


@operations("acceptDenyPremium")
def accept_deny_premium(call: Call) -> Answer:
    fields = call.body["debtor"]
    debtor = rules.accept_deny_premium(call.world, call.contract_no, identifiers(fields), fields["acceptPremiumInd"] == "Y")
    return _record(call, 200, debtor)


@operations("getPortfolio")
def get_portfolio(call: Call) -> Answer:
    return _page(call, rules.portfolio(call.world, call.contract_no, _start(call), call.size))


@operations("getMovements")
def get_movements(call: Call) -> Answer:
    return _page(call, rules.movements(call.world, call.contract_no, _start(call), call.size))


def identifiers(fields: dict[str, str]) -> rules.Identifiers:
    number = fields.get("endorsementNo")
    return rules.Identifiers(
        customer_reference=fields.get("customerReference") or None,
        endorsement_no=int(number) if number else None,
        country_code=fields.get("countryCode") or None,
        tax_code=fields.get("taxCode") or None,
    )


def _amount(fields: dict[str, str], name: str) -> int | None:
    return parse_amount(fields[name]) if fields.get(name) else None


def _start(call: Call) -> int:
    """The endorsementNo a page starts at: the cursor the previous page gave (0: the first)."""
    return int(call.cursor or 0)


def _record(call: Call, status: int, debtor: Debtor) -> Answer:
    return Answer(status, envelope(call.client(), debtor=render_record(debtor)))


def _page(call: Call, page: rules.Page) -> Answer:
    following = str(page.next_endorsement_no) if page.next_endorsement_no else None
    return call.page([Encoded(text) for text in page.encoded], following)
