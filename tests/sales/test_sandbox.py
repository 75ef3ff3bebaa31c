"""The sandbox catalog replays the Sales Sandbox Model: its sales at sandboxNow, the rules
evaluated and every write rolled back, Not Found for anything outside it."""

from __future__ import annotations

import pytest

STANDARD = "10100000001"


def test_the_sandbox_answers_the_mock_sales_at_its_instant(sandbox_sales):
    sale = sandbox_sales.sale(saleCesceReferenceNo="1000001").json["sale"]
    assert (sale["invoiceDate"], sale["maturityDate"], sale["statusCode"]) == ("20251226", "20260224", "5")
    assert sandbox_sales.refs(movementsInd="Y") == ["1000002", "1000007", "1000008", "1000011", "1000012", "1000016"]
    sandbox_sales.api.advance("P30D")
    assert sandbox_sales.refs(movementsInd="Y") == ["1000002", "1000007", "1000008", "1000011", "1000012", "1000016"]


def test_nothing_a_sandbox_sale_does_is_kept(sandbox_sales):
    first = sandbox_sales.declare(endorsementNo="100", invoiceNo="SBX-1")
    again = sandbox_sales.declare(endorsementNo="100", invoiceNo="SBX-1")
    assert (first.status_code, again.status_code) == (201, 201)  # not a duplicate: the first was never kept
    assert first.json["sale"]["saleCesceReferenceNo"] == again.json["sale"]["saleCesceReferenceNo"] == "1000018"
    duplicate = sandbox_sales.declare(endorsementNo="100", invoiceNo="FRA-0001", invoiceDate="20251226",
                                      maturityDate="20260224", currencyAmount="12000,00")
    assert duplicate.json["error"]["errorCode"] == "3003"  # the documented duplicate of mock sale 1000001


@pytest.mark.parametrize("call", [
    lambda s: s.sale(saleCesceReferenceNo="4242"),
    lambda s: s.sale("99999999999", saleCesceReferenceNo="1000001"),
    lambda s: s.declare(endorsementNo="999"),
    lambda s: s.list(endorsementNo="999"),
    lambda s: s.collect(STANDARD, {"saleCesceReferenceNo": "4242"}, "20260115", "1,00"),
    lambda s: s.subsidiaries("99999999999"),
], ids=["unknown-sale", "unknown-contract", "unknown-debtor", "unknown-debtor-filter", "unknown-sale-collected", "unknown-contract-subsidiaries"])
def test_anything_outside_the_sales_sandbox_model_is_not_found(sandbox_sales, call):
    answer = call(sandbox_sales)
    assert answer.status_code == 404
    assert answer.json["error"] == {"errorCode": "404", "errorDescription": "Not Found"}


def test_the_sales_sandbox_model_carries_every_status_and_reason(sandbox_sales, app):
    model = app.extensions["cesce"].model
    found = [s for contract in ("10100000001", "10300000004", "10400000005", "10500000006", "10500000007")
             for page in sandbox_sales.every(contract) for s in page]
    ordinary = [s for s in found if not s["originalSaleCesceReferenceNo"]]
    assert {s["statusCode"] for s in ordinary} == {e["code"] for e in model.codes["sale-statuses"].values()}
    assert {s["reasonStatusCode"] for s in ordinary} == {e["code"] for e in model.codes["sale-reasons"].values()}
    assert [s["saleCesceReferenceNo"] for s in found if s["originalSaleCesceReferenceNo"]] == ["1000014"]
