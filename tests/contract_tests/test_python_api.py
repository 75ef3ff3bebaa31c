"""The same verification from Python: ``verify(function, task=...)`` and the
``cesce_verify_client`` fixture, with the client written as a function of a ClientConfig."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import replace

import pytest

from contract_tests.conformance import ConformanceFailure, catalogue, verify
from contract_tests.examples import reference_client

pytestmark = pytest.mark.e2e  # client functions run under the kit's scenarios

PYTHON = shlex.quote(sys.executable)


def test_the_reference_client_function_passes_every_movements_scenario(cesce_verify_client):
    report = cesce_verify_client(reference_client.sync, task="movements-sync", examples=0)

    assert report.passed, report.render()
    assert [r.verdict for r in report.results] == ["pass"] * len(catalogue("movements-sync"))


def test_a_broken_function_fails_the_test_with_the_report(cesce_verify_client, clients):
    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(clients.broken_function("keeps-pending"), task="portfolio-sync",
                            scenarios=["portfolio-1", "portfolio-every-status"], examples=0)

    report = failure.value.report
    assert report.result("portfolio-1").verdict == "pass"
    assert report.result("portfolio-every-status").first_wrong() == (
        "run 1, endorsement 1: is missing (expected statusCode '2', creditLimitGranted '50000,00'); "
        "the output has its pending request 300001 instead")
    assert "portfolio-every-status" in str(failure.value)
    assert "verify(<lambda>, task='portfolio-sync', emulator_url=" in str(failure.value)


def test_a_client_that_leaves_out_new_debtors_en_tramite_is_told_the_rule(cesce_verify_client):
    def firm_only(config):
        return [record for record in reference_client.sync(config) if record["statusCode"] != "1"]

    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(firm_only, task="portfolio-sync", scenarios=["portfolio-every-status"], examples=0)

    assert failure.value.report.result("portfolio-every-status").first_wrong() == (
        "run 1, endorsement 3: is missing (expected statusCode '1', creditLimitGranted '0,00'); a new debtor "
        'EN TRÁMITE (statusCode "1") is listed as Cesce lists it; only 300xxx requests on a known debtor are left out')


def test_amounts_and_codes_may_come_back_as_json_numbers(cesce_verify_client):
    def typed(config):
        return [{**record, "endorsementNo": int(record["endorsementNo"]), "statusCode": int(record["statusCode"]),
                 "creditLimitGranted": float(record["creditLimitGranted"].replace(",", "."))}
                for record in reference_client.sync(config)]

    report = cesce_verify_client(typed, task="portfolio-sync", scenarios=["portfolio-every-status"], examples=0)

    assert report.passed, report.render()


def test_a_movements_client_must_keep_the_records_it_had(cesce_verify_client):
    def forgetful(config):
        return reference_client.CesceClient(config).movements_sync([])

    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(forgetful, task="movements-sync", scenarios=["movements-1"], examples=0)

    assert failure.value.report.result("movements-1").first_wrong() == (
        "run 1, endorsement 1: is missing (expected statusCode '2', creditLimitGranted '15000,00')")


def test_a_movements_client_must_apply_each_movement(cesce_verify_client):
    def stale(config):
        client = reference_client.CesceClient(config)
        client.movements_sync(config.previous)
        return config.previous

    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(stale, task="movements-sync", scenarios=["movements-1"], examples=0)

    assert failure.value.report.result("movements-1").first_wrong() == (
        "run 1, endorsement 4: has statusCode '1', creditLimitGranted '0,00'; expected statusCode '2', "
        "creditLimitGranted '25000,00' (the version it had before the run: a movement was not applied)")


def test_a_function_that_raises_is_a_crash_with_its_traceback(cesce_verify_client):
    def crashing(config):
        raise RuntimeError("no route to Cesce")

    report = cesce_verify_client(crashing, task="portfolio-sync", scenarios=["portfolio-0"], examples=0,
                                 raise_on_failure=False)

    result = report.result("portfolio-0")
    assert result.verdict == "CRASH (1)"
    assert result.first_wrong() == "run 1: exited with code 1: RuntimeError: no route to Cesce"


def test_verify_starts_its_own_emulator_when_given_none(tmp_path):
    report = verify(reference_client.sync, "portfolio-sync", scenarios=["portfolio-1"], examples=0,
                    report_dir=tmp_path)

    assert report.passed
    assert report.emulator.endswith("(in-process)")


def test_generated_scenarios_shrink_to_a_minimal_failure(cesce_verify_client, clients):
    report = cesce_verify_client(clients.broken("first-page"), task="portfolio-sync", scenarios=[], examples=10,
                                 seed=1, shrink_budget=25, raise_on_failure=False)

    found, minimal = report.results[-2], report.results[-1]
    assert found.verdict == minimal.verdict == "FAIL"
    assert minimal.scenario.name == "generated-minimal"
    assert minimal.scenario.listed >= minimal.scenario.size  # a full first page: the least that breaks it
    assert minimal.scenario != found.scenario and minimal.note.startswith("hypothesis shrank generated-")
    assert "stopped reading" in minimal.first_wrong()
    assert minimal.saved.exists()


def test_shrinking_a_client_that_hangs_stops_after_two_runs_and_says_so(cesce_verify_client):
    # The reference client, made to hang once it has synced any record at all.
    hangs = (f"{PYTHON} -m contract_tests.examples.reference_client && {PYTHON} -c \"import json, os, time; "
             "time.sleep(30 if json.load(open(os.environ['CESCE_OUTPUT'])) else 0)\"")

    report = cesce_verify_client(hangs, task="portfolio-sync", scenarios=[], examples=10, seed=2, timeout=4,
                                 shrink_budget=25, raise_on_failure=False)

    last = report.results[-1]
    assert last.verdict == "TIMEOUT"
    assert last.note.endswith("the client hangs, so shrinking stopped after 2 run(s), each of which could take the "
                              "whole --timeout")
    assert last.note in report.render()


def test_progress_gives_each_row_as_its_scenario_ends(cesce_verify_client):
    lines: list[str] = []

    report = cesce_verify_client(reference_client.sync, task="portfolio-sync", examples=0, jobs=2,
                                 scenarios=["portfolio-slow-pages", "portfolio-1"], progress=lines.append)

    assert report.passed
    rows = [line.split()[0] for line in lines[lines.index(next(l for l in lines if l.startswith("SCENARIO"))) + 1:]]
    assert rows == ["portfolio-1", "portfolio-slow-pages"]  # the quick one ended first
    assert lines[0] == f"verify-client: portfolio-sync, client: {report.client}"


def test_a_reproduction_names_the_options_given(cesce_verify_client, clients, cesce_kit_emulator_url):
    report = cesce_verify_client(clients.broken_function("first-page"), task="portfolio-sync", catalog="pro",
                                 timeout=20, scenarios=["portfolio-501"], examples=0, raise_on_failure=False)

    [saved] = [r.saved for r in report.failures]
    assert saved.is_absolute()
    assert (f"  reproduce: verify(<lambda>, task='portfolio-sync', emulator_url={cesce_kit_emulator_url!r}, "
            f"catalog='pro', timeout=20, scenario_file={str(saved)!r})") in report.render()


def test_a_request_cesce_would_not_take_is_named_even_when_the_emulator_tolerates_it(cesce_verify_client):
    class PageSize(reference_client.CesceClient):
        def page_query(self, following):
            return {**super().page_query(following), "pageSize": "500"}

    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(lambda config: reference_client.sync(config, PageSize), task="portfolio-sync",
                            scenarios=["portfolio-1"], examples=0)

    assert failure.value.report.result("portfolio-1").first_wrong() == (
        "run 1, request #2 GET portfolio?languageCode=ES&pageSize=500 -> 200: "
        "pageSize: pageSize is not a parameter of this operation; ignored")


def test_a_client_must_sync_the_contract_it_is_given(cesce_verify_client):
    def elsewhere(config):
        return reference_client.sync(replace(config, contract_no="40000000002"))

    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(elsewhere, task="portfolio-sync", scenarios=["portfolio-1"], examples=0)

    assert failure.value.report.result("portfolio-1").first_wrong() == (
        "run 1, request #2 GET portfolio?languageCode=ES -> 200: "
        "called another contract than the one configured (40000000001)")


def test_a_sync_that_writes_is_told_it_only_reads(cesce_verify_client):
    class Classifies(reference_client.CesceClient):
        def portfolio_sync(self):
            body = json.dumps({"debtor": {"countryCode": "ES", "taxCode": "B99999999", "creditLimitRequested": "1000,00",
                                          "nonPaymentInd": "N"}}).encode()
            url = f"{self.config.base_url}/classifications/v1/contracts/{self.config.contract_no}/classifications"
            self.send("POST", url, body, {"Authorization": f"Bearer {self.token()}", "Content-Type": "application/json"})
            return super().portfolio_sync()

    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(lambda config: reference_client.sync(config, Classifies), task="portfolio-sync",
                            scenarios=["portfolio-1"], examples=0)

    assert failure.value.report.result("portfolio-1").first_wrong().startswith(
        "run 1, request #2 POST classifications -> 201: sent POST createClassification: portfolio-sync only reads")
