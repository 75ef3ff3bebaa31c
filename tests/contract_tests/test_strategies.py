"""The kit's hypothesis strategies, held to what the emulator does with what they draw: valid
requests are taken (in strict mode, by a fresh tenant each), each kind of invalid request is
refused with its own error naming the field, and generated scenarios and Cesce-side events
seed and change the world they describe."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests import strategies
from emulator import Settings, create_app, wire
from emulator.sandbox_model import SandboxModel

examples = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
_tenants = itertools.count(1)
CLASSIFY = "classifications/v1/contracts/{}/classifications"
PATHS = {
    "createClassification": CLASSIFY,
    "cancelClassification": CLASSIFY + "/cancel",
    "activateDeactivateClassification": CLASSIFY + "/activate-deactivate",
    "acceptDenyPremium": CLASSIFY + "/accept-deny-premium",
    "getClassification": CLASSIFY,
    "getPortfolio": "portfolio/v1/contracts/{}/portfolio",
    "getMovements": "portfolio-movements/v1/contracts/{}/movements",
    "createSale": "sales/v1/contracts/{}/sales",
    "getSales": "sales/v1/contracts/{}/sales",
    "modifySale": "sales/v1/contracts/{}/sale",
    "getSale": "sales/v1/contracts/{}/sale",
    "getSubsidiaries": "sales/v1/contracts/{}/subsidiaries",
    "createExtension": "extensions/v1/contracts/{}/extensions",
    "createCollection": "collections/v1/contracts/{}/collections",
}
SALES_BODIES = ("createSale", "modifySale", "createExtension", "createCollection")
MOCK_CONTRACT, PPC_CONTRACT = "10100000001", "10200000002"


class Emulator:
    """An in-process emulator, spoken to as a new tenant each time (so examples do not meet)."""

    def __init__(self, strict: bool) -> None:
        self.app = create_app(Settings(strict=strict))
        self.client = self.app.test_client()
        self.errors = self.app.extensions["cesce"].model.errors

    def tenant(self) -> tuple[str, str]:
        """A new tenant and a token of its."""
        tenant = f"strategies-{next(_tenants)}"
        return tenant, self.token(tenant)

    def token(self, tenant: str) -> str:
        answer = self.client.post("/dev/oauth2/v1/token", data={
            "grant_type": "password", "client_id": tenant, "client_secret": "s", "username": "u", "password": "p"})
        return answer.json["access_token"]

    def call(self, operation_id: str, contract: str, body=None, query=None, token: str | None = None):
        token = token or self.tenant()[1]
        path = "/dev/" + PATHS[operation_id].format(contract)
        headers = {"Authorization": f"Bearer {token}"}
        if operation_id.startswith("get"):
            return self.client.get(path, query_string=query or {}, headers=headers)
        return self.client.post(path, json=body, headers=headers)

    def operator(self, method: str, path: str, tenant: str, body=None):
        return self.client.open(f"/_emulator/{path}", method=method, json=body, query_string={"client_id": tenant})

    def shape_errors(self) -> set[str]:
        """The errorCodes of requests refused for their form. (A missing field or a value out of
        range can also be a business refusal: a new debtor needs countryCode, for one.)"""
        return {self.errors[key]["errorCode"] for key in ("invalid_json", "field_too_long", "invalid_format", "unknown_field")}


@pytest.fixture(scope="module")
def strict():
    emulator = Emulator(strict=True)
    yield emulator
    emulator.app.extensions["cesce"].store.close()


@pytest.fixture(scope="module")
def lenient():
    emulator = Emulator(strict=False)
    yield emulator
    emulator.app.extensions["cesce"].store.close()


# -- valid requests -----------------------------------------------------------------------


@examples
@given(body=strategies.new_debtor_classifications(), contract=strategies.contract_numbers())
def test_a_new_debtor_classification_gets_a_record_of_its_own(strict, body, contract):
    answer = strict.call("createClassification", contract, body)

    assert answer.status_code == 201, answer.json
    record = answer.json["debtor"]
    assert (record["countryCode"], record["taxCode"]) == (body["debtor"]["countryCode"], body["debtor"]["taxCode"])
    assert record["creditLimitRequested"] == body["debtor"]["creditLimitRequested"]
    assert record["customerReference"] == body["debtor"].get("customerReference", "")


def mock_debtors(contract: str, status: str) -> st.SearchStrategy[dict]:
    """Debtors of a contract of the Sandbox Model (mocks/contracts.yaml) in a status, with no
    request of theirs waiting."""
    seeded = SandboxModel().contracts[contract]["debtors"]
    return st.sampled_from([d for d in seeded if d["status"] == status and "pendingRequest" not in d])


IN_FORCE = mock_debtors(MOCK_CONTRACT, "in-force")


@examples
@given(body=strategies.known_debtor_classifications(IN_FORCE, max_requested=6_000_000))
def test_a_new_limit_for_a_known_debtor_is_granted(strict, body):
    answer = strict.call("createClassification", MOCK_CONTRACT, body)

    assert answer.status_code == 201, answer.json
    named = answer.json["debtor"]
    if body["debtor"].get("nonPaymentInd") == "Y":
        # Declared non-payments: a 300xxx request for manual study, beside the limit in force.
        assert (named["statusCode"], int(named["endorsementNo"]) >= 300000) == ("1", True)
        return
    assert all(named[key] == value for key, value in body["debtor"].items() if key != "nonPaymentInd" and key in named)


@examples
@given(body=strategies.cancel_requests(IN_FORCE))
def test_cancelling_a_limit_in_force_cancels_it(strict, body):
    answer = strict.call("cancelClassification", MOCK_CONTRACT, body)

    assert answer.status_code == 200, answer.json
    assert answer.json["debtor"]["statusCode"] == "10"


@examples
@given(body=strategies.activate_deactivate_requests(mock_debtors(PPC_CONTRACT, "in-force")))
def test_switching_a_ppc_cover_leaves_it_as_asked(strict, body):
    answer = strict.call("activateDeactivateClassification", PPC_CONTRACT, body)

    assert answer.status_code == 200, answer.json
    assert answer.json["debtor"]["statusCode"] == {"Y": "2", "N": "5"}[body["debtor"]["activateInd"]]


@examples
@given(body=strategies.accept_deny_premium_requests(mock_debtors(PPC_CONTRACT, "awaiting-premium")))
def test_a_premium_decision_settles_the_waiting_cover(strict, body):
    answer = strict.call("acceptDenyPremium", PPC_CONTRACT, body)

    assert answer.status_code == 200, answer.json
    assert answer.json["debtor"]["statusCode"] == {"Y": "2", "N": "10"}[body["debtor"]["acceptPremiumInd"]]


@pytest.mark.parametrize("operation_id", ["createClassification", "cancelClassification",
                                          "activateDeactivateClassification", "acceptDenyPremium", *SALES_BODIES])
@examples
@given(data=st.data())
def test_any_valid_body_passes_validation(strict, operation_id, data):
    """Whatever debtor a body names, it is well formed: a success, or a business refusal such
    as NO EXISTE LIMITE, never an error about the request's form."""
    body = data.draw(strategies.request_bodies(operation_id))
    answer = strict.call(operation_id, data.draw(strategies.contract_numbers()), body)

    assert answer.status_code in (200, 201, 400), answer.json
    assert answer.json["error"]["errorCode"] not in strict.shape_errors(), (body, answer.json)


