"""`verify-client --task sales-declare` and `--task sales-sync` as a user runs them: the reference
client passes (tests/contract_tests/test_verify_client.py runs it under every task), and each
broken copy fails, naming the scenario, the first wrong request or record and the rule."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from contract_tests.conformance import Fault, Scenario, catalogue
from contract_tests.conformance.tasks.sales import cesce_amount
from contract_tests.conformance.tasks.sales_declare import invoices

# Each broken copy, the scenario that catches it, its verdict, and the first wrong request or
# record (regular expressions both).
DECLARE = [
    ("both-identifiers", "declare-every-status", r"CRASH \(1\)", re.escape(
        "request #2 POST sales -> 400 (3001): named the debtor by both endorsementNo and customerReference (Cesce "
        "refuses it, 3001): a sale names its debtor by exactly one")),
    ("erp-formats", "declare-every-status", "FAIL", re.escape(
        'request #2 POST sales -> 400 (3003): sale.invoiceDate: sent "2026-01-12"; Cesce expects yyyyMMdd: '
        '"20260112"')),
    ("float-cents", "declare-cents-and-month-ends", "FAIL", re.escape(
        "request #2 POST sales -> 201: declared currencyAmount '1234567,88' for the invoice's 1234567.89 "
        "('1234567,89' in Cesce's writing; an amount read through a binary float loses cents)")),
    # The third declaration was stored and its answer lost; the retry meets the duplicate.
    ("duplicate-is-fatal", "declare-dropped-connection", r"CRASH \(1\)", re.escape(
        "request #5 POST sales -> 400 (3003): ended the run in error on Cesce's duplicate answer (3003): the invoice "
        "is declared already (by a declaration whose answer was lost, or before); record the sale Cesce holds")),
    ("retries-duplicate", "declare-declared-before", "LOOP",
     r"sent [0-9]+ requests where this scenario needs about 10: stopped it \(does it loop\?\); first wrong: "
     + re.escape("request #3 POST sales -> 400 (3003): declared invoice FRA-D00001 again after request #2 was "
                 "answered as a duplicate (3003): a duplicate stays one")),
    ("duplicate-as-rejection", "declare-every-status", "FAIL", re.escape(
        "invoice FRA-D00001: has saleCesceReferenceNo None, statusCode '9', reasonStatusCode '3003'; expected "
        "saleCesceReferenceNo '1000001', statusCode '5', reasonStatusCode '00' (Cesce holds the invoice as sale "
        "1000001: when it answers a duplicate (3003), the sale it already holds is the invoice's)")),
    ("skips-rejections", "declare-every-status", "FAIL", re.escape(
        "invoice FRA-N00001: is missing (expected saleCesceReferenceNo '1000006', statusCode '9', reasonStatusCode "
        "'20'); a rejected sale (statusCode 9) is recorded with its reasonStatusCode, which says why")),
    ("token-per-call", "declare-every-status", "FAIL", re.escape(
        "request #3 POST token -> 200: asked for a new token (password grant) while the one from request #1 was "
        "good for 60 more minutes")),
]

SYNC = [
    ("first-page", "sync-501", "FAIL", re.escape(
        'request #2 GET sales?languageCode=ES&movementsInd=Y -> 200: stopped reading: this page said initialValue '
        '"1000504" and the client never asked for it')),
    ("stops-on-short-page", "sync-short-pages", "FAIL", re.escape(
        'request #2 GET sales?languageCode=ES&movementsInd=Y -> 200: stopped reading: this page said initialValue '
        '"1000141" and the client never asked for it (it held 137 records, fewer than 500, and was not the last: '
        'a page holds up to 500; only initialValue "" ends the list)')),
    ("all-sales", "sync-every-status", "FAIL", re.escape(
        "request #2 GET sales?languageCode=ES -> 200: read GET sales without movementsInd=Y: keep the sales current "
        "from the movements of the last 48 hours, not the whole list")),
    ("replaces-sales", "sync-every-status", "FAIL", re.escape(
        "sale 1000001: is missing (expected statusCode '5', reasonStatusCode '00', currencyAmount '501,00', "
        "accruedPremium '1,25'); it was in CESCE_OUTPUT before the run: merge the movements into the sales you had")),
    ("error-as-last-page", "sync-error-in-200", "FAIL", re.escape(
        'request #3 GET sales?languageCode=ES&initialValue=1000104&movementsInd=Y -> 200 (9000): read this answer (errorCode "9000") as the end of the list and exited 0')),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("bug", "scenario", "verdict", "first_wrong"), DECLARE, ids=[case[0] for case in DECLARE])
def test_a_broken_declaring_copy_fails_naming_the_scenario_and_the_first_wrong_request_or_record(
        verify_cli, bug, scenario, verdict, first_wrong):
    verify_cli.fails(bug, "sales-declare", scenario, verdict, first_wrong, passing="declare-0")


@pytest.mark.e2e
@pytest.mark.parametrize(("bug", "scenario", "verdict", "first_wrong"), SYNC, ids=[case[0] for case in SYNC])
def test_a_broken_sales_sync_copy_fails_naming_the_scenario_and_the_first_wrong_request_or_record(
        verify_cli, bug, scenario, verdict, first_wrong):
    # Reading the whole list, or dropping the sales it had, fails every scenario.
    passing = None if bug in ("all-sales", "replaces-sales") else "sync-1"
    verify_cli.fails(bug, "sales-sync", scenario, verdict, first_wrong, passing=passing)


@pytest.mark.e2e
def test_a_client_that_gives_up_on_a_dropped_connection_passes_when_its_next_run_finds_the_sale(
        cesce_verify_client, clients):
    """The first run may end in error on a dropped connection (the output left as it was); the
    second declares again, meets the duplicate, and records the sale Cesce stored."""
    from contract_tests.examples import reference_client

    class GivesUp(reference_client.CesceClient):
        attempts = 1  # no retry: a dropped connection ends the run

    report = cesce_verify_client(lambda config: reference_client.sync(config, GivesUp), task="sales-declare",
                                 examples=0, scenarios=["declare-dropped-connection"])

    result = report.result("declare-dropped-connection")
    assert [outcome.exit_code for outcome in result.outcomes] == [1, 0]
    assert "RemoteDisconnected" in result.outcomes[0].error_line


def test_the_sales_tasks_have_named_scenarios_for_each_rule():
    declare = [s.name for s in catalogue("sales-declare")]
    sync = [s.name for s in catalogue("sales-sync")]

    assert {"declare-every-status", "declare-declared-before", "declare-dropped-connection",
            "declare-503-then-run-again", "declare-cents-and-month-ends", "declare-token-expires-mid-run",
            "declare-error-in-200"} <= set(declare)
    assert not any(name.startswith("declare-50") and name[8:].isdigit() for name in declare)  # no page sizes
    assert {"sync-501", "sync-short-pages", "sync-empty-page-after-full", "sync-every-status",
            "sync-edge-late-in-the-day", "sync-changes-mid-sync", "sync-clock-between-runs"} <= set(sync)


def test_the_erps_invoices_name_both_identifiers_in_the_erps_own_formats():
    scenario = next(s for s in catalogue("sales-declare") if s.name == "declare-cents-and-month-ends")

    given = invoices(scenario)

    assert given[0] == {"invoiceNo": "FRA-C00001", "invoiceDate": "2025-12-31", "maturityDate": "2026-02-14",
                        "amount": "1234567.89", "currency": "EUR", "customerReference": "CLI-0001",
                        "endorsementNo": "1"}
    assert [cesce_amount(i["amount"]) for i in given[:4]] == ["1234567,89", "4,35", "2500000,10", "0,29"]


def test_a_dropped_connection_is_a_fault_of_the_tasks_operation_without_a_status():
    recipe = {"name": "x", "task": "sales-declare", "records": {"rated": 2}, "token_expiries": 1,
              "faults": [{"operation": "list", "status": None, "drop": True, "skip": 1}]}

    scenario = Scenario.from_document(recipe)

    assert scenario.summary() == ("records: 2 invoices on a debtor in force; fault connection dropped after the "
                                  "work x1 on createSale after 1 good request(s); token expires once mid-run")
    assert Fault("list", 503, drop=True).problems() == ["drop: on list (the task's operation), without a status"]


def test_the_task_declarations_load_neither_the_emulator_app_nor_the_sandbox_model():
    """cesce-contract reads every task to build its options, before it can say the kit extra is
    missing: a declaration that loaded the Sandbox Model (every area, Flask) would make that
    one line wait seconds on a first run."""
    probe = ("import sys, contract_tests.cli; "
             "print(sorted(name for name in ('flask', 'jsonschema', 'hypothesis') if name in sys.modules))")

    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout

    assert loaded.strip() == "[]"
