"""Modifying sales (POST sale), by rules 1 to 8 of the guide's §4.2, on the tenant's clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from emulator.sales.cesce import CLAIM_DOSSIER_OPENED
from emulator.world import enter

STANDARD, RECOURSE = "10100000001", "10500000006"
APRIL = [date(2023, 4, 1) + timedelta(days=n) for n in range(30)]


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


def reference(answer) -> dict:
    assert answer.status_code == 201, answer.json
    return {"saleCesceReferenceNo": answer.json["sale"]["saleCesceReferenceNo"]}


# The guide's example, with a grace of 10 days (the standard policy's):
# "Si hoy es un día entre el 1/04/2023 y el 10/04/2023, se permite la modificación de las ventas con
# fecha factura/adquisición de los meses abril/2023, marzo/2023 y febrero/2023. Para las ventas de
# abril/2023 y marzo/2023 se permite la modificación de todos los campos [...]. Para las ventas de
# febrero/2023 se permite la modificación de todos campos menos la fecha de vencimiento [...].
# Si hoy es día entre 11/04/2023 y 30/04/2023, solo se permite la modificación de las ventas con
# fecha factura/adquisición de los meses abril/2023 y marzo/2023."
@pytest.mark.parametrize("today", APRIL, ids=[day.isoformat() for day in APRIL])
def test_the_guides_window_example_day_by_day(sales, today):
    sales.at(f"{today.isoformat()}T10:00:00Z")
    declared = {month: reference(sales.declare(endorsementNo="100", invoiceNo=f"W-{month}", invoiceDate=f"2023{month}01",
                                               maturityDate=f"2023{month}20"))
                for month in ("01", "02", "03", "04")}

    def amount(month):
        return sales.modify(STANDARD, declared[month], currencyAmount="1100,00")

    def maturity(month):
        return sales.modify(STANDARD, declared[month], maturityDate=f"2023{month}25")

    for month in ("03", "04"):  # rule 1: the current and previous months, every field
        assert amount(month).status_code == 200, (today, month, amount(month).json)
        assert maturity(month).status_code == 200, (today, month)
    if today.day <= 10:  # rule 2: February in the grace days, all but the maturity date
        assert amount("02").status_code == 200, today
        refused = maturity("02")
        assert error_of(refused) == (400, "3017") and "maturityDate" in refused.json["error"]["errorDescription"]
    else:  # rule 3: nothing outside
        for refused in (amount("02"), maturity("02")):
            assert error_of(refused) == (400, "3016"), today
    refused = amount("01")  # January is never in the window in April
    assert error_of(refused) == (400, "3016")
    assert "currencyAmount" in refused.json["error"]["errorDescription"] and "202301" in refused.json["error"]["errorDescription"]


def test_the_grace_days_are_the_policys(sales):
    # The group's policy (10400000005) gives 5 grace days: on 2023-04-06, February is closed.
    sales.at("2023-04-06T10:00:00Z")
    group = reference(sales.declare("10400000005", endorsementNo="500", invoiceDate="20230210", maturityDate="20230310"))
    assert error_of(sales.modify("10400000005", group, currencyAmount="999,00")) == (400, "3016")
    standard = reference(sales.declare(endorsementNo="100", invoiceDate="20230210", maturityDate="20230310"))
    assert sales.modify(STANDARD, standard, currencyAmount="999,00").status_code == 200


def test_a_factoring_sales_window_follows_its_acquisition_date(sales):
    # Invoiced in February, acquired in March: on 2023-04-20 its month is March's.
    sales.at("2023-04-20T10:00:00Z")
    sale = reference(sales.declare(RECOURSE, endorsementNo="600", invoiceDate="20230227", acquisitionDate="20230301",
                                   maturityDate="20230420", taxCodeTransferor="B80000001"))
    assert sales.modify(RECOURSE, sale, maturityDate="20230425").status_code == 200


@pytest.fixture
def january(sales):
    sales.at("2026-01-15T09:00:00Z")


# "4. No se permite la modificación de ventas que estén certificadas, titulizadas o en trámite.
# 6. No se permite la modificación de ventas en situación de Baja ni Prorrogada. Tampoco se permite
# la modificación si la venta está pendiente de retarificar."
@pytest.mark.parametrize(("sale", "status"), [("1000009", "6"), ("1000010", "7"), ("1000007", "1"), ("1000011", "10"),
                                              ("1000013", "8"), ("1000012", "11")],
                         ids=["certified", "securitised", "en-tramite", "baja", "prorrogada", "pending-rerating"])
def test_rules_4_and_6_no_modification_in_these_statuses(sales, january, sale, status):
    answer = sales.modify(STANDARD, {"saleCesceReferenceNo": sale}, currencyAmount="100,00")
    assert error_of(answer) == (400, "3014")
    assert f"statusCode {status}" in answer.json["error"]["errorDescription"]
    assert sales.sale(saleCesceReferenceNo=sale).json["sale"]["currencyAmount"] != "100,00"


# "5. No se permite la modificación de ventas que estén asignadas a un suplemento de clasificación
# afectado por un expediente de impago en la misma póliza." The sales area listens for what the
# claims area announces when a dossier opens on an endorsement: here the announcement alone
# (tests/claims/test_declare.py opens a dossier through the API).
def test_rule_5_no_modification_once_a_claims_dossier_opens_on_the_endorsement(sales, january, app):
    sale = {"saleCesceReferenceNo": "1000001"}  # debtor 100
    other = {"saleCesceReferenceNo": "1000002"}  # debtor 107
    assert sales.modify(STANDARD, sale, currencyAmount="11000,00").status_code == 200
    cesce = app.extensions["cesce"]
    with cesce.store.transaction() as tx:
        enter(tx, cesce.model, sales.api.tenant).announce(CLAIM_DOSSIER_OPENED, STANDARD, "100")

    refused = sales.modify(STANDARD, sale, currencyAmount="10000,00")
    assert error_of(refused) == (400, "3015") and "100" in refused.json["error"]["errorDescription"]
    assert sales.modify(STANDARD, other, currencyAmount="7000,00").status_code == 200


# "7. La fecha de factura/adquisición: sólo está permitido su modificación si corresponde al mismo
# mes que tenga asignado la venta."
def test_rule_7_the_invoice_date_moves_only_within_its_month(sales, january):
    sale = {"saleCesceReferenceNo": "1000001"}  # invoiced 2025-12-26
    moved = sales.modify(STANDARD, sale, invoiceDate="20251201")
    assert moved.status_code == 200 and moved.json["sale"]["invoiceDate"] == "20251201"
    refused = sales.modify(STANDARD, sale, invoiceDate="20260102")
    assert error_of(refused) == (400, "3018") and "invoiceDate" in refused.json["error"]["errorDescription"]


def test_rule_7_on_factoring_the_acquisition_date_too(sales, january):
    sale = {"saleCesceReferenceNo": "6000001"}  # acquired 2026-01-07
    assert sales.modify(RECOURSE, sale, acquisitionDate="20260109").status_code == 200
    assert error_of(sales.modify(RECOURSE, sale, acquisitionDate="20251231")) == (400, "3018")


# "8. No se permite la modificación de la venta salvo que se tenga permiso para modificar todos los
# campos solicitados."
def test_rule_8_all_or_nothing_naming_the_field_that_may_not_change(sales):
    sales.at("2026-01-05T09:00:00Z")  # in the grace days: November's sales change, but not their maturity
    sale = reference(sales.declare(endorsementNo="100", invoiceNo="N-1", invoiceDate="20251120", maturityDate="20260110"))

    refused = sales.modify(STANDARD, sale, currencyAmount="2000,00", maturityDate="20260112")

    assert error_of(refused) == (400, "3017")
    assert "maturityDate" in refused.json["error"]["errorDescription"]
    unchanged = sales.sale(**sale).json["sale"]
    assert (unchanged["currencyAmount"], unchanged["maturityDate"]) == ("1000,00", "20260110")
    assert sales.modify(STANDARD, sale, currencyAmount="2000,00").json["sale"]["currencyAmount"] == "2000,00"


def test_a_modification_rates_the_sale_again_and_is_a_movement(sales, january):
    sale = {"saleCesceReferenceNo": "1000017"}  # 15000,00 on debtor 100, invoiced 2025-11-16: out of the window
    assert error_of(sales.modify(STANDARD, sale, currencyAmount="1,00")) == (400, "3016")
    sale = {"saleCesceReferenceNo": "1000001"}
    assert sale["saleCesceReferenceNo"] not in sales.refs(movementsInd="Y")
    bigger = sales.modify(STANDARD, sale, currencyAmount="60000,00").json["sale"]  # above 100's 50000,00
    assert (bigger["statusCode"], bigger["reasonStatusCode"], bigger["accruedPremium"]) == ("9", "22", "0,00")
    fixed = sales.modify(STANDARD, sale, currencyAmount="40000,00").json["sale"]
    assert (fixed["statusCode"], fixed["reasonStatusCode"], fixed["accruedPremium"]) == ("5", "03", "100,00")
    assert sale["saleCesceReferenceNo"] in sales.refs(movementsInd="Y")


def test_the_debtor_can_change_and_is_named_either_way(sales, january):
    sale = {"saleCesceReferenceNo": "1000001"}
    moved = sales.modify(STANDARD, sale, customerReference="CLI-0107").json["sale"]
    assert (moved["endorsementNo"], moved["customerReference"]) == ("107", "CLI-0107")
    both = sales.modify(STANDARD, sale, endorsementNo="100", customerReference="CLI-0100")
    assert error_of(both) == (400, "3001")


def test_a_sale_is_named_by_its_reference_or_by_invoice_and_maturity(sales, january):
    by_invoice = {"invoiceNo": "FRA-0001", "maturityDate": "20260224"}
    assert sales.modify(STANDARD, by_invoice, currencyAmount="11111,00").json["sale"]["saleCesceReferenceNo"] == "1000001"
    assert error_of(sales.modify(STANDARD, {"invoiceNo": "FRA-0001"}, currencyAmount="1,00")) == (400, "3011")
    assert error_of(sales.modify(STANDARD, {"saleCesceReferenceNo": "999"}, currencyAmount="1,00")) == (400, "3012")
    # Two sales with the same invoice and maturity (two debtors): the reference must say which.
    sales.declare(endorsementNo="107", invoiceNo="FRA-0001", invoiceDate="20251226", maturityDate="20260224")
    twice = sales.modify(STANDARD, by_invoice, currencyAmount="1,00")
    assert error_of(twice) == (400, "3013") and "saleCesceReferenceNo" in twice.json["error"]["errorDescription"]


def test_a_modification_that_would_duplicate_another_sale_is_refused(sales, january):
    first = sales.declare(endorsementNo="100", invoiceNo="D-1", currencyAmount="500,00").json["sale"]
    second = reference(sales.declare(endorsementNo="100", invoiceNo="D-1", currencyAmount="600,00"))
    answer = sales.modify(STANDARD, second, currencyAmount="500,00")
    assert error_of(answer) == (400, "3003") and first["saleCesceReferenceNo"] in answer.json["error"]["errorDescription"]


def test_a_modification_must_change_something(sales, january):
    same = sales.modify(STANDARD, {"saleCesceReferenceNo": "1000001"}, currencyAmount="12000,00")
    assert error_of(same) == (400, "3019")


def test_the_guides_identifier_spelling_is_read_and_noted(sales, january):
    answer = sales.api.post(f"sales/v1/contracts/{STANDARD}/sale",
                            {"sale": {"salesCesceReferenceNo": "1000001"}, "modification": {"currencyAmount": "11500,00"}})
    assert answer.status_code == 200
    [entry] = [e for e in sales.api.operator("GET", "journal")["entries"] if e["operation"] == "modifySale"]
    assert [f["rule"] for f in entry["findings"]] == ["field-name"]
    assert "saleCesceReferenceNo" in entry["findings"][0]["message"]