@pytest.mark.parametrize("operation_id", ["getClassification", "getPortfolio", "getMovements", "getSale", "getSales",
                                          "getSubsidiaries"])
@examples
@given(data=st.data())
def test_any_valid_query_passes_validation(strict, operation_id, data):
    query = data.draw(strategies.queries(operation_id))
    answer = strict.call(operation_id, MOCK_CONTRACT, query=query)

    assert answer.status_code in (200, 400), answer.json
    assert answer.json["error"]["errorCode"] not in strict.shape_errors(), (query, answer.json)
    if operation_id in ("getPortfolio", "getMovements", "getSubsidiaries"):
        assert answer.status_code == 200


@examples
@given(form=strategies.token_requests())
def test_a_token_request_gets_a_token_with_the_scope_asked_for(strict, form):
    answer = strict.client.post("/dev/oauth2/v1/token", data=form)

    assert answer.status_code == 200, answer.json
    assert set(answer.json["scope"].split()) == set(form.get("scope", "read create update delete").split())


# -- invalid requests ---------------------------------------------------------------------


INVALID = [(operation_id, rule) for operation_id in ("createClassification", "cancelClassification",
                                                     "activateDeactivateClassification", "acceptDenyPremium")
           for rule in strategies.RULES
           if rule in ("too-long", "missing", "unknown-field") or operation_id == "createClassification" and rule != "date-format"]
