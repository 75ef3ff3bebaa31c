"""A claim from declaration to a paid settlement and a closed dossier (the guide's chapter 5 and
its six milestones), once by the tenant's clock and once by Cesce-side events alone."""

from __future__ import annotations

from tests.claims.conftest import CLAIMS, Claims

#: Dossier statusCode (mocks/codes/claim-dossier-statuses.yaml).
OPENED, DOCUMENTS, SETTLING, INDEMNIFIED, RECOVERY, CLOSED = "1", "3", "4", "5", "6", "7"


def test_a_claim_walks_to_a_paid_settlement_and_a_closed_dossier_as_the_clock_advances(claims):
    declared = claims.declare("15000,00")
    assert declared.status_code == 201, declared.json
    number = declared.json["client"]["dossierNo"]
    assert declared.json["nonPayment"]["statusCode"] == "1" and declared.json["nonPayment"]["analysisTypeCode"] == "A"
    assert claims.dossier(number)["statusCode"] == OPENED
    # The dossier's own document and the non-payment's two, all requested.
    assert sorted(d["documentTypeCode"] for d in claims.documents(number)) == ["01", "02", "10"]
    assert {d["statusCode"] for d in claims.documents(number)} == {"1"}

    claims.advance("P2D")  # the policy's analysisDelay: Cesce's automatic cover analysis
    analysed = claims.get(f"dossiers/{number}/non-payments/1")["nonPayment"]
    assert (analysed["statusCode"], analysed["creditLimitApplied"], analysed["coveredAmount"],
            analysed["indemnifiableAmount"], analysed["nonIndemnifiableAmount"]) == ("3", "30000,00", "15000,00",
                                                                                    "13500,00", "1500,00")
    assert claims.dossier(number)["statusCode"] == DOCUMENTS
    assert claims.settlements(number) == []
    pending = claims.get(f"dossiers/{number}/dates-pending-settlements")["datePendingSettlement"]
    assert pending == [{"dossierNo": number, "internalNo": "1", "pendingAmount": "13500,00", "pendingReasonCode": "2",
                        "expectedDate": "0"}]

    claims.upload_all(number)
    claims.advance("P2D")  # received, not yet validated (validationDelay P3D): no settlement
    assert {d["statusCode"] for d in claims.documents(number)} == {"3"}
    assert claims.settlements(number) == []

    claims.advance("P1D")  # validated on 2026-03-07: the settlement appears, in progress
    assert {d["statusCode"] for d in claims.documents(number)} == {"4"}
    [settlement] = claims.settlements(number)
    # Interest: 13500,00 at 3 % a year for the 15 days from the maturity (2026-02-20) to the settlement.
    assert (settlement["settlementStatusCode"], settlement["settlementDate"], settlement["paymentDate"],
            settlement["amtPrinIndemnified"], settlement["amtIntIndemnified"]) == ("1", "20260307", "0", "13500,00", "16,64")
    assert claims.dossier(number)["statusCode"] == SETTLING
    pending = claims.get(f"dossiers/{number}/dates-pending-settlements")["datePendingSettlement"]
    assert [(p["pendingReasonCode"], p["pendingAmount"], p["expectedDate"]) for p in pending] == [("3", "13516,64", "20260312")]

    claims.advance("P5D")  # paymentDelay
    paid = claims.get(f"settlements/{settlement['settlementNo']}")["settlement"]
    assert (paid["settlementStatusCode"], paid["paymentDate"]) == ("2", "20260312")
    dossier = claims.dossier(number)
    assert (dossier["statusCode"], dossier["indemnifiedAmount"], dossier["closingDate"]) == (INDEMNIFIED, "13516,64", "0")
    assert claims.get(f"dossiers/{number}/dates-pending-settlements")["datePendingSettlement"] is None
    unpaid = claims.get(f"settlements/{settlement['settlementNo']}/unpaid-settlements")["unpaidSettlement"]
    assert [(u["internalNo"], u["amtPrinIndemnified"], u["amtIntIndemnified"]) for u in unpaid] == [("1", "13500,00", "16,64")]

    claims.advance("P34D")  # Cesce's own recovery comes the policy's recoveryDelay (P45D) after the opening
    assert claims.dossier(number)["statusCode"] == INDEMNIFIED
    assert claims.get(f"dossiers/{number}/recoveries")["recovery"] is None
    claims.advance("P1D")
    # recoveredShare 20,00 % of the 15000,00 unpaid, after the indemnity: Cesce's 90 % and the insured's 10 %
    [recovery] = claims.get(f"dossiers/{number}/recoveries")["recovery"]
    assert (recovery["recoveryDate"], recovery["recoveredAmount"], recovery["cesceAmount"], recovery["insuredAmount"]) == (
        "20260416", "3000,00", "2700,00", "300,00")
    dossier = claims.dossier(number)
    assert (dossier["statusCode"], dossier["recoveredAmount"], dossier["cesceRecoveredAmount"]) == (RECOVERY, "3000,00", "2700,00")

    claims.advance("P24D")  # recovery runs for the policy's recoveryPeriod (P60D) after the payment
    assert claims.dossier(number)["statusCode"] == RECOVERY
    claims.advance("P1D")
    dossier = claims.dossier(number)
    assert (dossier["statusCode"], dossier["closingDate"]) == (CLOSED, "20260511")
    steps = [s["stepCode"] for s in claims.get(f"dossiers/{number}/processing-steps")["processingStep"]]
    assert steps == ["100", "101", "102", "201", "301", "301", "301", "302", "302", "302", "400", "401", "600"]
    procedures = claims.get(f"dossiers/{number}/recovery-procedures")["recoveryProcedure"]
    assert [p["stepCode"] for p in procedures] == ["500", "501", "502"]


