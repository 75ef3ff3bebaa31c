"""The walk that ends a check-server run (contract_tests.link_walk): from a 2xx the run got, each
link of the document it did not follow yet is followed once with the values the answer gives,
and what the link's answer breaks is reported as any finding is."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from schemathesis.core.transport import Response

from contract_tests import check_server, link_walk
from emulator import Settings, wire
from emulator.claims import api as claims_api
from emulator.claims import records as claims_records
from emulator.control import call
from emulator.server import ThreadedServer

pytestmark = pytest.mark.e2e

CLAIMS_CONTRACT = "10600000008"
#: The declaration the document's example makes: sale 8000009 of the claims contract matured
#: unpaid with no claim (mocks/contracts.yaml).
DECLARATION = {"client": {"languageCode": "ES"}, "nonPayment": {"saleCesceReferenceNo": "8000009", "unpaidAmount": "1000,00"}}
DECLARATION_LINKS = ["ReadTheDossier", "ReadTheNonPaymentBack", "ListTheDocumentsItAsksFor", "FollowItsProcessing"]


class Declared:
    """A served emulator, a run's schema against it, and a declaration it answered with a 201."""

    def __init__(self, server: ThreadedServer, operations: tuple[str, ...] = ()) -> None:
        api_base = f"{server.url}/dev"
        token = call("POST", f"{api_base}/oauth2/v1/token", form={
            "grant_type": "password", "client_id": "cesce-contract", "client_secret": "secret",
            "username": "user", "password": "password"}).body["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.schema = check_server.schema(api_base, "dev", token, CLAIMS_CONTRACT, operations=operations)
        declare = self.schema.find_operation_by_id("declareNonPayment")
        self.case = declare.Case(path_parameters={"contractNo": CLAIMS_CONTRACT, "dossierNo": "0"}, body=DECLARATION,
                                 media_type="application/json")
        self.response = self.case.call(headers=self.headers)
        assert self.response.status_code == 201, self.response.content
        self.dossier_no = self.response.json()["client"]["dossierNo"]

    def walk(self, followed: frozenset = frozenset()) -> list[link_walk.Step]:
        answers = {self.case.operation.label: (self.case, self.response)}
        return list(link_walk.walk(self.schema, answers, set(followed), self.headers))


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(Settings()) as served:
        yield served


def test_each_link_of_an_answer_is_followed_once_with_the_values_it_gives(server):
    declared = Declared(server)
    steps = declared.walk()

    # then, from the documents list the walk got, its next page: chains are walked to their end
    assert [step.link.name for step in steps] == [*DECLARATION_LINKS, "NextPage"]
    assert steps[-1].link.source == steps[-1].link.target == "getDocuments"
    assert [step.response.status_code for step in steps] == [200] * 5
    # the documents list takes the dossier in its query, the others in their path
    dossiers = [{**step.case.path_parameters, **step.case.query}["dossierNo"] for step in steps[:4]]
    assert dossiers == [declared.dossier_no] * 4
    read_back = steps[1].case.path_parameters["internalNo"]
    assert read_back == declared.response.json()["nonPayment"]["internalNo"]
    assert steps[0].response.json()["dossier"]["dossierNo"] == declared.dossier_no
    assert not any(step.failures or step.error for step in steps)


def test_a_link_a_scenario_followed_is_not_walked_again(server):
    declared = Declared(server)

    steps = declared.walk(followed=frozenset({(declared.case.operation.label, "ReadTheDossier")}))

    assert [step.link.name for step in steps] == [*DECLARATION_LINKS[1:], "NextPage"]


def test_only_links_to_the_operations_the_run_checks_are_walked(server):
    declared = Declared(server, operations=("declareNonPayment", "getDossier"))

    assert [step.link.name for step in declared.walk()] == ["ReadTheDossier"]


def test_what_a_walked_answer_breaks_is_a_finding_with_the_request_that_reproduces_it(server, monkeypatch):
    def amounts_as_numbers(record):
        rendered = wire.render_record(record)
        if isinstance(record, claims_records.Dossier):
            rendered["unpaidAmount"] = 1000.0
        return rendered

    monkeypatch.setattr(claims_api, "render_record", amounts_as_numbers)
    declared = Declared(server, operations=("declareNonPayment", "getDossier"))
    [step] = declared.walk()
    run = check_server.Run()
    run.walked(step)
    report = run.render()

    assert {link_walk.check_name(failure) for failure in step.failures} >= {"every_value_is_a_string"}
    assert not run.passed
    assert ". every_value_is_a_string: GET /claims/v1/contracts/{contractNo}/dossiers/{dossierNo}" in report
    assert f"/dev/claims/v1/contracts/{CLAIMS_CONTRACT}/dossiers/{declared.dossier_no}" in report
    assert "ReadTheDossier  0 of 1" not in report and "ReadTheDossier  1 of 1" in report


def test_an_answer_without_the_value_a_link_needs_is_an_error_of_the_run(server):
    declared = Declared(server, operations=("declareNonPayment", "getDossier"))
    body = declared.response.json()
    del body["client"]["dossierNo"]
    answered = declared.response
    declared.response = Response(status_code=201, headers=answered.headers, content=json.dumps(body).encode(),
                                 request=answered.request, elapsed=answered.elapsed, verify=answered.verify)

    [step] = declared.walk()
    run = check_server.Run()
    run.walked(step)

    assert step.response is None and step.error.endswith("has no $response.body#/client/dossierNo")
    assert not run.passed and "ReadTheDossier: the 201 of POST /claims/v1/contracts/" in run.render()