INVALID += [(operation_id, rule) for operation_id in SALES_BODIES for rule in strategies.RULES
            if rule != "blank" and not (operation_id == "modifySale" and rule == "missing")]
INVALID += [("modifySale", "missing")]


@pytest.mark.parametrize(("operation_id", "rule"), INVALID)
@examples
@given(data=st.data())
def test_each_kind_of_invalid_request_is_refused_with_its_error(strict, operation_id, rule, data):
    invalid = data.draw(strategies.invalid_requests(operation_id, rule))
    answer = strict.call(operation_id, MOCK_CONTRACT, invalid.body)

    assert answer.status_code == invalid.status, (invalid, answer.json)
    assert answer.json["error"]["errorCode"] == strict.errors[invalid.error]["errorCode"], (invalid, answer.json)
    if rule != "blank":  # Cesce's 500 says nothing of the field
        assert invalid.name in answer.json["error"]["errorDescription"], (invalid, answer.json)


def test_a_rule_of_the_sales_needs_a_debtor_to_declare_on():
    with pytest.raises(ValueError, match="known="):
        strategies.invalid_sales("duplicate")
    with pytest.raises(ValueError, match="unknown rule"):
        strategies.invalid_sales("late-declaration")


def test_a_rule_an_operation_cannot_break_is_refused():
    with pytest.raises(ValueError, match="no field that can break the rule 'blank'"):
        strategies.invalid_requests("cancelClassification", "blank")


@examples
@given(invalid=strategies.invalid_requests("createClassification", "blank"))
def test_a_blank_non_payment_ind_is_a_server_error_in_lenient_mode_too(lenient, invalid):
    answer = lenient.call("createClassification", MOCK_CONTRACT, invalid.body)

    assert answer.status_code == 500
    assert answer.json["error"]["errorCode"] == lenient.errors["blank_value"]["errorCode"]


@examples
@given(invalid=strategies.invalid_requests("createClassification", "amount-format"))
def test_the_lenient_emulator_reads_the_amounts_it_can_and_notes_them(lenient, invalid):
    tenant, token = lenient.tenant()
    sent = invalid.body
    for key in invalid.field.split("."):
        sent = sent[key]
    answer = lenient.call("createClassification", "20000000001", invalid.body, token=token)

    if wire.normalize_amount(sent) is None:
        assert answer.status_code == 400, answer.json
        assert answer.json["error"]["errorCode"] == lenient.errors["invalid_format"]["errorCode"]
        assert invalid.name in answer.json["error"]["errorDescription"]
    else:  # read as an amount (a zero one is then refused as a business rule), and noted
        assert answer.json["error"]["errorCode"] != lenient.errors["invalid_format"]["errorCode"], answer.json
        findings = lenient.operator("GET", "journal", tenant).json["entries"][-1]["findings"]
        assert [f["rule"] for f in findings if f["field"] == invalid.field] == ["amount-format"], findings


@examples
@given(value=strategies.malformed_dates())
def test_a_malformed_date_is_not_a_wire_date(value):
    with pytest.raises(ValueError):
        wire.parse_date(value)


@examples
@given(value=strategies.dates(allow_none=True))
def test_dates_read_back_as_drawn(value):
    assert wire.format_date(wire.parse_date(value)) == value


@examples
@given(value=strategies.amounts(-10**12, 10**12))
def test_amounts_read_back_as_drawn(value):
    assert wire.format_amount(wire.parse_amount(value)) == value


# -- worlds and Cesce's side ------------------------------------------------------------


def _portfolio(emulator: Emulator, token: str, contract: str) -> list[dict]:
    answer = emulator.call("getPortfolio", contract, query={"nextEndorsementNo": "0"}, token=token)
    assert answer.status_code == 200, answer.json
    return answer.json["debtor"] or []


