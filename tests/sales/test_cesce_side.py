"""What happens to sales on Cesce's side and over time: the committee decides a limit a sale
waited on, Cesce cancels or reduces a limit, certifies, securitises, takes off or re-rates a sale
(POST /_emulator/events), each change a movement of the sales list."""

from __future__ import annotations

import pytest

STANDARD = "10100000001"


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


def status(sales, reference: str) -> tuple[str, str, str]:
    sale = sales.sale(saleCesceReferenceNo=reference).json["sale"]
    return sale["statusCode"], sale["reasonStatusCode"], sale["accruedPremium"]


@pytest.fixture
def january(sales):
    sales.at("2026-01-15T09:00:00Z")


# Issue acceptance: "A sale declared while the debtor's limit is EN TRÁMITE is rated when the
# committee decides, after a clock jump, and shows among the sales that moved."
def test_a_sale_on_a_limit_en_tramite_is_rated_when_the_committee_decides(sales, january):
    pending = sales.api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000005", "creditLimitRequested": "20000,00"})
    number = pending.json["debtor"]["endorsementNo"]
    declared = sales.declare(endorsementNo=number, invoiceNo="WAIT-1", invoiceDate="20260115", maturityDate="20260315",
                             currencyAmount="8000,00").json["sale"]
    reference = declared["saleCesceReferenceNo"]
    assert (declared["statusCode"], declared["reasonStatusCode"]) == ("1", "10")

    sales.api.advance("P7D")  # the committee grants 75 % of 20000,00 on 2026-01-22

    rated = sales.sale(saleCesceReferenceNo=reference).json["sale"]
    assert (rated["statusCode"], rated["reasonStatusCode"], rated["accruedPremium"], rated["statusDate"]) == ("5", "00", "20,00", "20260122")
    assert reference in sales.refs(movementsInd="Y")


def test_a_rating_after_a_long_jump_happens_at_the_committees_moment_not_now(sales, january):
    # The mock sale 1000008 waits on debtor 106's 300001 request, decided 2026-01-21.
    sales.api.advance("P30D")
    rated = sales.sale(saleCesceReferenceNo="1000008").json["sale"]
    assert (rated["statusCode"], rated["statusDate"]) == ("5", "20260121")
    assert "1000008" not in sales.refs(movementsInd="Y")


def test_a_sale_waiting_on_a_limit_the_committee_rejects_is_rejected(sales, january):
    pending = sales.api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000006", "creditLimitRequested": "20000,00"})
    number = pending.json["debtor"]["endorsementNo"]
    reference = sales.declare(endorsementNo=number, invoiceDate="20260115").json["sale"]["saleCesceReferenceNo"]
    sales.event("resolve", contractNo=STANDARD, endorsementNo=number, decision="reject")
    assert status(sales, reference) == ("9", "20", "0,00")


# The rule cesce-sandbox chose (mocks/README.md): a cancellation or reduction acts from its day on.
def test_a_cancellation_by_cesce_rejects_the_debtors_sales_dated_from_that_day_only(sales, january):
    earlier = sales.declare(endorsementNo="100", invoiceNo="C-1", invoiceDate="20260114").json["sale"]
    later = sales.declare(endorsementNo="100", invoiceNo="C-2", invoiceDate="20260120",
                          maturityDate="20260320").json["sale"]["saleCesceReferenceNo"]
    sales.api.advance("P1D")

    assert sales.event("cancel", contractNo=STANDARD, endorsementNo="100").status_code == 200

    assert sales.sale(saleCesceReferenceNo=earlier["saleCesceReferenceNo"]).json["sale"] == earlier
    cancelled = sales.sale(saleCesceReferenceNo=later).json["sale"]
    assert (cancelled["statusCode"], cancelled["reasonStatusCode"], cancelled["statusDate"]) == ("9", "20", "20260116")
    assert later in sales.refs(movementsInd="Y")
    # Declared now, a sale of before the cancellation is on an annulled endorsement: an endorsed
    # sale, which the standard policy (no Endosos) does not rate.
    assert sales.declare(endorsementNo="100", invoiceNo="C-3", invoiceDate="20260114").json["sale"]["reasonStatusCode"] == "25"


