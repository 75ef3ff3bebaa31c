"""`verify-client --task claims-follow` as a user runs it: the reference client passes
(tests/contract_tests/test_verify_client.py runs it under every scenario), and each broken copy
fails, naming the scenario, the first wrong request or record and the rule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contract_tests.conformance import catalogue
from contract_tests.conformance.clients import RunOutcome
from contract_tests.conformance.evidence import RunEvidence
from contract_tests.conformance.judge import judge
from contract_tests.conformance.scenarios import START as STARTS
from contract_tests.conformance.seeding import CONTRACT_NO
from contract_tests.conformance.tasks.claims import CLAIMS_FOLLOW, POLICY, _given, seed_claims
from contract_tests.conformance.tasks.sales_declare import SALES_DECLARE
from emulator.clock import format_instant, parse_instant

START = parse_instant(STARTS)

# Each broken copy, the scenario that catches it, its verdict and the first wrong request or
# record (regular expressions both).
BROKEN = [
    ("dossier-zero", "claims-two-debtors", "FAIL", re.escape(
        "request #4 POST non-payments -> 201: declared in dossier 0 though request #3 put endorsement 1's "
        "non-payment in dossier 1: a debtor's non-payments go in its open dossier (send its dossierNo; 0 only opens "
        "a first one)")),
    ("other-debtors-dossier", "claims-two-debtors", r"CRASH \(1\)", re.escape(
        "request #6 POST non-payments -> 400 (4010): declared endorsement 2's non-payment in dossier 1, which is not "
        "that debtor's open dossier (4010)")),
    ("hammers", "claims-two-debtors", "LOOP|FAIL",
     # Which read comes again first (the documents, the dossiers, one dossier) depends on timing.
     r".*GET \S+ -> 200: read this again 0\.0[0-9]+ s after request #[0-9]+: back off between "
     r"polls"),
    # The pauses measured depend on the machine's load; that they do not grow does not.
    ("fixed-pace", "claims-two-debtors", "FAIL",
     r"request #[0-9]+ GET \S+ -> 200: read this again 0\.[0-9]+ s after request #[0-9]+, the same answer 6 times "
     r"running, at pauses of (0\.[0-9]+, ){4}0\.[0-9]+ s: wait longer while nothing changes"),
    ("uploads-every-document", "claims-two-debtors", r"CRASH \(1\)",
     r"request #[0-9]+ POST documents -> 400 \(4011\): " + re.escape(
         "uploaded document 1, which dossier 1 does not ask for (4011): upload only the documents GET documents "
         "lists for the dossier in statusCode 1 (requested), 2 (chased) or 5 (rejected)")),
    ("believes-in-progress", "claims-two-debtors", "FAIL", re.escape(
        "dossier 1: settlement 1 was still in progress when the client ended its run: poll until Cesce pays it "
        "(settlementStatusCode 2, with its paymentDate), and believe an amount only once paid")),
    ("comma-thousands", "claims-two-debtors", "FAIL",
     r"dossier 1: has endorsementNo '1', indemnifiedAmount '[0-9]+,00', paymentDate '[0-9]{8}'; expected "
     r"endorsementNo '1', indemnifiedAmount '[0-9]+,[0-9]{2}', paymentDate '[0-9]{8}' "
     r"\(Cesce writes '[0-9]+,[0-9]{2}': "
     r"its comma is the decimal separator, not a thousands separator\)"),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("bug", "scenario", "verdict", "first_wrong"), BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_claims_copy_fails_naming_the_scenario_and_the_first_wrong_request_or_record(
        verify_cli, bug, scenario, verdict, first_wrong):
    verify_cli.fails(bug, "claims-follow", scenario, verdict, first_wrong)


@pytest.mark.e2e
def test_a_broken_copy_that_believes_a_settlement_in_progress_holds_an_amount_cesce_has_not_paid(verify_cli, clients):
    result = verify_cli("--cmd", clients.broken("believes-in-progress"), "--task", "claims-follow", "--examples", "0",
                        "--scenario", "claims-dossier-open-before")

    assert result.exit_code == 1, result.output
    assert re.search(r"dossier 1: has endorsementNo '1', indemnifiedAmount '[0-9]+,[0-9]{2}', paymentDate '[0-9]{8}'; "
                     r"expected endorsementNo '1', indemnifiedAmount '0,00', paymentDate '' \(its settlement is still "
                     r"in progress: Cesce has paid nothing yet", " ".join(result.output.split())), result.output


def test_the_claims_task_has_named_scenarios_for_each_rule():
    names = [s.name for s in catalogue("claims-follow")]

    assert {"claims-0", "claims-1", "claims-40", "claims-two-debtors", "claims-dossier-open-before",
            "claims-dropped-connection", "claims-token-expires-mid-run", "claims-503-mid-run",
            "claims-error-in-200"} <= set(names)


def test_the_erps_non_payments_name_their_sale_and_debtor_and_leave_out_the_dossier_opened_before():
    scenario = next(s for s in catalogue("claims-follow") if s.name == "claims-dossier-open-before")

    seeded, given = seed_claims(scenario), _given(scenario, [])

    assert seeded["policy"] == POLICY
    assert [claim["saleCesceReferenceNo"] for claim in seeded["claims"]] == ["2000001"]
    assert given == [
        {"saleCesceReferenceNo": "2000002", "invoiceNo": "FRA-A00001", "maturityDate": "20260110",
         "customerReference": "CLI-0001", "endorsementNo": "1", "unpaidAmount": "1001,25"},
        {"saleCesceReferenceNo": "2000003", "invoiceNo": "FRA-A00002", "maturityDate": "20260110",
         "customerReference": "CLI-0001", "endorsementNo": "1", "unpaidAmount": "402,10"},
    ]


def _reads(task, pauses: list[float], answers: list[int] | None = None) -> list[str]:
    """A run that reads the documents list whole, then again after each of ``pauses`` seconds;
    the answers hold ``answers[i]`` documents (2 every time unless given)."""
    path = f"/dev/claims/v1/contracts/{CONTRACT_NO}/documents"
    answers = answers or [2] * (len(pauses) + 1)

    def read(number: int, seconds: float) -> dict:
        return {"id": number, "at": format_instant(START + timedelta(seconds=seconds)), "catalog": "dev",
                "operation": "getDocuments", "method": "GET", "path": path,
                "query": {"languageCode": ["ES"], "dossierNo": ["1"]}, "request": None, "status": 200,
                "response": {"errorCode": "0", "next": "", "document": answers[number - 1]}, "token": "abc",
                "findings": []}

    at = [sum(pauses[:count]) for count in range(len(pauses) + 1)]
    evidence = RunEvidence(1, task, "dev", [read(number, seconds) for number, seconds in enumerate(at, 1)],
                           RunOutcome(exit_code=0, records=[]), {}, {}, [], given=[])
    return [str(finding) for finding in judge(evidence)]


def test_a_polling_task_may_read_a_list_again_after_a_pause_and_another_task_may_not():
    assert _reads(CLAIMS_FOLLOW, [0.25]) == []
    assert _reads(CLAIMS_FOLLOW, [0.02]) == [
        "run 1, request #2 GET documents?languageCode=ES&dossierNo=1 -> 200: read this again 0.020 s after request "
        "#1: back off between polls (wait, and wait longer while nothing changes: 0.25 s doubling up to a few "
        "seconds, say; the kit takes 0.1 s or more)"]
    assert _reads(SALES_DECLARE, [0.25]) == [
        'run 1, request #2 GET documents?languageCode=ES&dossierNo=1 -> 200: asked for a page after the last one '
        '(request #1 said initialValue "")']


def test_polls_of_an_unchanged_answer_must_back_off_until_they_are_a_second_apart():
    assert _reads(CLAIMS_FOLLOW, [0.15] * 8) == [
        "run 1, request #6 GET documents?languageCode=ES&dossierNo=1 -> 200: read this again 0.150 s after request "
        "#5, the same answer 6 times running, at pauses of 0.15, 0.15, 0.15, 0.15, 0.15 s: wait longer while nothing "
        "changes (0.25 s doubling up to a few seconds, say; once an answer has stayed the same for 5 pauses, the kit "
        "takes each pause twice the first, or 1 s or more)"]
    # The noise of a loaded machine on one pause is judged with the streak's next one.
    assert "request #7 GET" in _reads(CLAIMS_FOLLOW, [0.15, 0.15, 0.15, 0.15, 0.31, 0.15])[0]
    # Doubling from 0.25 s up to 1 s (the reference client), slower growth, or 1 s from the start.
    assert _reads(CLAIMS_FOLLOW, [0.25, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0]) == []
    assert _reads(CLAIMS_FOLLOW, [0.15 * 1.2 ** n for n in range(8)]) == []
    assert _reads(CLAIMS_FOLLOW, [1.0] * 8) == []
    # An answer that changes starts the streak again.
    assert _reads(CLAIMS_FOLLOW, [0.15] * 8, answers=[2, 2, 2, 2, 3, 3, 3, 3, 3]) == []