def test_the_same_end_through_events_alone(claims):
    number = claims.opened("15000,00")
    assert claims.event("claim-cover-decided", dossierNo=number, internalNo="1").status_code == 200
    claims.upload_all(number)
    for document in claims.documents(number):
        assert claims.event("claim-document-validated", documentNo=document["documentNo"]).status_code == 200
    [settlement] = claims.settlements(number)
    # Settled on the day of the declaration: ten days of interest (from 2026-02-20).
    assert (settlement["settlementStatusCode"], settlement["amtPrinIndemnified"], settlement["amtIntIndemnified"]) == (
        "1", "13500,00", "11,10")
    assert claims.event("claim-settlement-paid", settlementNo=settlement["settlementNo"]).status_code == 200
    closed = claims.event("claim-dossier-closed", dossierNo=number)
    assert closed.status_code == 200, closed.json
    dossier = claims.dossier(number)
    assert (dossier["statusCode"], dossier["closingDate"], dossier["indemnifiedAmount"]) == (CLOSED, "20260302", "13511,10")
    assert claims.settlements(number)[0]["paymentDate"] == "20260302"


def test_an_event_that_does_not_apply_is_refused_and_changes_nothing(claims):
    number = claims.opened("15000,00")
    early = claims.event("claim-dossier-closed", dossierNo=number)
    assert (early.status_code, early.json["errorCode"]) == (400, "4013")
    assert claims.event("claim-document-validated", documentNo="1").status_code == 400  # requested, not received
    assert claims.event("claim-cover-decided", dossierNo=number, internalNo="1").status_code == 200
    again = claims.event("claim-cover-decided", dossierNo=number, internalNo="1")
    assert again.status_code == 400
    assert claims.dossier(number)["statusCode"] == DOCUMENTS


