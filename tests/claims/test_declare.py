"""Declaring non-payments (K13): which sales take one, the dossier a declaration lands in, and
what a dossier does to the sales of its endorsement (rule 5 of the guide's §4.2)."""

from __future__ import annotations

import pytest

from tests.claims.conftest import CLAIMS, FREE_SALE, error_of


def test_the_first_non_payment_opens_a_dossier_and_later_ones_land_in_it(claims):
    first = claims.declare("5000,00")
    assert first.status_code == 201, first.json
    number = first.json["client"]["dossierNo"]
    assert number == "8"  # after the Sandbox Model's seven
    assert (first.json["nonPayment"]["dossierNo"], first.json["nonPayment"]["internalNo"]) == (number, "1")

    by_number = claims.declare("3000,00", dossier=number)
    unknown = claims.declare("2000,00")  # dossierNo 0: the emulator finds the debtor's open dossier
    assert (by_number.json["client"]["dossierNo"], by_number.json["nonPayment"]["internalNo"]) == (number, "2")
    assert (unknown.json["client"]["dossierNo"], unknown.json["nonPayment"]["internalNo"]) == (number, "3")
    assert [d["dossierNo"] for d in claims.get("dossiers", endorsementNo="807")["dossier"]] == [number]
    listed = claims.get(f"dossiers/{number}/non-payments")["nonPayment"]
    assert [(n["internalNo"], n["unpaidAmount"]) for n in listed] == [("1", "5000,00"), ("2", "3000,00"), ("3", "2000,00")]
    assert claims.dossier(number)["unpaidAmount"] == "10000,00"
    # The dossier's document once, each non-payment's two.
    assert len(claims.documents(number)) == 1 + 3 * 2


def test_a_dossier_number_that_is_not_the_debtors_is_refused_and_nothing_is_written(claims):
    before = claims.get("dossiers")["dossier"]
    other = claims.declare("1000,00", dossier="1")  # dossier 1 is debtor 800's
    assert error_of(other) == (400, "4010") and "807" in other.json["error"]["errorDescription"]
    assert error_of(claims.declare("1000,00", dossier="99")) == (400, "4001")
    closed = claims.declare("1000,00", dossier="7")  # 806's, closed
    assert error_of(closed) == (400, "4010")
    assert claims.get("dossiers")["dossier"] == before


def test_a_closed_dossier_takes_no_more_a_new_one_opens(claims):
    # Debtor 806's dossier (7) closed; a new sale of 806 that matured unpaid opens dossier 8.
    sale = claims.api.post(f"sales/v1/contracts/{CLAIMS}/sales", {"sale": {
        "endorsementNo": "806", "invoiceNo": "NEW-806", "invoiceDate": "20260110", "maturityDate": "20260220",
        "currencyAmount": "2000,00"}})
    assert sale.status_code == 201, sale.json
    opened = claims.declare("2000,00", saleCesceReferenceNo=sale.json["sale"]["saleCesceReferenceNo"])
    assert opened.status_code == 201 and opened.json["client"]["dossierNo"] == "8"


@pytest.mark.parametrize(("sale", "amount", "code"), [
    ({"saleCesceReferenceNo": FREE_SALE}, "15000,01", "4008"),  # more than is unpaid
    ({"saleCesceReferenceNo": FREE_SALE}, "0,00", "4009"),
    ({"saleCesceReferenceNo": "9999999"}, "1,00", "3012"),  # no such sale
    ({"invoiceNo": "SIN-8009", "maturityDate": "20260221"}, "1,00", "3012"),
    ({}, "1,00", "3011"),  # no sale named
])
def test_a_declaration_that_cannot_be_is_a_clear_400(claims, sale, amount, code):
    answer = claims.api.post(f"claims/v1/contracts/{CLAIMS}/dossiers/0/non-payments",
                             {"nonPayment": {**sale, "unpaidAmount": amount}})
    assert error_of(answer) == (400, code), answer.json
    assert claims.get("dossiers", endorsementNo="807")["dossier"] is None


def test_the_sale_is_named_by_invoice_and_maturity_too(claims):
    answer = claims.declare("100,00", invoiceNo="SIN-8009", maturityDate="20260220")
    assert answer.status_code == 201 and answer.json["nonPayment"]["saleCesceReferenceNo"] == FREE_SALE


def test_what_is_unpaid_is_the_sale_less_its_collections_and_the_non_payments_declared(claims):
    collected = claims.api.post(f"collections/v1/contracts/{CLAIMS}/collections", {
        "client": {}, "sale": {"saleCesceReferenceNo": FREE_SALE}, "collectionDate": "20260225",
        "collectionAmount": "5000,00"})
    assert collected.status_code == 201, collected.json
    assert claims.declare("6000,00").status_code == 201
    over = claims.declare("4000,01")
    assert error_of(over) == (400, "4008") and "4000,00" in over.json["error"]["errorDescription"]
    assert claims.declare("4000,00").status_code == 201
    assert error_of(claims.declare("0,01")) == (400, "4008")


