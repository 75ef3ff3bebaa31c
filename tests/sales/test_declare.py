"""Declaring sales (POST sales), rule by rule of the guide's §4.1, through the real app. The
tenant's clock stands at 2026-01-15 09:00 UTC, the Sandbox Model's instant, so the mock world
reads as mocks/README.md tabulates it."""

from __future__ import annotations

import pytest

STANDARD, SUPPLEMENTS, GROUP = "10100000001", "10300000004", "10400000005"
RECOURSE, NO_RECOURSE = "10500000006", "10500000007"


@pytest.fixture(autouse=True)
def january(sales):
    sales.at("2026-01-15T09:00:00Z")


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


def rated(answer) -> tuple[str, str, str]:
    assert answer.status_code == 201, answer.json
    sale = answer.json["sale"]
    return sale["statusCode"], sale["reasonStatusCode"], sale["accruedPremium"]


def strings_only(value):
    if isinstance(value, dict):
        return all(strings_only(item) for item in value.values())
    return isinstance(value, str)


# "TARIFICADA (statusCode 5): la venta queda aceptada conforme a las condiciones de la póliza."
def test_a_covered_sale_is_rated_with_its_premium_and_can_be_read_back(sales):
    answer = sales.declare(endorsementNo="100", invoiceNo="FRA-9001", currencyAmount="12500,00")

    assert rated(answer) == ("5", "00", "31,25")  # the standard policy's 0,25 % of 12500,00
    sale = answer.json["sale"]
    assert (sale["saleCesceReferenceNo"], sale["endorsementNo"], sale["customerReference"]) == ("1000018", "100", "CLI-0100")
    assert (sale["declarationDate"], sale["statusDate"], sale["subsidiaryNo"]) == ("20260115", "20260115", "0")
    assert strings_only(answer.json)
    assert sales.sale(saleCesceReferenceNo="1000018").json["sale"] == sale
    assert sales.sale(invoiceNo="FRA-9001", maturityDate="20260311").json["sale"] == sale


# "RECHAZADA (statusCode 9) [...] rechazada porque el deudor no tiene crédito en vigor."
def test_a_sale_on_a_debtor_without_credit_is_rejected_with_its_reason(sales):
    assert rated(sales.declare(endorsementNo="102")) == ("9", "20", "0,00")  # rejected debtor


def test_a_limit_covers_sales_from_the_day_its_request_entered(sales):
    granted = sales.api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "20000,00"})
    number = granted.json["debtor"]["endorsementNo"]

    assert rated(sales.declare(endorsementNo=number, invoiceNo="A", invoiceDate="20260114")) == ("9", "20", "0,00")
    assert rated(sales.declare(endorsementNo=number, invoiceNo="B", invoiceDate="20260115")) == ("5", "00", "2,50")


# "Es obligatorio que uno y sólo uno de los dos campos venga informado para identificar al deudor.
# Si se envían ambos el API devuelve error y la venta no se da de alta en el sistema."
def test_both_debtor_identifiers_are_an_error_and_nothing_is_stored(sales):
    both = sales.declare(endorsementNo="100", customerReference="CLI-0100", invoiceNo="BOTH-1")

    assert error_of(both) == (400, "3001")
    assert "no se ha dado de alta" in both.json["error"]["errorDescription"]
    assert sales.sale(invoiceNo="BOTH-1", maturityDate="20260311").json["error"]["errorCode"] == "3012"
    assert error_of(sales.declare(invoiceNo="NONE-1")) == (400, "3002")


def test_the_debtor_may_be_named_by_its_customer_reference(sales):
    sale = sales.declare(customerReference="CLI-0107", invoiceNo="REF-1").json["sale"]
    assert (sale["endorsementNo"], sale["customerReference"], sale["statusCode"]) == ("107", "CLI-0107", "5")


def test_an_unknown_debtor_is_no_existe_limite(sales):
    assert error_of(sales.declare(endorsementNo="999")) == (400, "2001")
    assert error_of(sales.declare(customerReference="NOBODY")) == (400, "2001")


# "La Central siempre será la 0. Si no se envía el campo subsidiaryNo por defecto se asignarán a
# la filial [la Central]." GET subsidiaries: "filiales activas en el momento de la consulta".
def test_a_sale_goes_to_the_head_office_or_an_active_subsidiary_of_the_policy(sales):
    listed = sales.subsidiaries(GROUP).json["subsidiary"]
    assert [(s["subsidiaryNo"], s["subsidiaryName"]) for s in listed] == [
        ("1", "GRUPO NORTE DISTRIBUCION SL"), ("2", "GRUPO NORTE PORTUGAL LDA")]
    assert sales.subsidiaries(STANDARD).json["subsidiary"] is None

    assert sales.declare(GROUP, endorsementNo="500", invoiceNo="G-0").json["sale"]["subsidiaryNo"] == "0"
    assert sales.declare(GROUP, endorsementNo="500", invoiceNo="G-1", subsidiaryNo="1").json["sale"]["subsidiaryNo"] == "1"
    gone = sales.declare(GROUP, endorsementNo="500", invoiceNo="G-3", subsidiaryNo="3")
    assert error_of(gone) == (400, "3004") and "GET subsidiaries" in gone.json["error"]["errorDescription"]
    assert error_of(sales.declare(STANDARD, endorsementNo="100", subsidiaryNo="1")) == (400, "3004")
    assert sales.declare(STANDARD, endorsementNo="100", invoiceNo="HQ", subsidiaryNo="0").status_code == 201