@examples
@given(scenario=strategies.scenarios(max_contracts=2, max_debtors=8))
def test_a_generated_scenario_seeds_the_portfolios_it_describes(strict, scenario):
    tenant = f"strategies-{next(_tenants)}"
    answer = strict.operator("POST", "scenarios", tenant, scenario)
    token = strict.token(tenant)  # on the scenario's clock

    assert answer.status_code == 200, answer.json
    for contract in scenario["contracts"]:
        records = _portfolio(strict, token, contract["contractNo"])
        firm = sorted(int(r["endorsementNo"]) for r in records if int(r["endorsementNo"]) < strategies.PENDING_REQUESTS_FROM)
        requests = [r for r in records if int(r["endorsementNo"]) >= strategies.PENDING_REQUESTS_FROM]
        assert firm == sorted(int(debtor["endorsementNo"]) for debtor in contract["debtors"])
        assert len(requests) == sum("pendingRequest" in debtor for debtor in contract["debtors"])


@examples
@given(data=st.data())
def test_cesce_events_drawn_for_a_portfolio_all_apply(strict, data):
    contract = data.draw(strategies.portfolios(max_debtors=8))
    events = data.draw(strategies.cesce_events(contract))
    tenant, token = strict.tenant()
    assert strict.operator("POST", "scenarios", tenant, {"contracts": [contract]}).status_code == 200

    answer = strict.operator("POST", "events", tenant, events)

    assert answer.status_code == 200, (events, answer.json)
    results = answer.json["results"]
    assert [r["endorsementNo"] for r in results] == [event["endorsementNo"] for event in events]
    for event, result in zip(events, results):
        if event["type"] == "reduce":
            assert result["creditLimitGranted"] == event["amount"]
        elif event["type"] == "cancel":
            assert result["statusCode"] == "10"
        else:
            assert result["statusCode"] != "1" and result["resolveAt"] is None  # decided


@examples
@given(event=strategies.events())
def test_any_schema_valid_event_is_carried_out_or_refused_by_name(strict, event):
    tenant, _ = strict.tenant()
    answer = strict.operator("POST", "events", tenant, event)

    assert answer.status_code in (200, 400, 404), answer.json
    if answer.status_code != 200:
        assert answer.json["error"]


# -- sales ------------------------------------------------------------------------------------


def mock_sale_debtors(contract: str) -> st.SearchStrategy[dict]:
    """Debtors of a contract of the Sandbox Model whose limit is in force, with no request of
    theirs waiting (a sale on them is rated at once)."""
    seeded = SandboxModel().contracts[contract]["debtors"]
    return st.sampled_from([d for d in seeded if d["status"] == "in-force" and "pendingRequest" not in d])


SALE_DEBTORS = mock_sale_debtors(MOCK_CONTRACT)


def _today(emulator: Emulator, tenant: str):
    now = emulator.operator("GET", "clock", tenant).json["now"]
    return wire.parse_date(now[:10].replace("-", ""))


@examples
@given(data=st.data())
def test_a_sale_on_a_known_debtor_is_declared_as_drawn(strict, data):
    tenant, token = strict.tenant()
    today = _today(strict, tenant)
    body = data.draw(strategies.sale_requests(SALE_DEBTORS, invoiced=(today, today)))
    answer = strict.call("createSale", MOCK_CONTRACT, body, token=token)

    assert answer.status_code == 201, (body, answer.json)
    sale = answer.json["sale"]
    assert all(sale[key] == value for key, value in body["sale"].items()), (body, sale)
    assert sale["statusCode"] in ("5", "9")  # rated or rejected (above the limit, beyond its terms), never refused


@pytest.mark.parametrize(("contract", "factoring"), [("10500000006", "with-recourse"), ("10500000007", "without-recourse")])
@examples
@given(data=st.data())
def test_a_factoring_sale_carries_what_its_policy_requires(strict, contract, factoring, data):
    body = data.draw(strategies.sale_requests(mock_sale_debtors(contract), factoring=factoring))
    answer = strict.call("createSale", contract, body)

    assert answer.status_code == 201, (body, answer.json)
    assert answer.json["sale"]["acquisitionDate"] == body["sale"]["acquisitionDate"]