def test_experts_analyse_a_non_payment_above_the_policys_threshold_and_take_longer(claims):
    assert claims.declare("15000,00").json["nonPayment"]["analysisTypeCode"] == "A"
    big = claims.api.post(f"sales/v1/contracts/{CLAIMS}/sales", {"sale": {
        "endorsementNo": "801", "invoiceNo": "BIG-1", "invoiceDate": "20260105", "maturityDate": "20260225",
        "currencyAmount": "35000,00"}})
    assert big.status_code == 201 and big.json["sale"]["statusCode"] == "5", big.json
    # 801's dossier (the Sandbox Model's second) is open: the new non-payment joins it.
    manual = claims.declare("30000,01", saleCesceReferenceNo=big.json["sale"]["saleCesceReferenceNo"])
    assert manual.status_code == 201 and manual.json["nonPayment"]["analysisTypeCode"] == "M"
    dossier, internal = manual.json["client"]["dossierNo"], manual.json["nonPayment"]["internalNo"]
    claims.advance("P14D")
    assert claims.get(f"dossiers/{dossier}/non-payments/{internal}")["nonPayment"]["statusCode"] == "2"
    claims.advance("P1D")
    assert claims.get(f"dossiers/{dossier}/non-payments/{internal}")["nonPayment"]["statusCode"] == "3"


def test_a_dossier_with_nothing_to_indemnify_closes_when_recovery_ends_whatever_happens_meanwhile(claims):
    number = claims.opened("15000,00")
    claims.event("claim-cover-decided", dossierNo=number, internalNo="1", coveredAmount="0,00")
    assert claims.dossier(number)["statusCode"] == "6"  # nothing indemnifiable: recovery only
    claims.advance("P30D")  # its documents are chased meanwhile: the closing stays where it was
    assert {d["statusCode"] for d in claims.documents(number)} == {"2"}
    claims.advance("P30D")
    dossier = claims.dossier(number)
    assert (dossier["statusCode"], dossier["closingDate"]) == (CLOSED, "20260501")
    assert claims.get(f"dossiers/{number}/non-payments/1")["nonPayment"]["statusCode"] == "4"  # not covered
    # Cesce's own recovery came on day 45: with nothing indemnified, all of it is the insured's.
    [recovery] = claims.get(f"dossiers/{number}/recoveries")["recovery"]
    assert (recovery["recoveryDate"], recovery["recoveredAmount"], recovery["cesceAmount"], recovery["insuredAmount"]) == (
        "20260416", "3000,00", "0,00", "3000,00")


def test_a_recovery_made_earlier_takes_the_place_of_cesces_own(claims):
    number = claims.opened("15000,00")
    claims.advance("P10D")
    assert claims.event("claim-recovery", dossierNo=number, amount="1000,00").status_code == 200
    claims.advance("P40D")  # past the policy's recoveryDelay (P45D)
    recoveries = claims.get(f"dossiers/{number}/recoveries")["recovery"]
    assert [(r["recoveryDate"], r["recoveredAmount"]) for r in recoveries] == [("20260312", "1000,00")]


def test_a_dossier_closed_before_its_recovery_recovers_nothing(claims):
    number = claims.opened("15000,00")
    claims.event("claim-cover-decided", dossierNo=number, internalNo="1", coveredAmount="0,00")
    assert claims.event("claim-dossier-closed", dossierNo=number).status_code == 200
    claims.advance("P50D")
    assert claims.get(f"dossiers/{number}/recoveries")["recovery"] is None
    assert claims.dossier(number)["recoveredAmount"] == "0,00"


def test_a_policy_without_a_recovered_share_recovers_nothing_on_its_own(api):
    """claims-in-seconds names no recoveredShare, as a policy kept in a state file from before
    Cesce's own recoveries: its dossiers wait for a recovery event."""
    api.seed({"clock": {"set": "2026-03-02T09:00:00Z", "freeze": True}, "contracts": [{
        "contractNo": "10900000001", "policy": "claims-in-seconds",
        "debtors": [{"endorsementNo": "1", "countryCode": "ES", "taxCode": "B00000001", "customerReference": "D-1",
                     "status": "in-force", "requested": "50000,00", "since": "-P400D"}],
        "sales": [{"saleCesceReferenceNo": "9000001", "endorsementNo": "1", "invoiceNo": "F-1", "invoiceDate": "-P70D",
                   "maturityDate": "-P10D", "amount": "15000,00", "status": "rated", "since": "-P70D"}],
    }]})
    claims = Claims(api)
    number = claims.opened("15000,00", saleCesceReferenceNo="9000001", contract="10900000001")
    api.advance("P59D")
    assert claims.get(f"dossiers/{number}/recoveries", contract="10900000001")["recovery"] is None