# "En el sistema se considera una factura duplicada cuando coinciden dos ventas con misma factura
# (invoiceNo), fecha de emisión (invoiceDate), vencimiento (maturityDate), suplemento
# (endorsementNo o customerReference) e importe (currencyAmount). El API devuelve error y la
# venta no se da de alta."
def test_a_duplicate_is_refused_even_when_the_debtor_is_named_the_other_way(sales):
    first = sales.declare(endorsementNo="100", invoiceNo="DUP-1").json["sale"]

    again = sales.declare(endorsementNo="100", invoiceNo="DUP-1")
    other_way = sales.declare(customerReference="CLI-0100", invoiceNo="DUP-1")

    assert error_of(again) == error_of(other_way) == (400, "3003")
    assert first["saleCesceReferenceNo"] in again.json["error"]["errorDescription"]
    assert sales.refs(endorsementNo="100", invoiceMonth="202601").count(first["saleCesceReferenceNo"]) == 1
    assert len([s for page in sales.every(endorsementNo="100") for s in page if s["invoiceNo"] == "DUP-1"]) == 1


# "Si cambia cualquiera de estos valores ya se considera una venta diferente y sí quedaría registrada."
@pytest.mark.parametrize("change", [{"invoiceNo": "DUP-2"}, {"invoiceDate": "20260111"}, {"maturityDate": "20260312"},
                                    {"endorsementNo": "106"}, {"currencyAmount": "1000,01"}],
                         ids=["invoiceNo", "invoiceDate", "maturityDate", "debtor", "currencyAmount"])
def test_any_difference_in_the_duplicate_key_is_a_new_sale(sales, change):
    assert sales.declare(endorsementNo="100", invoiceNo="DUP-1").status_code == 201
    assert sales.declare(**{"endorsementNo": "100", "invoiceNo": "DUP-1", **change}).status_code == 201


# "Es obligatorio el campo acquisitionDate únicamente para pólizas factoring. Si no son factoring
# no debe rellenarse. El campo taxCodeTransferor (código fiscal cedente) solo es obligatorio para
# pólizas factoring con responsabilidad. Para el resto de las operaciones tiene que ir sin informar."
@pytest.mark.parametrize(("contract", "debtor", "fields", "expected"), [
    (RECOURSE, "600", {"acquisitionDate": "20260112", "taxCodeTransferor": "B80000001"}, (201, "0")),
    (RECOURSE, "600", {"taxCodeTransferor": "B80000001"}, (400, "3005")),
    (RECOURSE, "600", {"acquisitionDate": "20260112"}, (400, "3005")),
    (NO_RECOURSE, "700", {"acquisitionDate": "20260112"}, (201, "0")),
    (NO_RECOURSE, "700", {}, (400, "3005")),
    (NO_RECOURSE, "700", {"acquisitionDate": "20260112", "taxCodeTransferor": "B80000001"}, (400, "3007")),
    (STANDARD, "100", {"acquisitionDate": "20260112"}, (400, "3006")),
    (STANDARD, "100", {"acquisitionDate": "0"}, (201, "0")),
    (STANDARD, "100", {"taxCodeTransferor": "B80000001"}, (400, "3007")),
], ids=["recourse", "recourse-no-transferor", "recourse-no-acquisition", "no-recourse", "no-recourse-no-acquisition",
        "no-recourse-with-transferor", "standard-with-acquisition", "standard-acquisition-zero", "standard-with-transferor"])
def test_factoring_fields_follow_the_policy(sales, contract, debtor, fields, expected):
    answer = sales.declare(contract, endorsementNo=debtor, **fields)
    assert error_of(answer) == expected
    if expected[0] == 400:
        missing = {"3005": "acquisitionDate" if "acquisitionDate" not in fields else "taxCodeTransferor",
                   "3006": "acquisitionDate", "3007": "taxCodeTransferor"}[expected[1]]
        assert missing in answer.json["error"]["errorDescription"]


# "Ventas negativas: es posible declarar ventas con importe negativo [...] generando una prima
# negativa. Para poder hacerlo la póliza debe tener contratado el suplemento de Abonos."
def test_a_credit_note_without_the_abonos_supplement_is_rejected_with_that_reason(sales):
    assert rated(sales.declare(STANDARD, endorsementNo="100", currencyAmount="-500,00")) == ("9", "23", "0,00")


