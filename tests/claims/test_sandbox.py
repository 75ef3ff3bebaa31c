"""The claims of the Sandbox Model: one dossier at each of the guide's milestones, the same in the
sandbox catalog and in a fresh dev tenant, and the sandbox keeping nothing."""

from __future__ import annotations

from tests.claims.conftest import CLAIMS, FREE_SALE, error_of

SANDBOX_NOW = "2026-01-15T09:00:00Z"
#: Dossier, its debtor, its statusCode: 1 opened, 2 with the experts, 3 documents pending, 4 being
#: settled, 5 indemnified, 6 in recovery, 7 closed.
MILESTONES = [("1", "800", "1"), ("2", "801", "2"), ("3", "802", "3"), ("4", "803", "4"), ("5", "804", "5"),
              ("6", "805", "6"), ("7", "806", "7")]


def _milestones(claims) -> list[tuple[str, str, str]]:
    return [(d["dossierNo"], d["endorsementNo"], d["statusCode"]) for d in claims.get("dossiers")["dossier"]]


def test_the_sandbox_has_a_dossier_at_each_milestone(sandbox_claims):
    assert _milestones(sandbox_claims) == MILESTONES
    # The third: two non-payments, the second only partly covered by what was left of 802's 10000,00.
    second = sandbox_claims.get("dossiers/3/non-payments/2")["nonPayment"]
    assert (second["coveredAmount"], second["notCoveredAmount"], second["indemnifiableAmount"]) == ("2000,00", "4000,00", "1800,00")
    settlements = sandbox_claims.get("settlements")["settlement"]
    assert [(s["dossierNo"], s["settlementStatusCode"]) for s in settlements] == [("4", "1"), ("5", "2"), ("6", "2"), ("7", "2")]
    assert sandbox_claims.get("dossiers/6/recoveries")["recovery"][0]["recoveredAmount"] == "3000,00"
    assert sandbox_claims.dossier("7")["closingDate"] == "20251116"


def test_a_fresh_dev_tenant_at_the_same_instant_sees_the_same_dossiers(claims, sandbox_claims):
    claims.at(SANDBOX_NOW)
    assert _milestones(claims) == _milestones(sandbox_claims)
    for path in ("dossiers/3", "documents", "settlements", "dossiers/4/dates-pending-settlements",
                 "dossiers/7/processing-steps"):
        assert claims.get(path) == sandbox_claims.get(path), path


def test_the_sandbox_answers_a_declaration_and_keeps_nothing(sandbox_claims):
    answer = sandbox_claims.declare("1000,00", saleCesceReferenceNo=FREE_SALE)
    assert answer.status_code == 201 and answer.json["client"]["dossierNo"] == "8"
    assert [d["dossierNo"] for d in sandbox_claims.get("dossiers")["dossier"]] == [m[0] for m in MILESTONES]
    assert error_of(sandbox_claims.api.get(f"claims/v1/contracts/{CLAIMS}/dossiers/8")) == (404, "404")
    assert error_of(sandbox_claims.api.get("claims/v1/contracts/10100000009/dossiers")) == (404, "404")


def test_what_the_sandbox_model_leaves_for_later_happens_on_the_clock(claims):
    claims.at(SANDBOX_NOW)
    claims.advance("P3D")  # dossier 1's analysis; dossier 4's payment
    assert [m[2] for m in _milestones(claims)] == ["3", "2", "3", "5", "5", "6", "7"]
    assert claims.get("dossiers/5/recoveries")["recovery"] is None
    claims.advance("P2D")  # 45 days after dossier 5 opened: Cesce recovers 20 % of its 12000,00, after paying
    [recovery] = claims.get("dossiers/5/recoveries")["recovery"]
    assert (recovery["recoveredAmount"], recovery["cesceAmount"], recovery["insuredAmount"]) == ("2400,00", "2160,00", "240,00")
    assert claims.dossier("5")["statusCode"] == "6"
    # Dossier 6's recovery, a step of the Sandbox Model, takes the place of Cesce's own.
    assert [r["recoveredAmount"] for r in claims.get("dossiers/6/recoveries")["recovery"]] == ["3000,00"]


def test_the_dashboard_shows_the_dossiers_and_their_records(claims):
    html = claims.api.client.get("/_emulator/ui", query_string={"client_id": claims.api.tenant}).get_data(as_text=True)
    assert "<h4>Claims dossiers <small>(7)</small></h4>" in html
    for key in ("nonPayments", "claimDocuments", "settlements", "recoveries", "processingSteps", "recoveryProcedures",
                "claimLimits"):
        assert f'data-list="{key}"' in html, key


def test_a_scenario_whose_claim_cannot_happen_is_refused_and_leaves_nothing_behind(claims):
    contract = {"contractNo": "10900000001", "debtors": [{"endorsementNo": "1", "countryCode": "ES", "taxCode": "B1",
                                                          "status": "in-force", "requested": "1000,00", "since": "-P100D"}],
                "sales": [{"saleCesceReferenceNo": "1", "endorsementNo": "1", "invoiceNo": "A", "invoiceDate": "-P50D",
                           "maturityDate": "-P5D", "amount": "500,00", "status": "rated"}],
                "claims": [{"saleCesceReferenceNo": "1", "amount": "500,00", "declared": "-P2D",
                            "steps": [{"at": "-P1D", "do": "close"}]}]}
    seed = claims.api.client.post("/_emulator/scenarios", json={"contracts": [contract]},
                                  query_string={"client_id": claims.api.tenant})
    assert (seed.status_code, seed.json["errorCode"]) == (400, "4013")  # nothing was paid: it cannot close
    contract["claims"][0]["steps"] = [{"at": "-P1D", "do": "analyse"}]
    again = claims.api.client.post("/_emulator/scenarios", json={"contracts": [contract]},
                                   query_string={"client_id": claims.api.tenant})
    assert again.status_code == 200, again.json
    assert claims.get("dossiers/1/non-payments/1", contract="10900000001")["nonPayment"]["coveredAmount"] == "500,00"
