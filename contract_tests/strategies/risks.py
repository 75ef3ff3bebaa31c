"""Strategies for the risk area's requests: token requests, classification requests (new and
known debtors), cancellations, PPC switches and premium decisions, and the queries of
classifications, the portfolio and its movements."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from contract_tests import document
from contract_tests.strategies.common import (
    MAX_AMOUNT,
    _or,
    amounts,
    clients,
    country_codes,
    customer_references,
    endorsement_numbers,
    language_codes,
    tax_codes,
)
from emulator.risks.records import DETAILS
from emulator.wire import camel, format_amount

#: Free-text fields of a classification request, as the maximum-length table names them.
_DETAILS = tuple(camel(name) for name in DETAILS)


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


# -- inside the strategies ----------------------------------------------------------------


_IDENTIFIERS = (("endorsementNo",), ("customerReference",), ("countryCode", "taxCode"))


def _identification(drawn: tuple[dict, tuple[str, ...]]) -> dict[str, str]:
    record, way = drawn
    for names in (way, *_IDENTIFIERS):  # the way drawn, or the first the record allows
        if all(record.get(name) for name in names):
            return {name: record[name] for name in names}
    raise ValueError(f"a known debtor needs an endorsementNo, customerReference or countryCode and taxCode: {record}")


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