# "para que la venta negativa entre tarificada el deudor sobre el que se declara debe tener
# ventas positivas vigentes."
def test_a_credit_note_without_positive_sales_in_force_is_rejected_with_that_reason(sales):
    assert rated(sales.declare(SUPPLEMENTS, endorsementNo="402", currencyAmount="-500,00")) == ("9", "24", "0,00")


def test_a_credit_note_is_rated_with_a_negative_premium_never_beyond_the_sales_it_offsets(sales):
    # Debtor 400 has 20000,00 rated (premium 50,00) and a credit note of -2000,00 (-5,00).
    assert rated(sales.declare(SUPPLEMENTS, endorsementNo="400", invoiceNo="A-1", currencyAmount="-4000,00")) == ("5", "01", "-10,00")
    assert rated(sales.declare(SUPPLEMENTS, endorsementNo="400", invoiceNo="A-2", currencyAmount="-30000,00")) == ("5", "01", "-35,00")
    assert rated(sales.declare(SUPPLEMENTS, endorsementNo="400", invoiceNo="A-3", currencyAmount="-100,00")) == ("5", "01", "0,00")


def test_a_credit_note_counts_only_positive_sales_still_in_force(sales):
    positive = sales.declare(SUPPLEMENTS, endorsementNo="402", invoiceNo="P-1", currencyAmount="8000,00").json["sale"]
    sales.event("cancel-sale", contractNo=SUPPLEMENTS, saleCesceReferenceNo=positive["saleCesceReferenceNo"])
    assert rated(sales.declare(SUPPLEMENTS, endorsementNo="402", currencyAmount="-100,00")) == ("9", "24", "0,00")


# Venta endosada (cesce.es/678): on an annulled or expired endorsement, still rated, only with Endosos.
def test_an_endorsed_sale_is_rated_only_with_the_endosos_supplement(sales):
    # 401 (supplements) was cancelled by Cesce on 2026-01-09; 103 (standard) on 2026-01-10.
    assert rated(sales.declare(SUPPLEMENTS, endorsementNo="401", invoiceDate="20260105")) == ("5", "02", "2,50")
    assert rated(sales.declare(STANDARD, endorsementNo="103", invoiceDate="20260105")) == ("9", "25", "0,00")
    # Made after the cancellation, the sale had no cover at all.
    assert rated(sales.declare(SUPPLEMENTS, endorsementNo="401", invoiceNo="LATE", invoiceDate="20260112")) == ("9", "20", "0,00")


def test_a_maturity_beyond_the_granted_payment_terms_is_rejected(sales):
    # Debtor 100 was granted 90 days.
    assert rated(sales.declare(endorsementNo="100", invoiceNo="T-90", maturityDate="20260410")) == ("5", "00", "2,50")
    assert rated(sales.declare(endorsementNo="100", invoiceNo="T-91", maturityDate="20260411")) == ("9", "21", "0,00")


def test_a_sale_above_the_limit_in_force_is_rejected(sales):
    # Debtor 110 holds 20000,00.
    assert rated(sales.declare(endorsementNo="110", invoiceNo="L-1", currencyAmount="20000,00"))[:2] == ("5", "00")
    assert rated(sales.declare(endorsementNo="110", invoiceNo="L-2", currencyAmount="20000,01")) == ("9", "22", "0,00")


def test_a_sale_on_a_limit_en_tramite_stays_en_tramite(sales):
    assert rated(sales.declare(endorsementNo="105", invoiceNo="P-105")) == ("1", "10", "0,00")  # a pending new debtor
    assert rated(sales.declare(endorsementNo="106", invoiceNo="P-106")) == ("1", "10", "0,00")  # its 300001 request waits


@pytest.mark.parametrize(("fields", "expected", "named"), [
    ({"invoiceDate": "20260230"}, (400, "3008"), "invoiceDate"),
    ({"maturityDate": "20260109"}, (400, "3009"), "maturityDate"),
    ({"acquisitionDate": "20260101"}, (400, "3009"), "acquisitionDate"),
    ({"currencyAmount": "0,00"}, (400, "1004"), "currencyAmount"),
    ({"currencyAmount": "-0,00"}, (400, "1004"), "currencyAmount"),
    ({"invoiceDate": "2026-01-10"}, (201, "0"), None),  # lenient: read as 20260110, noted in the journal
], ids=["no-such-day", "maturity-first", "acquisition-first", "zero", "minus-zero", "iso-date"])
def test_dates_and_amounts_that_cannot_be_a_sale(sales, fields, expected, named):
    contract, debtor = (RECOURSE, "600") if "acquisitionDate" in fields else (STANDARD, "100")
    extra = {"taxCodeTransferor": "B80000001"} if contract == RECOURSE else {}
    answer = sales.declare(contract, endorsementNo=debtor, **extra, **fields)
    assert error_of(answer) == expected
    if named:
        assert named in answer.json["error"]["errorDescription"]
