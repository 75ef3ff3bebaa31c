"""Querying sales: one sale (GET sale) and the filtered, paged list (GET sales), guide §4.3."""

from __future__ import annotations

import json
import sqlite3

import pytest

from emulator import Settings, create_app
from tests.sales.conftest import Sales

STANDARD = "10100000001"


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


@pytest.fixture
def january(sales):
    sales.at("2026-01-15T09:00:00Z")


# "Para identificar la venta se puede utilizar el campo salesCesceReferenceNo o bien el invoiceNo +
# maturityDate." The wire name at cesce.es is saleCesceReferenceNo; the guide's is read too.
def test_one_sale_by_either_identifier(sales, january):
    by_reference = sales.sale(saleCesceReferenceNo="1000002").json["sale"]
    assert (by_reference["invoiceNo"], by_reference["collectedAmount"], by_reference["collectionDate"]) == ("FRA-0002", "3000,00", "20260114")
    assert sales.sale(invoiceNo="FRA-0002", maturityDate="20260306").json["sale"] == by_reference
    assert sales.sale(salesCesceReferenceNo="1000002").json["sale"] == by_reference
    findings = sales.api.operator("GET", "journal")["entries"][-1]["findings"]
    assert findings[0]["field"] == "salesCesceReferenceNo" and "saleCesceReferenceNo" in findings[0]["message"]
    assert error_of(sales.sale(invoiceNo="FRA-0002")) == (400, "3011")
    assert error_of(sales.sale(saleCesceReferenceNo="999999")) == (400, "3012")


def test_a_strict_emulator_says_which_name_cesces_wire_uses():
    app = create_app(Settings(strict=True))
    client = app.test_client()
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": "strict-sales",
                                                      "client_secret": "s", "username": "u", "password": "p"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/dev/sales/v1/contracts/{STANDARD}/sale"
    queried = client.get(base, query_string={"salesCesceReferenceNo": "1000001"}, headers=headers)
    modified = client.post(base, json={"sale": {"salesCesceReferenceNo": "1000001"}, "modification": {"currencyAmount": "1,00"}},
                           headers=headers)
    for answer in (queried, modified):
        assert error_of(answer) == (400, "1009")
        assert answer.json["error"]["errorDescription"] == (
            "El campo salesCesceReferenceNo no existe en el API de Cesce: se llama saleCesceReferenceNo")
    app.extensions["cesce"].store.close()


# "la consulta de ventas de una póliza por deudor y/o mes de factura o statusCode, o una
# combinación de varios filtros."
@pytest.mark.parametrize(("query", "expected"), [
    ({}, [f"10000{n:02d}" for n in range(1, 18)]),
    ({"endorsementNo": "107"}, ["1000002", "1000012"]),
    ({"customerReference": "CLI-0107"}, ["1000002", "1000012"]),
    ({"invoiceMonth": "202511"}, ["1000013", "1000014", "1000017"]),
    ({"statusCode": "9"}, ["1000003", "1000004", "1000005", "1000006", "1000015"]),
    ({"endorsementNo": "100", "invoiceMonth": "202512", "statusCode": "5"}, ["1000001"]),
    ({"endorsementNo": "100", "statusCode": "10"}, ["1000011"]),
    ({"endorsementNo": "101"}, []),
    ({"invoiceMonth": "202001"}, []),
    ({"invoiceMonth": "999912"}, []),  # the last month a date can name: it ends on date.max
], ids=["all", "by-endorsement", "by-reference", "by-month", "by-status", "combined", "debtor-and-status", "no-sales",
        "empty-month", "last-month-of-9999"])
def test_the_list_filters_combine(sales, january, query, expected):
    answer = sales.list(**query)
    assert answer.status_code == 200
    assert [s["saleCesceReferenceNo"] for s in answer.json["sale"] or []] == expected
    assert answer.json["client"] == {"contractNo": STANDARD, "initialValue": ""}
    if not expected:
        assert answer.json["sale"] is None


def test_list_filters_that_cannot_be(sales, january):
    assert error_of(sales.list(endorsementNo="100", customerReference="CLI-0100")) == (400, "3001")
    assert error_of(sales.list(endorsementNo="999")) == (400, "2001")
    unknown = sales.list(statusCode="4")
    assert error_of(unknown) == (400, "1004") and "1, 5, 6, 7, 8, 9, 10, 11" in unknown.json["error"]["errorDescription"]
    assert error_of(sales.list(invoiceMonth="202613")) == (400, "1003")


