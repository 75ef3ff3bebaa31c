"""A tenant's claims in a snapshot (GET and PUT /_emulator/state): restored under another client
id, the world answers every claims read as before and goes on the same way; a record the
claims area cannot take back is refused, naming its place."""

from __future__ import annotations

import json

from tests.claims.conftest import CLAIMS, Claims
from tests.conftest import Api

READS = ("dossiers", "documents", "settlements", "dossiers/8", "dossiers/8/non-payments", "dossiers/8/processing-steps",
         "dossiers/8/recovery-procedures", "dossiers/8/dates-pending-settlements", "dossiers/6/recoveries")


def _put(api, snapshot) -> object:
    return api.client.put("/_emulator/state", query_string={"client_id": api.tenant}, data=json.dumps(snapshot),
                          content_type="application/json")


def _reads(claims) -> dict:
    return {path: claims.get(path) for path in READS}


def test_a_claim_halfway_comes_back_whole_and_goes_on_the_same_way(claims):
    number = claims.opened("15000,00")
    claims.advance("P2D")
    claims.upload_all(number)
    snapshot = claims.api.operator("GET", "state")
    copy = Claims(Api(claims.api.client, "copy-of-claims"))
    answer = _put(copy.api, snapshot)
    assert answer.status_code == 200, answer.json
    assert _reads(copy) == _reads(claims)
    for side in (claims, copy):
        side.advance("P3D")  # validated: the settlement appears on both sides
    assert _reads(copy) == _reads(claims)
    assert copy.settlements(number)[0]["amtPrinIndemnified"] == "13500,00"


def _with(snapshot: dict, key: str, change) -> dict:
    contract = next(c for c in snapshot["contracts"] if c["contractNo"] == CLAIMS)
    change(contract[key])
    return snapshot


def test_a_claims_record_that_cannot_come_back_is_refused_naming_its_place(claims):
    snapshot = claims.api.operator("GET", "state")
    place = next(i for i, c in enumerate(snapshot["contracts"]) if c["contractNo"] == CLAIMS)
    cases = [
        ("dossiers", lambda records: records[0].update(statusCode="99"), "dossiers/0", "statusCode"),
        ("claimDocuments", lambda records: records.append(dict(records[0])), "claimDocuments/", "twice"),
        ("settlements", lambda records: records[0].update(settlementNo="99999999999999"), "settlements/0", "out of range"),
        ("claimLimits", lambda records: records[0].update(since="2026"), "claimLimits/0", "since"),
    ]
    for key, change, where, why in cases:
        broken = _with(json.loads(json.dumps(snapshot)), key, change)
        answer = _put(Api(claims.api.client, f"broken-{key}"), broken)
        assert answer.status_code == 400, answer.json
        assert f"contracts/{place}/{where}" in answer.json["error"] and why in answer.json["error"], answer.json