def _declared(emulator: Emulator, data, token: str, tenant: str) -> dict:
    today = _today(emulator, tenant)
    body = data.draw(strategies.sale_requests(st.just({"endorsementNo": "100"}), invoiced=(today, today)))
    body["sale"]["currencyAmount"] = data.draw(strategies.amounts(1, 5_000_000))  # within 100's 50000,00
    answer = emulator.call("createSale", MOCK_CONTRACT, body, token=token)
    assert (answer.status_code, answer.json["sale"]["statusCode"]) == (201, "5"), answer.json
    return answer.json["sale"]


@examples
@given(data=st.data())
def test_a_sale_is_read_back_and_modified_as_drawn(strict, data):
    tenant, token = strict.tenant()
    sale = _declared(strict, data, token, tenant)
    query = data.draw(strategies.sale_queries(st.just(sale)))
    assert strict.call("getSale", MOCK_CONTRACT, query=query, token=token).json["sale"] == sale

    body = data.draw(strategies.sale_modifications(st.just(sale)))
    answer = strict.call("modifySale", MOCK_CONTRACT, body, token=token)
    assert answer.status_code in (200, 400), answer.json
    assert answer.json["error"]["errorCode"] not in strict.shape_errors(), (body, answer.json)


@examples
@given(data=st.data())
def test_an_extension_drawn_for_a_rated_sale_extends_it(strict, data):
    tenant, token = strict.tenant()
    sale = _declared(strict, data, token, tenant)
    body = data.draw(strategies.extension_requests(st.just(sale)))
    answer = strict.call("createExtension", MOCK_CONTRACT, body, token=token)

    assert answer.status_code == 201, (body, answer.json)
    extended = answer.json["sale"]
    assert (extended["originalSaleCesceReferenceNo"], extended["maturityAmount"]) == (
        sale["saleCesceReferenceNo"], body["extension"]["maturityAmount"])


@examples
@given(data=st.data())
def test_a_collection_drawn_for_a_sale_is_recorded_on_it(strict, data):
    tenant, token = strict.tenant()
    sale = _declared(strict, data, token, tenant)
    body = data.draw(strategies.collection_requests(st.just(sale)))
    answer = strict.call("createCollection", MOCK_CONTRACT, body, token=token)

    assert answer.status_code == 201, (body, answer.json)
    assert answer.json["sale"]["collectedAmount"] == body["collectionAmount"]


@examples
@given(data=st.data())
def test_a_sales_list_query_drawn_for_known_debtors_is_answered(strict, data):
    query = data.draw(strategies.sales_list_queries(SALE_DEBTORS, initial_values=st.just("")))
    answer = strict.call("getSales", MOCK_CONTRACT, query=query)

    assert answer.status_code == 200, (query, answer.json)
    for sale in answer.json["sale"] or []:
        assert query.get("statusCode", sale["statusCode"]) == sale["statusCode"]
        assert query.get("endorsementNo", sale["endorsementNo"]) == sale["endorsementNo"]
        assert sale["invoiceDate"].startswith(query.get("invoiceMonth", ""))


@pytest.mark.parametrize("rule", strategies.SALE_RULES)
@examples
@given(data=st.data())
def test_each_rule_of_the_sales_is_enforced_as_drawn(strict, rule, data):
    invalid = data.draw(strategies.invalid_sales(rule, SALE_DEBTORS))
    tenant, token = strict.tenant()
    first = [strict.call(operation_id, MOCK_CONTRACT, body, token=token) for operation_id, body in invalid.setup]
    assert all(answer.status_code == 201 for answer in first)

    answer = strict.call(invalid.operation_id, MOCK_CONTRACT, invalid.body, token=token)

    assert answer.status_code == invalid.status, (invalid, answer.json)
    if invalid.reason is None:
        assert answer.json["error"]["errorCode"] == strict.errors[invalid.error]["errorCode"], (invalid, answer.json)
        # A duplicate names the sale it repeats; the other errors, the field.
        named = first[0].json["sale"]["saleCesceReferenceNo"] if rule == "duplicate" else invalid.name
        assert named in answer.json["error"]["errorDescription"], (invalid, answer.json)
    else:
        reasons = strict.app.extensions["cesce"].model.codes["sale-reasons"]
        assert (answer.json["sale"]["statusCode"], answer.json["sale"]["reasonStatusCode"]) == ("9", reasons.code(invalid.reason))