# "Se debe entender como movimiento cualquier cambio registrado en la venta [...]. Se debe entender
# por últimas 48 horas los movimientos a partir de dos días antes al de ejecución. Esto es, si hoy
# es 05/08/2023, la lectura de los movimientos será desde el día 03/08/2023 hasta el mismo día
# 05/08/2023 (ambos incluidos)."
def test_the_48_hour_filter_on_05_08_2023_reads_from_03_08_to_05_08(sales):
    sales.at("2023-08-01T12:00:00Z")
    moved = {}
    for day, hour in (("01", "12"), ("02", "23"), ("03", "00"), ("04", "12"), ("05", "08")):
        if day != "01":
            sales.api.operator("POST", "clock", {"set": f"2023-08-{day}T{hour}:30:00Z"})
            sales.api._token = None
        declared = sales.declare(endorsementNo="100", invoiceNo=f"M-{day}", invoiceDate="20230801", maturityDate="20230830")
        moved[day] = declared.json["sale"]["saleCesceReferenceNo"]
        if day == "04":  # the sale of 01/08 is collected: a change, so a movement of 04/08
            assert sales.collect(STANDARD, {"saleCesceReferenceNo": moved["01"]}, "20230804", "100,00").status_code == 201
    sales.api.operator("POST", "clock", {"set": "2023-08-05T23:59:00Z"})
    sales.api._token = None

    listed = sales.refs(movementsInd="Y")

    assert listed == [moved["01"], moved["03"], moved["04"], moved["05"]]
    assert moved["02"] not in listed  # 02/08 23:30, less than 48 hours of the clock ago, but two days back
    assert sales.refs(movementsInd="Y", endorsementNo="100", statusCode="5") == listed
    assert moved["01"] in sales.refs(movementsInd="N")


def test_1200_sales_page_to_the_end_with_initial_value_none_missed_or_repeated(sales):
    sales.at("2026-03-02T12:00:00Z")
    scenario = {"contracts": [{"contractNo": "20000000012", "policy": "standard", "debtors": [
        {"endorsementNo": "1", "countryCode": "ES", "taxCode": "B90000001", "status": "in-force", "requested": "50000,00",
         "since": "-P400D"}],
        "sales": [{"endorsementNo": "1", "invoiceNo": f"P-{n:04d}", "invoiceDate": "-P10D", "maturityDate": "P50D",
                   "amount": "100,00", "status": "rated"} for n in range(1, 1201)]}]}
    sales.api.seed(scenario)

    pages, cursors, start = [], [], None
    while True:
        answer = sales.list("20000000012", **({"initialValue": start} if start else {}))
        pages.append([s["invoiceNo"] for s in answer.json["sale"]])
        start = answer.json["client"]["initialValue"]
        cursors.append(start)
        if start == "":
            break

    assert [len(page) for page in pages] == [500, 500, 200]
    assert [no for page in pages for no in page] == [f"P-{n:04d}" for n in range(1, 1201)]
    assert cursors == ["1000501", "1001001", ""]
    declared = sales.declare("20000000012", endorsementNo="1", invoiceNo="P-1201").json["sale"]
    assert declared["saleCesceReferenceNo"] == "1001201"  # the numbering goes on after the seeded ones


def test_an_empty_list_is_one_page_with_sale_null(sales):
    answer = sales.list("20000000099")
    assert answer.json == {"error": {"errorCode": "0", "errorDescription": ""},
                           "client": {"contractNo": "20000000099", "initialValue": ""}, "sale": None}


def test_every_sale_listed_is_what_reading_it_alone_answers_even_from_an_older_state_file(tmp_path, tenant_api):
    """The list joins each sale's kept wire text; a sale of a file from before those texts has
    none and is rendered as it is read, until its next change writes it."""
    path = tmp_path / "state.sqlite3"
    app = create_app(Settings(state=str(path)))
    sales = Sales(tenant_api(app.test_client(), "older-file"))
    sales.at("2026-01-20T09:00:00Z")
    for n in range(3):
        assert sales.declare(endorsementNo="100", invoiceNo=f"F-{n}").status_code == 201
    listed = sales.list().json
    alone = [sales.sale(saleCesceReferenceNo=sale["saleCesceReferenceNo"]).json["sale"] for sale in listed["sale"]]
    assert listed["sale"] == alone
    try:
        with sqlite3.connect(path) as older:
            older.execute("UPDATE sales SET wire = NULL")
        assert sales.list().json == listed
        first = {"saleCesceReferenceNo": listed["sale"][0]["saleCesceReferenceNo"]}
        assert sales.modify(STANDARD, first, currencyAmount="900,00").status_code == 200
        with sqlite3.connect(path) as older:
            kept = older.execute("SELECT wire FROM sales WHERE sale_no = ?", (int(first["saleCesceReferenceNo"]),)).fetchone()[0]
        assert json.loads(kept) == sales.list().json["sale"][0]
        assert json.loads(kept)["currencyAmount"] == "900,00"
    finally:
        app.extensions["cesce"].store.close()
