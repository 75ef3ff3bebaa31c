"""The cover rules (emulator/claims/cover.py) at their boundaries, and as a client sees them:
the limit of the sale's date, used up by the dossier's earlier non-payments, times the cover
percentage; interest on the principal; recoveries shared after an indemnity."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.claims import cover
from tests.claims.conftest import CLAIMS, FREE_SALE, error_of

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.mark.parametrize(("unpaid", "limit", "taken", "covered"), [
    (1000000, 1000000, 0, 1000000),  # exactly the limit: all covered
    (1000001, 1000000, 0, 1000000),  # a cent above: that cent is not
    (999999, 1000000, 0, 999999),
    (500000, 1000000, 500000, 500000),  # the rest of the limit, exactly
    (500001, 1000000, 500000, 500000),
    (100, 1000000, 1000000, 0),  # the limit used up
    (100, 1000000, 1200000, 0),  # and beyond (a reduction since): never negative
    (100, 0, 0, 0),  # no limit on the sale's date
])
def test_the_covered_part_is_what_is_left_of_the_limit(unpaid, limit, taken, covered):
    result = cover.analyse(unpaid, limit, taken, 9000)
    assert (result.covered, result.not_covered) == (covered, unpaid - covered)


@pytest.mark.parametrize(("covered", "pct", "indemnifiable"), [
    (1000000, 9000, 900000), (1, 9000, 1), (5, 9000, 5), (4, 9000, 4), (15, 9000, 14),  # half a cent rounds up
    (1000000, 10000, 1000000), (1000000, 0, 0),
])
def test_the_indemnifiable_part_is_the_covered_one_times_the_cover_percentage(covered, pct, indemnifiable):
    result = cover.analyse(covered, covered, 0, pct)
    assert (result.indemnifiable, result.non_indemnifiable) == (indemnifiable, covered - indemnifiable)


def test_the_experts_figure_is_capped_by_the_unpaid_amount():
    assert cover.analyse(1000, 0, 0, 9000, covered=600).covered == 600  # beyond the limit: their decision
    assert cover.analyse(1000, 5000, 0, 9000, covered=2000).covered == 1000
    assert cover.analyse(1000, 5000, 0, 9000, covered=0).not_covered == 1000


@given(unpaid=st.integers(1, 10**12), limit=st.integers(0, 10**12), taken=st.integers(0, 10**12),
       pct=st.integers(0, 10000))
def test_each_pair_of_amounts_adds_up_to_the_unpaid_one(unpaid, limit, taken, pct):
    result = cover.analyse(unpaid, limit, taken, pct)
    assert result.covered + result.not_covered == unpaid == result.indemnifiable + result.non_indemnifiable
    assert 0 <= result.indemnifiable <= result.covered <= max(0, limit - taken)


def test_the_limit_of_a_date_is_the_last_one_in_force_by_then():
    entries = [(None, 3000000), (FEB, 1000000), (MAR, 0)]  # granted long ago, reduced in February, cancelled in March
    assert cover.limit_on(entries, date(2026, 1, 31)) == 3000000
    assert cover.limit_on(entries, FEB) == 1000000  # the day of the reduction: the reduced limit
    assert cover.limit_on(entries, date(2026, 2, 28)) == 1000000
    assert cover.limit_on(entries, MAR) == 0  # made on the day of the cancellation: not covered
    assert cover.limit_on([(FEB, 500000)], JAN) == 0  # before the limit existed
    assert cover.limit_on([(FEB, 500000), (FEB, 700000)], FEB) == 700000  # two changes one day: the later


@pytest.mark.parametrize(("days", "interest"), [(0, 0), (1, 8), (365, 3000), (-5, 0)])  # 1000,00 at 3 %
def test_interest_runs_from_the_maturity_to_the_settlement(days, interest):
    settled = date.fromordinal(FEB.toordinal() + days)
    assert cover.interest(100000, 300, FEB, settled) == interest


@pytest.mark.parametrize(("amount", "indemnified", "recovered", "shares"), [
    (100000, 0, 0, (0, 100000)),  # before any payment: the insured's
    (100000, 900000, 0, (90000, 10000)),
    (100000, 900000, 850000, (50000, 50000)),  # Cesce's part, never more than it paid
    (100000, 900000, 900000, (0, 100000)),
])
def test_a_recovery_is_shared_as_the_cover_percentage_says_once_cesce_paid(amount, indemnified, recovered, shares):
    assert cover.recovery_shares(amount, 9000, indemnified, recovered) == shares


# -- as a client sees them ----------------------------------------------------------------------


def _sale(claims, endorsement: str, invoice: str, dated: str, matures: str, amount: str) -> str:
    answer = claims.api.post(f"sales/v1/contracts/{CLAIMS}/sales", {"sale": {
        "endorsementNo": endorsement, "invoiceNo": invoice, "invoiceDate": dated, "maturityDate": matures,
        "currencyAmount": amount}})
    assert answer.status_code == 201 and answer.json["sale"]["statusCode"] == "5", answer.json
    return answer.json["sale"]["saleCesceReferenceNo"]


def _analysed(claims, amount: str, sale: str) -> dict:
    answer = claims.declare(amount, saleCesceReferenceNo=sale)
    assert answer.status_code == 201, answer.json
    number, internal = answer.json["client"]["dossierNo"], answer.json["nonPayment"]["internalNo"]
    assert claims.event("claim-cover-decided", dossierNo=number, internalNo=internal).status_code == 200
    return claims.get(f"dossiers/{number}/non-payments/{internal}")["nonPayment"]


def test_a_sale_is_covered_by_the_limit_of_its_own_date_and_the_dossier_uses_it_up(claims):
    # Debtor 807: 30000,00 for a year. Cesce reduces it to 10000,00 today (2026-03-02).
    reduced = claims.api.client.post("/_emulator/events", json={"type": "reduce", "contractNo": CLAIMS,
                                                                "endorsementNo": "807", "amount": "10000,00"},
                                     query_string={"client_id": claims.api.tenant})
    assert reduced.status_code == 200, reduced.json
    after = _sale(claims, "807", "AFTER-1", "20260302", "20260310", "8000,00")
    later = _sale(claims, "807", "AFTER-2", "20260302", "20260311", "9000,00")
    claims.advance("P10D")

    new = _analysed(claims, "8000,00", after)
    assert (new["creditLimitApplied"], new["coveredAmount"], new["notCoveredAmount"]) == ("10000,00", "8000,00", "0,00")
    # The reduced limit has 2000,00 left once the first sale after the reduction took its part.
    rest = _analysed(claims, "9000,00", later)
    assert (rest["creditLimitApplied"], rest["coveredAmount"], rest["notCoveredAmount"], rest["indemnifiableAmount"],
            rest["nonIndemnifiableAmount"]) == ("10000,00", "2000,00", "7000,00", "1800,00", "7200,00")
    # A sale made before the reduction (2026-01-21) is covered by the 30000,00 of its date, less
    # the 10000,00 the dossier already took.
    old = _analysed(claims, "15000,00", FREE_SALE)
    assert (old["creditLimitApplied"], old["coveredAmount"], old["indemnifiableAmount"]) == ("30000,00", "15000,00", "13500,00")
    dossier = claims.dossier(new["dossierNo"])
    assert (dossier["unpaidAmount"], dossier["coveredAmount"], dossier["notCoveredAmount"], dossier["indemnifiableAmount"]) == (
        "32000,00", "25000,00", "7000,00", "22500,00")


def test_a_sale_made_after_the_limit_was_cancelled_takes_no_claim(claims):
    claims.api.client.post("/_emulator/events", json={"type": "cancel", "contractNo": CLAIMS, "endorsementNo": "807"},
                           query_string={"client_id": claims.api.tenant})
    answer = claims.api.post(f"sales/v1/contracts/{CLAIMS}/sales", {"sale": {
        "endorsementNo": "807", "invoiceNo": "AFTER-CANCEL", "invoiceDate": "20260302", "maturityDate": "20260310",
        "currencyAmount": "1000,00"}})
    assert answer.json["sale"]["statusCode"] == "9"  # no cover on its date: rejected
    claims.advance("P10D")
    assert error_of(claims.declare("1000,00", saleCesceReferenceNo=answer.json["sale"]["saleCesceReferenceNo"])) == (400, "4005")
    # The sale made while the limit covered still is covered, by the limit it had then.
    covered = _analysed(claims, "15000,00", FREE_SALE)
    assert (covered["creditLimitApplied"], covered["coveredAmount"]) == ("30000,00", "15000,00")


def test_a_recovery_after_the_indemnity_is_shared_and_the_dossier_shows_it(claims):
    number = claims.opened("10000,00")
    claims.event("claim-cover-decided", dossierNo=number, internalNo="1")
    claims.upload_all(number)
    for document in claims.documents(number):
        claims.event("claim-document-validated", documentNo=document["documentNo"])
    claims.event("claim-settlement-paid", settlementNo=claims.settlements(number)[0]["settlementNo"])
    too_much = claims.event("claim-recovery", dossierNo=number, amount="10000,01")
    assert (too_much.status_code, too_much.json["errorCode"]) == (400, "4014")
    assert claims.event("claim-recovery", dossierNo=number, amount="4000,00").status_code == 200
    [recovery] = claims.get(f"dossiers/{number}/recoveries")["recovery"]
    assert (recovery["recoveredAmount"], recovery["cesceAmount"], recovery["insuredAmount"]) == ("4000,00", "3600,00", "400,00")
    dossier = claims.dossier(number)
    assert (dossier["statusCode"], dossier["recoveredAmount"], dossier["cesceRecoveredAmount"]) == ("6", "4000,00", "3600,00")
    procedures = [p["stepCode"] for p in claims.get(f"dossiers/{number}/recovery-procedures")["recoveryProcedure"]]
    assert procedures == ["500", "501"]