def test_a_reduction_rejects_the_later_sales_above_the_reduced_limit(sales, january):
    earlier = sales.declare(endorsementNo="100", invoiceNo="R-1", invoiceDate="20260114",
                            currencyAmount="30000,00").json["sale"]["saleCesceReferenceNo"]
    big = sales.declare(endorsementNo="100", invoiceNo="R-2", invoiceDate="20260116", maturityDate="20260316",
                        currencyAmount="30000,00").json["sale"]["saleCesceReferenceNo"]
    small = sales.declare(endorsementNo="100", invoiceNo="R-3", invoiceDate="20260116", maturityDate="20260316",
                          currencyAmount="8000,00").json["sale"]["saleCesceReferenceNo"]
    [small_before] = [s for s in sales.every()[0] if s["saleCesceReferenceNo"] == small]

    assert sales.event("reduce", contractNo=STANDARD, endorsementNo="100", amount="10000,00").status_code == 200

    assert status(sales, earlier) == ("5", "00", "75,00")
    assert status(sales, big) == ("9", "22", "0,00")
    assert sales.sale(saleCesceReferenceNo=small).json["sale"] == small_before  # still covered: no movement


def test_an_increase_changes_no_rating(sales, january):
    before = sales.every()
    assert sales.event("increase", contractNo=STANDARD, endorsementNo="100", amount="90000,00").status_code == 200
    assert sales.every() == before


# The states the guide names: certificada, titulizada, Baja, pendiente de retarificar.
def test_cesce_certifies_securitises_and_takes_off_sales(sales, january):
    certified = sales.event("certify-sale", contractNo=STANDARD, saleCesceReferenceNo="1000001").json["results"][0]
    assert (certified["statusCode"], certified["reasonStatusCode"], certified["accruedPremium"]) == ("6", "30", "30,00")
    securitised = sales.event("securitise-sale", contractNo=STANDARD, saleCesceReferenceNo="1000001").json["results"][0]
    assert (securitised["statusCode"], securitised["reasonStatusCode"]) == ("7", "31")
    off = sales.event("cancel-sale", contractNo=STANDARD, saleCesceReferenceNo="1000001").json["results"][0]
    assert (off["statusCode"], off["reasonStatusCode"], off["accruedPremium"]) == ("10", "50", "0,00")
    assert "1000001" in sales.refs(movementsInd="Y")
    refused = sales.event("certify-sale", contractNo=STANDARD, saleCesceReferenceNo="1000001")
    assert refused.status_code == 400 and "certify-sale" in refused.json["error"]
    assert sales.event("cancel-sale", contractNo=STANDARD, saleCesceReferenceNo="1000001").status_code == 400
    assert sales.event("cancel-sale", contractNo=STANDARD, saleCesceReferenceNo="999").status_code == 404


def test_a_sale_marked_for_re_rating_is_rated_again_when_cesce_gets_to_it(sales, january):
    marked = sales.event("rerate-sale", contractNo=STANDARD, saleCesceReferenceNo="1000004", rerateIn="P2D").json["results"][0]
    assert (marked["statusCode"], marked["reasonStatusCode"], marked["rerateAt"]) == ("11", "11", "2026-01-17T09:00:00.000000Z")
    assert error_of(sales.modify(STANDARD, {"saleCesceReferenceNo": "1000004"}, currencyAmount="1,00")) == (400, "3014")
    sales.api.advance("P2D")
    assert status(sales, "1000004") == ("9", "21", "0,00")  # its maturity is still beyond 90 days
    assert sales.event("rerate-sale", contractNo=STANDARD, saleCesceReferenceNo="1000007").status_code == 400  # en trámite


def test_the_mock_sale_pending_re_rating_is_rated_the_next_day(sales, january):
    assert status(sales, "1000012")[0] == "11"
    sales.api.advance("P1D")
    assert status(sales, "1000012") == ("5", "03", "13,75")


def test_taking_off_a_sale_drops_its_re_rating(sales, january):
    sales.event("cancel-sale", contractNo=STANDARD, saleCesceReferenceNo="1000012")
    sales.api.advance("P3D")
    assert status(sales, "1000012")[0] == "10"


@pytest.mark.parametrize("event", [{"rerateIn": "soon"}, {"rerateIn": "-P1D"}, {"extra": "x"}, {"saleCesceReferenceNo": "x"}])
def test_a_malformed_sale_event_is_refused(sales, january, event):
    answer = sales.event("rerate-sale", **{"contractNo": STANDARD, "saleCesceReferenceNo": "1000001", **event})
    assert answer.status_code == 400, answer.json
