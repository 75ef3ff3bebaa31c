"""Documents (K9, K14): the multipart upload, its limits, the statuses a document goes through,
and the rule that no settlement appears before every document is validated."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import Settings, create_app
from tests.claims.conftest import CLAIMS, START, Claims, error_of
from tests.conftest import Api


def test_an_upload_answers_a_requested_document_and_keeps_what_the_file_is(claims):
    number = claims.opened()
    document = claims.documents(number)[0]["documentNo"]
    answer = claims.upload(number, document, b"%PDF-1.7 statement", name="extracto.pdf")
    assert answer.status_code == 201, answer.json
    received = answer.json["document"]
    assert (received["statusCode"], received["fileName"], received["contentType"], received["sizeBytes"]) == (
        "3", "extracto.pdf", "application/pdf", "18")
    assert received["sha256"] == hashlib.sha256(b"%PDF-1.7 statement").hexdigest()
    again = claims.upload(number, document)
    assert error_of(again) == (400, "4011")  # received already: nothing more is awaited
    steps = claims.get(f"dossiers/{number}/processing-steps", languageCode="EN")["processingStep"]
    assert (steps[-1]["stepCode"], steps[-1]["reference"], steps[-1]["stepDescription"]) == ("301", document,
                                                                                            "DOCUMENT RECEIVED")


def test_documents_list_filters_by_dossier_and_status(claims):
    number = claims.opened()
    everything = claims.get("documents")["document"]
    assert {d["dossierNo"] for d in everything} >= {"1", "2", "3", number}
    requested = claims.get("documents", dossierNo=number, statusCode="1")["document"]
    assert len(requested) == 3
    assert claims.get("documents", dossierNo=number, statusCode="4")["document"] is None


@pytest.mark.parametrize(("send", "code"), [
    (lambda c, n, d: c.upload(n, d, b""), "4012"),  # an empty file
    (lambda c, n, d: c.upload("1", d), "4004"),  # a document of another dossier
    (lambda c, n, d: c.upload(n, "999"), "4004"),
    (lambda c, n, d: c.upload("99", d), "4001"),
    (lambda c, n, d: c.api.post(f"claims/v1/contracts/{CLAIMS}/dossiers/{n}/documents", {"documentNo": d}), "1010"),
    (lambda c, n, d: c.send(n, {"documentNo": d}, {}), "1001"),  # no file part
    (lambda c, n, d: c.send(n, {"documentNo": d, "file": "text, not a file"}, {}), "1003"),
    (lambda c, n, d: c.send(n, {}, {"file": ("f.pdf", "application/pdf", b"%PDF")}), "1001"),  # no documentNo
    (lambda c, n, d: c.upload(n, "0"), "1003"),
])
def test_an_upload_that_cannot_be_is_refused_in_cesces_envelope_and_changes_nothing(claims, send, code):
    number = claims.opened()
    document = claims.documents(number)[0]["documentNo"]
    answer = send(claims, number, document)
    assert error_of(answer) == (400, code), answer.json
    assert {d["statusCode"] for d in claims.documents(number)} == {"1"}


def test_an_upload_above_the_operations_limit_gets_the_gateways_413(claims):
    number = claims.opened()
    document = claims.documents(number)[0]["documentNo"]
    big = claims.upload(number, document, b"x" * (10 * 1024 * 1024 + 1))
    assert big.status_code == 413 and big.json["httpCode"] == "413"
    # Above the 1 MiB every other operation takes, within this one's 10 MiB.
    assert claims.upload(number, document, b"x" * (2 * 1024 * 1024)).status_code == 201


def test_a_document_not_sent_by_its_deadline_is_chased_and_a_rejected_one_is_sent_again(claims):
    number = claims.opened()
    first, second, third = (d["documentNo"] for d in claims.documents(number))
    claims.upload(number, first)
    claims.advance("P30D")  # the policy's documentDeadline
    statuses = {d["documentNo"]: d["statusCode"] for d in claims.documents(number)}
    assert statuses == {first: "4", second: "2", third: "2"}  # validated; chased; chased
    assert claims.upload(number, second).status_code == 201  # a chased document is still awaited

    assert claims.event("claim-document-rejected", documentNo=second, reason="ILEGIBLE").status_code == 200
    rejected = next(d for d in claims.documents(number) if d["documentNo"] == second)
    assert (rejected["statusCode"], rejected["rejectionReason"]) == ("5", "ILEGIBLE")
    assert claims.upload(number, second).status_code == 201


def test_no_settlement_before_every_document_is_validated(claims):
    number = claims.opened()
    claims.event("claim-cover-decided", dossierNo=number, internalNo="1")
    documents = [d["documentNo"] for d in claims.documents(number)]
    claims.upload_all(number)
    for document in documents[:-1]:
        claims.event("claim-document-validated", documentNo=document)
        assert claims.settlements(number) == []
    claims.event("claim-document-rejected", documentNo=documents[-1])
    claims.advance("P40D")  # chased again, never sent: still nothing to pay
    assert claims.settlements(number) == [] and claims.dossier(number)["statusCode"] == "3"
    claims.upload(number, documents[-1])
    claims.advance("P3D")
    assert [s["settlementStatusCode"] for s in claims.settlements(number)] == ["1"]


def test_a_second_non_payment_asks_for_its_documents_before_anything_more_is_settled(claims):
    number = claims.opened("5000,00")
    claims.advance("P2D")
    claims.upload_all(number)
    claims.advance("P3D")
    assert len(claims.settlements(number)) == 1 and claims.dossier(number)["statusCode"] == "4"  # being settled
    claims.advance("P5D")
    assert claims.dossier(number)["statusCode"] == "5"  # indemnified
    claims.declare("4000,00")
    claims.advance("P2D")  # analysed, but its two documents are requested
    assert len(claims.settlements(number)) == 1 and claims.dossier(number)["statusCode"] == "3"
    for document in claims.documents(number, statusCode="1"):
        claims.upload(number, document["documentNo"])
    claims.advance("P3D")
    second = claims.settlements(number)[1]
    assert (second["settlementStatusCode"], second["amtPrinIndemnified"]) == ("1", "3600,00")


@settings(max_examples=12, suppress_health_check=list(HealthCheck), deadline=None)
@given(validated=st.sets(st.integers(0, 2)), analysed=st.booleans())
def test_a_settlement_appears_exactly_when_the_cover_is_analysed_and_every_document_validated(validated, analysed):
    app = create_app(Settings())
    try:
        claims = Claims(Api(app.test_client(), "property"))
        claims.at(START)
        number = claims.opened()
        if analysed:
            claims.event("claim-cover-decided", dossierNo=number, internalNo="1")
        claims.upload_all(number)
        documents = [d["documentNo"] for d in claims.documents(number)]
        for index in sorted(validated):
            claims.event("claim-document-validated", documentNo=documents[index])
        assert bool(claims.settlements(number)) == (analysed and validated == {0, 1, 2})
    finally:
        app.extensions["cesce"].store.close()


def test_the_journal_keeps_what_was_uploaded_not_the_bytes(claims):
    number = claims.opened()
    document = claims.documents(number)[0]["documentNo"]
    claims.upload(number, document, b"%PDF secret bytes", name="extracto.pdf")
    entry = claims.api.operator("GET", "journal")["entries"][-1]
    assert entry["operation"] == "contributeDocument"
    assert entry["request"] == f"documentNo={document}&file=<extracto.pdf application/pdf, 17 bytes>"


def test_an_unknown_form_field_is_a_finding_and_in_strict_mode_a_refusal(claims):
    number = claims.opened()
    document = claims.documents(number)[0]["documentNo"]
    pdf = {"file": ("f.pdf", "application/pdf", b"%PDF")}
    assert claims.send(number, {"documentNo": document, "note": "x"}, pdf).status_code == 201
    entry = claims.api.operator("GET", "journal")["entries"][-1]
    assert [f["rule"] for f in entry["findings"]] == ["unknown-field"]

    app = create_app(Settings(strict=True))
    try:
        strict = Claims(Api(app.test_client(), "strict"))
        strict.at(START)
        number = strict.opened()
        document = strict.documents(number)[0]["documentNo"]
        refused = strict.send(number, {"documentNo": document, "note": "x"}, pdf)
        assert error_of(refused) == (400, "1005") and "note" in refused.json["error"]["errorDescription"]
        assert error_of(strict.send(number, {"documentNo": document}, {**pdf, "extra": pdf["file"]})) == (400, "1005")
    finally:
        app.extensions["cesce"].store.close()


def test_an_unknown_status_filter_is_refused_listing_the_codes(claims):
    for path in ("documents", "dossiers"):
        answer = claims.api.get(f"claims/v1/contracts/{CLAIMS}/{path}", statusCode="9")
        assert error_of(answer) == (400, "1004") and "1, 2, 3, 4, 5" in answer.json["error"]["errorDescription"]
