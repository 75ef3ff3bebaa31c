"""Requests read against the OpenAPI document: every length of Cesce's table enforced with an
error that names the field, and the lenient reader's fixes recorded as findings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.api_document import shipped
from emulator.errors import BlankValue, FieldTooLong, InvalidFormat
from emulator.validation import parse_json
from emulator.validation import read_body as read_json
from emulator.wire import format_amount, normalize_amount, parse_amount

API = shipped()
CLASSIFICATION = API.operations["createClassification"].body
DEBTOR_FIELDS = CLASSIFICATION["properties"]["debtor"]["properties"]
FREE_TEXT = {name: schema["maxLength"] for name, schema in DEBTOR_FIELDS.items()
             if "maxLength" in schema and "pattern" not in schema and "enum" not in schema}
# Cesce's table "Longitud máxima API", the lengths it gives for free-text fields.
CESCE_TABLE = {"email": 100, "companyName": 100, "address": 80, "city": 30, "state": 30, "postalCode": 15,
               "phoneNo": 30, "otherPartiesInvolved": 700, "otherPaymentTerms": 700, "otherComments": 700,
               "durationCoverage": 3, "takerCode": 9, "policyHolderTaxCode": 9, "coverDuration": 3}


def body(**debtor) -> bytes:
    return json.dumps({"debtor": {"creditLimitRequested": "1000,00", **debtor}}).encode()


def read_body(schema: dict, raw: bytes, strict: bool):
    """A body as a client sends it: JSON bytes, as application/json."""
    return read_json(schema, parse_json(raw), "application/json", strict)


def test_the_document_carries_cesces_length_table():
    assert {name: FREE_TEXT[name] for name in CESCE_TABLE} == CESCE_TABLE
    assert (DEBTOR_FIELDS["taxCode"]["maxLength"], DEBTOR_FIELDS["customerReference"]["maxLength"],
            DEBTOR_FIELDS["endorsementNo"]["maxLength"], DEBTOR_FIELDS["countryCode"]["maxLength"],
            DEBTOR_FIELDS["currencyCode"]["maxLength"], DEBTOR_FIELDS["pdfInd"]["enum"]) == (20, 50, 6, 2, 3, ["Y", "N"])


@given(field=st.sampled_from(sorted(FREE_TEXT)), excess=st.integers(min_value=-3, max_value=3), strict=st.booleans())
def test_a_field_is_accepted_up_to_its_maximum_length_and_refused_beyond_naming_it(field, excess, strict):
    length = max(0, FREE_TEXT[field] + excess)
    if excess <= 0:
        data, _ = read_body(CLASSIFICATION, body(**{field: "x" * length}), strict)
        assert data["debtor"][field] == "x" * length
    else:
        with pytest.raises(FieldTooLong) as refused:
            read_body(CLASSIFICATION, body(**{field: "x" * length}), strict)
        assert refused.value.params == {"field": field, "max": str(FREE_TEXT[field])}


@given(indicator=st.sampled_from(["", " ", "  ", "\t"]), strict=st.booleans())
def test_a_blank_non_payment_indicator_is_the_documented_500_before_any_other_error(indicator, strict):
    with pytest.raises(BlankValue):
        read_body(CLASSIFICATION, body(nonPaymentInd=indicator, taxCode="x" * 99), strict)


@given(hundredths=st.integers(min_value=-10**15 + 1, max_value=10**15 - 1))
def test_amounts_round_trip_through_the_wire_format(hundredths):
    text = format_amount(hundredths)
    assert parse_amount(text) == hundredths
    assert normalize_amount(text) == text


@given(value=st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_the_lenient_reader_understands_a_dotted_amount(value):
    assert parse_amount(normalize_amount(str(value))) == int(value * 100)


def test_the_lenient_reader_fixes_and_says_so_and_the_strict_one_refuses():
    data, findings = read_body(CLASSIFICATION, body(creditLimitRequested=25000, countryCode="es"), strict=False)
    assert (data["debtor"]["creditLimitRequested"], data["debtor"]["countryCode"]) == ("25000,00", "ES")
    assert [f.field for f in findings] == ["debtor.creditLimitRequested", "debtor.countryCode"]
    with pytest.raises(InvalidFormat):
        read_body(CLASSIFICATION, body(creditLimitRequested=25000), strict=True)
