"""Extensions (prórrogas, POST extensions) and collections (cobros, POST collections)."""

from __future__ import annotations

import pytest

STANDARD = "10100000001"
FIRST = {"saleCesceReferenceNo": "1000001"}  # 12000,00 on debtor 100, invoiced 2025-12-26, due 2026-02-24


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


@pytest.fixture(autouse=True)
def january(sales):
    sales.at("2026-01-15T09:00:00Z")


# cesce.es/678: a true extension is a new, extended sale with another saleCesceReferenceNo, its own
# premium and maturityAmount (the unpaid part of the original invoice, never above it); the
# original becomes Prorrogada and can no longer be modified. Its codes are tables 3 and 4.
def test_an_extension_is_a_new_sale_and_the_original_becomes_prorrogada(sales):
    answer = sales.extend(STANDARD, FIRST, "20260326", "9000,00")

    assert answer.status_code == 201, answer.json
    extended = answer.json["sale"]
    assert extended["saleCesceReferenceNo"] == "1000018"
    assert (extended["originalSaleCesceReferenceNo"], extended["invoiceNo"], extended["maturityDate"]) == ("1000001", "FRA-0001", "20260326")
    assert (extended["maturityAmount"], extended["statusCode"], extended["reasonStatusCode"], extended["accruedPremium"]) == (
        "9000,00", "5", "00", "22,50")
    original = sales.sale(**FIRST).json["sale"]
    assert (original["statusCode"], original["reasonStatusCode"]) == ("8", "40")
    assert error_of(sales.modify(STANDARD, FIRST, currencyAmount="1,00")) == (400, "3014")
    assert {"1000001", "1000018"} <= set(sales.refs(movementsInd="Y"))


def test_an_extension_is_rated_against_the_policys_maximum_and_the_limit(sales):
    too_long = sales.extend(STANDARD, FIRST, "20260526", "9000,00").json["sale"]  # 91 days on
    assert (too_long["statusCode"], too_long["reasonStatusCode"], too_long["accruedPremium"]) == ("9", "26", "0,00")
    # An extended sale that is rated can itself be extended; on a cancelled limit it is rejected.
    second = sales.declare(endorsementNo="107", invoiceNo="X-1").json["sale"]
    sales.event("cancel", contractNo=STANDARD, endorsementNo="107")
    refused = sales.extend(STANDARD, {"saleCesceReferenceNo": second["saleCesceReferenceNo"]}, "20260401", "500,00").json["sale"]
    assert (refused["statusCode"], refused["reasonStatusCode"]) == ("9", "20")


def test_an_extended_sale_can_be_extended_again(sales):
    once = sales.extend(STANDARD, FIRST, "20260310", "9000,00").json["sale"]
    twice = sales.extend(STANDARD, {"saleCesceReferenceNo": once["saleCesceReferenceNo"]}, "20260401", "8000,00").json["sale"]
    assert (twice["originalSaleCesceReferenceNo"], twice["statusCode"]) == (once["saleCesceReferenceNo"], "5")
    assert sales.sale(saleCesceReferenceNo=once["saleCesceReferenceNo"]).json["sale"]["statusCode"] == "8"


@pytest.mark.parametrize(("sale", "maturity", "amount", "expected"), [
    (FIRST, "20260326", "12000,01", (400, "3022")),   # more than the invoice
    (FIRST, "20260224", "100,00", (400, "3021")),     # not after the current maturity
    (FIRST, "20260326", "0,00", (400, "1004")),
    ({"saleCesceReferenceNo": "1000003"}, "20260326", "100,00", (400, "3020")),  # a rejected sale
    ({"saleCesceReferenceNo": "1000013"}, "20260326", "100,00", (400, "3020")),  # already Prorrogada
    ({"saleCesceReferenceNo": "4242"}, "20260326", "100,00", (400, "3012")),
], ids=["above-the-invoice", "not-later", "zero", "rejected", "already-extended", "unknown"])
def test_what_cannot_be_extended(sales, sale, maturity, amount, expected):
    assert error_of(sales.extend(STANDARD, sale, maturity, amount)) == expected


def test_the_unpaid_part_is_what_was_not_collected(sales):
    # 1000002: 8000,00 with 3000,00 collected.
    refused = sales.extend(STANDARD, {"saleCesceReferenceNo": "1000002"}, "20260320", "5000,01")
    assert error_of(refused) == (400, "3022") and "5000,00" in refused.json["error"]["errorDescription"]
    assert sales.extend(STANDARD, {"saleCesceReferenceNo": "1000002"}, "20260320", "5000,00").status_code == 201


# The portal: "Collection: create the amount collected from a sale", 201 Created; the request
# requires client, sale and collectionDate.
def test_a_collection_adds_to_what_was_collected_on_the_sale(sales):
    first = sales.collect(STANDARD, FIRST, "20260110", "2000,00")
    assert first.status_code == 201
    assert (first.json["sale"]["collectedAmount"], first.json["sale"]["collectionDate"]) == ("2000,00", "20260110")
    second = sales.collect(STANDARD, {"invoiceNo": "FRA-0001", "maturityDate": "20260224"}, "20260115", "10000,00").json["sale"]
    assert (second["collectedAmount"], second["collectionDate"]) == ("12000,00", "20260115")
    nothing_left = sales.collect(STANDARD, FIRST, "20260115", "0,01")
    assert error_of(nothing_left) == (400, "3024") and "(0,00)" in nothing_left.json["error"]["errorDescription"]


@pytest.mark.parametrize(("sale", "date", "amount", "expected"), [
    (FIRST, "20260115", "12000,01", (400, "3024")),
    ({"saleCesceReferenceNo": "4242"}, "20260115", "1,00", (400, "3012")),
    ({"saleCesceReferenceNo": "1000006"}, "20260115", "1,00", (400, "3023")),  # a credit note
    ({"saleCesceReferenceNo": "1000011"}, "20260115", "1,00", (400, "3023")),  # Baja
    ({"saleCesceReferenceNo": "1000013"}, "20260115", "1,00", (400, "3023")),  # Prorrogada: collect on 1000014
    ({"saleCesceReferenceNo": "1000014"}, "20260115", "6000,01", (400, "3024")),  # beyond its maturityAmount
    (FIRST, "20260116", "1,00", (400, "3010")),
    (FIRST, "20251225", "1,00", (400, "3009")),
    (FIRST, "20260115", "-1,00", (400, "1004")),
], ids=["too-much", "unknown", "credit-note", "baja", "prorrogada", "extension-too-much", "future", "before-invoice", "negative"])
def test_what_cannot_be_collected(sales, sale, date, amount, expected):
    assert error_of(sales.collect(STANDARD, sale, date, amount)) == expected


def test_a_collection_needs_its_date(sales):
    answer = sales.api.post(f"collections/v1/contracts/{STANDARD}/collections",
                            {"client": {}, "sale": FIRST, "collectionAmount": "1,00"})
    assert error_of(answer) == (400, "1001") and "collectionDate" in answer.json["error"]["errorDescription"]
