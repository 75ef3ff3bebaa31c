"""A task is a declaration: a new one, with its own input (CESCE_INPUT) and its own rule, runs
under the engine's scenarios (page sizes, token expiries, error answers, generated ones) with no
change to the engine. The toy task here: the ERP names the debtors it cares about, the client
reads the portfolio and keeps only those."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import replace

import pytest

from contract_tests.conformance import ConformanceFailure, catalogue, tasks
from contract_tests.conformance.tasks import Kind, Task, register, risks
from contract_tests.examples import reference_client

pytestmark = pytest.mark.e2e  # client functions and commands run under the task's scenarios

#: A command client of the toy task: the reference portfolio sync, then the records CESCE_INPUT names.
COMMAND = (f"{shlex.quote(sys.executable)} -m contract_tests.examples.reference_client --task portfolio-sync && "
           f"{shlex.quote(sys.executable)} -c \"import json, os; wanted = {{r['endorsementNo'] for r in "
           "json.load(open(os.environ['CESCE_INPUT']))}; path = os.environ['CESCE_OUTPUT']; "
           "kept = [r for r in json.load(open(path)) if r['endorsementNo'] in wanted]; "
           "json.dump(kept, open(path, 'w'))\"")


def _wanted(scenario, records):
    """Every other firm record of the contract, as the ERP would list its debtors."""
    return [{"endorsementNo": r["endorsementNo"]} for r in records if not r.get("pendingOf")][::2]


def _expected(records, now, before, given):
    wanted = {item["endorsementNo"] for item in given or []}
    return {key: record for key, record in risks.portfolio(records, now, before).items() if key in wanted}


def _explain(situation, key, have, want, context):
    return "was not asked for: it is not in CESCE_INPUT" if situation == "unexpected" else ""


def _reads_once(run, labels):
    """The task's own rule: the portfolio is read once a run (from its first page once)."""
    firsts = [e for e in run.entries if e["operation"] == "getPortfolio" and not e["query"].get("nextEndorsementNo")]
    return [labels.finding(run, again, "read the portfolio a second time: once a run is enough")
            for again in firsts[1:2]]


SUBSET = Task(
    name="portfolio-subset", description="the current record of each debtor CESCE_INPUT names",
    rule="exactly the debtors CESCE_INPUT names, each with its firm record",
    reads="getPortfolio", key="endorsementNo", noun="endorsement", judged=("statusCode", "creditLimitGranted"),
    kinds={"old": Kind("in force for days"), "rejected": Kind("rejected")}, paged="old",
    typical={"old": 4, "rejected": 2}, seed=risks.seed, records=risks.records, expected=_expected,
    input=_wanted, explain=_explain, checks=(_reads_once,),
)


@pytest.fixture
def subset_task():
    register(SUBSET)
    yield SUBSET
    del tasks()[SUBSET.name]


def subset(config):
    wanted = {item["endorsementNo"] for item in config.input}
    records = reference_client.sync(replace(config, task="portfolio-sync"))
    return [record for record in records if record["endorsementNo"] in wanted]


def test_a_new_task_gets_the_engines_scenarios_from_its_declaration(subset_task):
    names = [scenario.name for scenario in catalogue("portfolio-subset")]

    assert names[:7] == ["portfolio-0", "portfolio-1", "portfolio-499", "portfolio-500", "portfolio-501",
                         "portfolio-1000", "portfolio-1001"]
    assert {"portfolio-short-pages", "portfolio-token-expires-three-times", "portfolio-refresh-token-revoked",
            "portfolio-error-in-200", "portfolio-slow-pages"} <= set(names)


def test_a_client_of_the_new_task_passes_with_its_input(cesce_verify_client, subset_task):
    report = cesce_verify_client(subset, task="portfolio-subset", examples=2, seed=3,
                                 scenarios=["portfolio-501", "portfolio-token-expires-twice", "portfolio-error-in-200"])

    assert report.passed, report.render()


def test_a_command_client_reads_its_input_from_cesce_input(cesce_verify_client, subset_task):
    report = cesce_verify_client(COMMAND, task="portfolio-subset", examples=0, scenarios=["portfolio-short-pages"])

    assert report.passed, report.render()


def test_a_client_that_ignores_its_input_fails_in_the_tasks_own_words(cesce_verify_client, subset_task):
    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(lambda config: reference_client.sync(replace(config, task="portfolio-sync")),
                            task="portfolio-subset", examples=0, scenarios=["portfolio-499"])

    report = failure.value.report
    assert report.result("portfolio-499").first_wrong() == (
        "run 1, endorsement 2: was not asked for: it is not in CESCE_INPUT")
    saved = json.loads(report.result("portfolio-499").saved.read_text())
    assert saved["scenario"]["task"] == "portfolio-subset"


def test_a_task_judges_its_own_rules_beside_the_engines(cesce_verify_client, subset_task):
    def twice(config):
        client = reference_client.CesceClient(config)
        client.portfolio_sync()
        wanted = {item["endorsementNo"] for item in config.input}
        return [record for record in client.portfolio_sync() if record["endorsementNo"] in wanted]

    with pytest.raises(ConformanceFailure) as failure:
        cesce_verify_client(twice, task="portfolio-subset", examples=0, scenarios=["portfolio-1"])

    assert failure.value.report.result("portfolio-1").first_wrong() == (
        "run 1, request #3 GET portfolio?languageCode=ES -> 200: asked for a page after the last one (request #2 said "
        'nextEndorsementNo "0"); read the portfolio a second time: once a run is enough')