def test_a_fully_collected_sale_has_nothing_unpaid(claims):
    claims.api.post(f"collections/v1/contracts/{CLAIMS}/collections", {
        "client": {}, "sale": {"saleCesceReferenceNo": FREE_SALE}, "collectionDate": "20260225",
        "collectionAmount": "15000,00"})
    assert error_of(claims.declare("1,00")) == (400, "4006")


def test_only_a_rated_sale_that_matured_takes_a_non_payment(claims):
    not_due = claims.api.post(f"sales/v1/contracts/{CLAIMS}/sales", {"sale": {
        "endorsementNo": "807", "invoiceNo": "F-LATER", "invoiceDate": "20260201", "maturityDate": "20260302",
        "currencyAmount": "1000,00"}})
    refused = claims.declare("1000,00", saleCesceReferenceNo=not_due.json["sale"]["saleCesceReferenceNo"])
    assert error_of(refused) == (400, "4007") and "20260302" in refused.json["error"]["errorDescription"]
    claims.advance("P1D")  # the day after its maturity it is a non-payment
    assert claims.declare("1000,00", saleCesceReferenceNo=not_due.json["sale"]["saleCesceReferenceNo"]).status_code == 201

    above = claims.api.post(f"sales/v1/contracts/{CLAIMS}/sales", {"sale": {
        "endorsementNo": "800", "invoiceNo": "F-ABOVE", "invoiceDate": "20260101", "maturityDate": "20260201",
        "currencyAmount": "25000,00"}})
    assert above.json["sale"]["statusCode"] == "9"  # RECHAZADA: above 800's limit
    rejected = claims.declare("1000,00", saleCesceReferenceNo=above.json["sale"]["saleCesceReferenceNo"])
    assert error_of(rejected) == (400, "4005") and "statusCode 9" in rejected.json["error"]["errorDescription"]


def test_once_a_dossier_opens_the_sales_of_its_endorsement_cannot_be_modified(claims):
    sales = f"sales/v1/contracts/{CLAIMS}"
    recent = claims.api.post(f"{sales}/sales", {"sale": {
        "endorsementNo": "807", "invoiceNo": "F-RECENT", "invoiceDate": "20260210", "maturityDate": "20260301",
        "currencyAmount": "3000,00"}})
    other = claims.api.post(f"{sales}/sales", {"sale": {
        "endorsementNo": "800", "invoiceNo": "F-OTHER", "invoiceDate": "20260210", "maturityDate": "20260301",
        "currencyAmount": "3000,00"}})
    reference = {"saleCesceReferenceNo": recent.json["sale"]["saleCesceReferenceNo"]}
    assert claims.api.post(f"{sales}/sale", {"sale": reference, "modification": {"currencyAmount": "2900,00"}}).status_code == 200

    assert claims.declare("3000,00", saleCesceReferenceNo=FREE_SALE).status_code == 201  # debtor 807's dossier opens
    refused = claims.api.post(f"{sales}/sale", {"sale": reference, "modification": {"currencyAmount": "2800,00"}})
    assert error_of(refused) == (400, "3015")
    assert "807" in refused.json["error"]["errorDescription"] and "expediente" in refused.json["error"]["errorDescription"]
    # Debtor 800 has a dossier too (the Sandbox Model's first): its sales are frozen as well.
    frozen = {"saleCesceReferenceNo": other.json["sale"]["saleCesceReferenceNo"]}
    assert error_of(claims.api.post(f"{sales}/sale", {"sale": frozen, "modification": {"currencyAmount": "1,00"}})) == (400, "3015")


def test_english_texts_follow_the_request_language(claims):
    answer = claims.api.post(f"claims/v1/contracts/{CLAIMS}/dossiers/99/non-payments",
                             {"client": {"languageCode": "EN"}, "nonPayment": {"saleCesceReferenceNo": FREE_SALE,
                                                                               "unpaidAmount": "1,00"}})
    assert answer.json["error"]["errorDescription"] == "NO DOSSIER 99 EXISTS IN THE POLICY"


def test_the_documents_example_declaration_is_accepted_on_the_claims_contract(claims, app):
    document = app.extensions["cesce"].api.document
    post = document["paths"]["/claims/v1/contracts/{contractNo}/dossiers/{dossierNo}/non-payments"]["post"]
    example = post["requestBody"]["content"]["application/json"]["example"]
    answer = claims.api.post(f"claims/v1/contracts/{CLAIMS}/dossiers/0/non-payments", example)
    assert answer.status_code == 201, answer.json
