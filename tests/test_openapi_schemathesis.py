"""Schemathesis over the OpenAPI document the emulator serves (/_emulator/openapi.yaml), against
the emulator in-process, with a real token from its own token endpoint.

- Every operation with schema-valid data, against the default (lenient) emulator: each answer
  has a documented status, content type and body, Cesce's wire format (contract_tests.checks),
  and no well-formed request is refused as malformed.
- Every operation with schema-violating data, against a strict emulator: each is refused. Only
  strict mode promises that; the lenient one accepts non-canonical values on purpose and notes
  them in the journal.
- Link following (classify, then read the debtor back, find it in the portfolio, cancel it;
  page after page; declare a sale on the new debtor and read it back), against the lenient
  emulator.

Schemathesis's ``not_a_server_error`` is replaced by ``server_errors_only_on_blank_fields``:
Cesce documents HTTP 500 for a blank nonPaymentInd on a classification request (the document
marks the field ``x-cesce-blank-status: 500``), and that one answer, and no other 5xx, passes.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup

from contract_tests import document
from contract_tests.checks import SKIP  # importing the checks registers them with schemathesis
from contract_tests.link_walk import transition_link
from emulator import Settings, create_app, wire
from emulator.risks import api as risks_api
from emulator.risks import records as risks_records
from emulator.sandbox_model import SandboxModel

pytestmark = pytest.mark.e2e  # schemathesis over the whole served document

MAX_EXAMPLES = 25
STATEFUL_SCENARIOS = 60
#: Request-shape errors (mocks/codes/errors.yaml): a schema-valid request must never get one.
#: A business refusal of well-formed data (NO EXISTE LIMITE, a rule's missing or out-of-range
#: value) is a 400 too at Cesce, so the status alone cannot tell the two apart.
SHAPE_ERRORS = frozenset(SandboxModel().errors[key]["errorCode"] for key in (
    "invalid_json", "field_too_long", "invalid_format", "unknown_field", "invalid_contract_no"))


def well_formed_requests_pass_validation(ctx, response, case) -> bool | None:
    """A schema-valid request may be refused on business grounds, never for its shape."""
    if response.status_code != 400 or case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return SKIP
    error = json.loads(response.content).get("error")
    if not isinstance(error, dict):
        return SKIP  # an OAuth2 error of the token endpoint, not Cesce's envelope
    code = error.get("errorCode")
    assert code not in SHAPE_ERRORS, f"a schema-valid request was refused as malformed: {response.content.decode()}"
    return None


class Token:
    """A bearer token from the emulator's own token endpoint, for one tenant per test."""

    client_id = "schemathesis"

    def get(self, case, context) -> str:
        return access_token(context.app, self.client_id)

    def set(self, case, data, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def access_token(app, client_id: str) -> str:
    answer = app.test_client().post("/dev/oauth2/v1/token", data={
        "grant_type": "password", "client_id": client_id, "client_secret": "secret",
        "username": "user", "password": "password"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json["access_token"]


def _schema(app, mode: str, tenant: str | None):
    config = schemathesis.Config.from_dict({
        "generation": {"mode": mode, "max-examples": MAX_EXAMPLES},
        "checks": {
            # server_errors_only_on_blank_fields (contract_tests.checks) takes its place.
            "not_a_server_error": {"enabled": False},
            # Cesce refuses well-formed data on business grounds with 400 (NO EXISTE LIMITE...);
            # well_formed_requests_pass_validation tells those from validation errors instead.
            "positive_data_acceptance": {"enabled": False},
        },
    })
    schema = schemathesis.openapi.from_wsgi("/_emulator/openapi.yaml", app, config=config)
    if tenant is not None:
        schema.auth()(type(f"Token_{mode}_{tenant}", (Token,), {"client_id": tenant}))
    return schema


# Loaded at import, as schema.parametrize() needs the operations when tests are collected.
LENIENT = create_app(Settings())
STRICT = create_app(Settings(strict=True))
valid_data = _schema(LENIENT, "positive", "schemathesis-positive")
invalid_data = _schema(STRICT, "negative", "schemathesis-negative")


@pytest.fixture(scope="module", autouse=True)
def _close_the_stores():
    yield
    for app in (LENIENT, STRICT):
        app.extensions["cesce"].store.close()


@valid_data.parametrize()
def test_valid_requests_get_documented_answers_in_cesces_wire_format(case):
    case.call_and_validate(additional_checks=[well_formed_requests_pass_validation])


@invalid_data.parametrize()
def test_a_strict_emulator_refuses_invalid_requests(case):
    case.call_and_validate()


def follow_links(links, tenant: str) -> tuple[set[str], set[str]]:
    """Run the document's links as a state machine against the lenient emulator: the links
    whose values were put into the next request, and those whose request got a 2xx."""
    client = LENIENT.test_client()
    followed: set[str] = set()
    answered: set[str] = set()

    class Workflow(links.as_state_machine()):
        def setup(self):
            # Every scenario starts from the same fresh world: Hypothesis replays the choices of
            # a scenario and expects the same answers to them.
            assert client.post("/_emulator/reset", query_string={"client_id": tenant}, json={}).status_code == 200
            self.token = access_token(LENIENT, tenant)

        def before_call(self, case):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {self.token}"}

        def step(self, input):
            output = super().step(input)
            if input.transition is not None and input.is_applied:
                _, link = transition_link(input.transition.id)
                followed.add(link)
                if output.response.status_code < 300:
                    answered.add(link)
            return output

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            super().validate_response(response, case, [*(additional_checks or []), well_formed_requests_pass_validation], **kwargs)

    # Derandomized, so which links 60 scenarios reach does not vary from run to run, and no
    # deadline: a step's duration on a loaded machine is not what this test judges.
    Workflow.run(settings=settings(Workflow.TestCase.settings, max_examples=STATEFUL_SCENARIOS,
                                   derandomize=True, deadline=None))
    return followed, answered


RISK_OPERATIONS = ["getClassification", "createClassification", "activateDeactivateClassification",
                   "cancelClassification", "acceptDenyPremium", "getPortfolio", "getMovements"]


def test_following_links_gets_documented_answers():
    # The risk operations only: beside the sales links, 60 derandomized scenarios need not
    # reach a second page; the sales chain has a test of its own below.
    links = _schema(LENIENT, "positive", tenant=None).include(operation_id=RISK_OPERATIONS)
    followed, answered = follow_links(links, "schemathesis-stateful")
    # Every link is followed: a new classification is read back, found in the portfolio and
    # cancelled by the endorsementNo its answer gave, and a page leads to the next. (A read-back
    # can rightly fail: a customerReference generated alongside the endorsementNo wins over it.)
    assert {"ReadTheDebtorBack", "FindItInThePortfolio", "CancelTheLimit", "NextPage"} <= followed, followed
    assert {"FindItInThePortfolio", "NextPage"} <= answered, answered


def test_a_sale_declared_through_a_link_is_read_back_through_another():
    # Only the three operations of the chain: beside every other link of the document, 60
    # scenarios of six steps reach its third step too seldom to count on.
    links = _schema(LENIENT, "positive", tenant=None).include(operation_id=["createClassification", "createSale", "getSale"])
    _, answered = follow_links(links, "schemathesis-sales")
    # A sale is declared on a new debtor, and read back by the saleCesceReferenceNo it got.
    assert {"DeclareASaleOnIt", "ReadTheSaleBack"} <= answered, answered


def test_the_suite_sees_an_answer_out_of_cesces_wire_format(monkeypatch):
    """The runs above would fail on drift: an amount rendered as a JSON number is reported by
    Cesce's wire-format checks, by name."""
    amounts = document.fields_in_format("amount")

    def drifted(record):
        return {key: float(value.replace(",", ".")) if key in amounts else value for key, value in wire.render_record(record).items()}

    monkeypatch.setattr(risks_api, "render_record", drifted)
    # A page joins the wire texts records keep, written when the contract is seeded at first use.
    monkeypatch.setattr(risks_records, "record_text", lambda record: wire.dumps(drifted(record)))
    operation = valid_data["/portfolio/v1/contracts/{contractNo}/portfolio"]["GET"]
    case = operation.Case(path_parameters={"contractNo": "10100000001"}, query={"nextEndorsementNo": "100"},
                          headers={"Authorization": f"Bearer {access_token(valid_data.app, 'drift')}"})
    with pytest.raises(FailureGroup) as raised:
        case.call_and_validate(additional_checks=[well_formed_requests_pass_validation])
    report = str(raised.value)
    assert "amounts_use_decimal_comma" in report and "every_value_is_a_string" in report


# What the runs above found in the emulator, kept fixed. Each was a real answer before its fix.
CLASSIFY = "/dev/classifications/v1/contracts/10100000001/classifications"


def _as(app, method: str, path: str, **kwargs):
    headers = {"Authorization": f"Bearer {access_token(app, 'found')}"}
    return app.test_client().open(path, method=method, headers=headers, **kwargs)


def test_found_a_405_answer_without_the_allow_header():
    answer = _as(LENIENT, "TRACE", CLASSIFY)

    assert answer.status_code == 405
    assert {"GET", "POST"} <= {method.strip() for method in answer.headers["Allow"].split(",")}


def test_found_an_over_long_client_secret_accepted():
    answer = LENIENT.test_client().post("/dev/oauth2/v1/token", data={
        "grant_type": "password", "client_id": "found", "client_secret": "0" * 201, "username": "u", "password": "p"})

    assert (answer.status_code, answer.json["error"]) == (401, "invalid_client")


@pytest.mark.parametrize("app", [LENIENT, STRICT], ids=["lenient", "strict"])
def test_found_a_valid_customer_reference_refused_for_its_format(app):
    # "\x1e" is no blank in JSON Schema's (ECMA-262) \S, though Python's re counts it as one.
    answer = _as(app, "GET", CLASSIFY, query_string={"customerReference": "3\u00d9r\x1e"})

    assert answer.json["error"]["errorCode"] == "2001", answer.json  # NO EXISTE LIMITE: read as a reference


@pytest.mark.parametrize(("app", "status"), [(LENIENT, 201), (STRICT, 400)], ids=["lenient", "strict"])
def test_found_a_server_error_on_an_amount_with_a_trailing_newline(app, status):
    # Python's "$" matched before the final newline, so "25000,00\n" passed validation and
    # failed in the rules with an undocumented 500.
    debtor = {"countryCode": "ES", "taxCode": "B99999999", "creditLimitRequested": "25000,00\n"}
    answer = _as(app, "POST", CLASSIFY, json={"debtor": debtor})

    assert answer.status_code == status, answer.json


def test_found_an_over_long_identifier_reported_as_an_unknown_debtor_block():
    answer = _as(STRICT, "POST", CLASSIFY + "/cancel", json={"debtor": {"customerReference": "A" * 51}})

    assert answer.status_code == 400
    assert answer.json["error"]["errorCode"] == "1002" and "customerReference" in answer.json["error"]["errorDescription"]
