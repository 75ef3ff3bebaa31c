"""The kit's claims strategies, held to what the emulator does with what they draw: declarations
drawn on a seeded world's sales are taken, documents drawn for what a dossier asks for are
received, list and read queries are answered, all in the document's schema (Cesce's wire
format), and each kind of invalid declaration is refused with its own error, never a 5xx."""

from __future__ import annotations

import itertools

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests import document, strategies
from emulator import Settings, create_app

examples = settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
_tenants = itertools.count(1)
CONTRACT = "10600000101"
CLAIMS = "claims/v1/contracts/{contract}/"
#: The sandbox catalog's claims contract (mocks/README.md, "Claims"): dossiers 1 to 7, one at
#: each milestone, with their documents and settlements.
SANDBOX_CLAIMS = "10600000008"
#: Path and answer schema of each claims operation; {dossierNo}, {internalNo}, {settlementNo}
#: are filled from the world.
OPERATIONS = {
    "declareNonPayment": ("dossiers/{dossierNo}/non-payments", "NonPaymentDeclared"),
    "contributeDocument": ("dossiers/{dossierNo}/documents", "DocumentResponse"),
    "getDossiers": ("dossiers", "DossierPage"),
    "getDossier": ("dossiers/{dossierNo}", "DossierResponse"),
    "getNonPayments": ("dossiers/{dossierNo}/non-payments", "NonPaymentList"),
    "getNonPayment": ("dossiers/{dossierNo}/non-payments/{internalNo}", "NonPaymentResponse"),
    "getSettlements": ("settlements", "SettlementPage"),
    "getSettlement": ("settlements/{settlementNo}", "SettlementResponse"),
    "getUnpaidSettlements": ("settlements/{settlementNo}/unpaid-settlements", "UnpaidSettlementList"),
    "getRecoveries": ("dossiers/{dossierNo}/recoveries", "RecoveryList"),
    "getDocuments": ("documents", "DocumentPage"),
    "getProcessingSteps": ("dossiers/{dossierNo}/processing-steps", "ProcessingStepList"),
    "getRecoveryProcedures": ("dossiers/{dossierNo}/recovery-procedures", "RecoveryProcedureList"),
    "getDatesPendingSettlement": ("dossiers/{dossierNo}/dates-pending-settlements", "PendingDateList"),
}


def _sale(number: int, endorsement: str, amount: str, invoiced: str, matures: str, status: str = "rated",
          **more: str) -> dict:
    return {"saleCesceReferenceNo": str(number), "endorsementNo": endorsement, "invoiceNo": f"INV-{number}",
            "invoiceDate": invoiced, "maturityDate": matures, "amount": amount, "status": status, "since": invoiced,
            **more}


#: A world ready for claims: three debtors in force on a claims-in-seconds policy and sales of
#: every kind a declaration meets, on a frozen clock.
WORLD = {
    "clock": {"set": "2026-03-02T09:00:00Z", "freeze": True},
    "contracts": [{
        "contractNo": CONTRACT, "policy": "claims-in-seconds",
        "debtors": [{"endorsementNo": str(n), "countryCode": "ES", "taxCode": f"B0000000{n}", "customerReference": f"D-{n}",
                     "status": "in-force", "requested": "50000,00", "since": "-P400D"} for n in (1, 2, 3)],
        "sales": [
            _sale(9000001, "1", "15000,00", "-P70D", "-P10D"),
            _sale(9000002, "2", "4000,00", "-P60D", "-P1D"),
            _sale(9000003, "1", "800,00", "-P50D", "-P5D", collected="300,00", collectedOn="-P3D"),
            _sale(9000004, "3", "2500,00", "-P10D", "+P20D"),
            _sale(9000005, "3", "3000,00", "-P40D", "P0D"),
            _sale(9000006, "3", "70000,00", "-P40D", "-P2D", status="rejected"),
            _sale(9000007, "2", "1000,00", "-P40D", "-P2D", status="pending"),
            _sale(9000008, "2", "2000,00", "-P40D", "-P4D", collected="2000,00", collectedOn="-P3D"),
        ],
    }],
}
KINDS = {"claimable": ("9000001", "9000002", "9000003"), "not_due": ("9000004", "9000005"),
         "not_rated": ("9000006", "9000007"), "collected": ("9000008",)}


class Emulator:
    """A strict in-process emulator, spoken to as a new tenant each time."""

    def __init__(self) -> None:
        self.app = create_app(Settings(strict=True))
        self.client = self.app.test_client()
        self.errors = self.app.extensions["cesce"].model.errors
        self.schemas = self.app.extensions["cesce"].api.document

    def tenant(self, world: dict | None = WORLD, catalog: str = "dev") -> str:
        """A token of a new tenant in ``catalog`` (seeded with ``world``)."""
        tenant = f"claims-strategies-{next(_tenants)}"
        if world is not None:
            seeded = self.client.post("/_emulator/scenarios", json=world, query_string={"client_id": tenant})
            assert seeded.status_code == 200, seeded.json
        answer = self.client.post(f"/{catalog}/oauth2/v1/token", data={
            "grant_type": "password", "client_id": tenant, "client_secret": "s", "username": "u", "password": "p"})
        return answer.json["access_token"]

    def call(self, token: str, operation_id: str, body=None, query=None, catalog: str = "dev",
             contract: str = CONTRACT, **params: str):
        path = f"/{catalog}/" + (CLAIMS + OPERATIONS[operation_id][0]).format(contract=contract, **params)
        headers = {"Authorization": f"Bearer {token}"}
        if isinstance(body, strategies.DocumentUpload):
            data, content_type = body.encoded()
            return self.client.post(path, data=data, content_type=content_type, headers=headers, query_string=query)
        if body is not None:
            return self.client.post(path, json=body, headers=headers, query_string=query)
        return self.client.get(path, query_string=query or {}, headers=headers)

    def in_wire_format(self, operation_id: str, answer) -> None:
        """The answer is one the document gives the operation (its schema holds Cesce's
        formats: strings only, decimal-comma amounts, yyyyMMdd dates, the envelope)."""
        schema = {**self.schemas, "$ref": f"#/components/schemas/{OPERATIONS[operation_id][1]}"}
        jsonschema.Draft202012Validator(schema).validate(answer.json)

    def sales(self, token: str) -> dict[str, dict]:
        answer = self.client.get(f"/dev/sales/v1/contracts/{CONTRACT}/sales", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.json
        return {sale["saleCesceReferenceNo"]: sale for sale in answer.json["sale"]}


@pytest.fixture(scope="module")
def emulator():
    found = Emulator()
    yield found
    found.app.extensions["cesce"].store.close()


@pytest.fixture(scope="module")
def kinds(emulator) -> dict[str, st.SearchStrategy[dict]]:
    """The seeded sales as GET sales gives them, by the kind of declaration they take."""
    records = emulator.sales(emulator.tenant())
    return {kind: st.sampled_from([records[number] for number in numbers]) for kind, numbers in KINDS.items()}


# -- valid requests -----------------------------------------------------------------------


@examples
@given(data=st.data())
def test_declarations_drawn_on_the_sales_a_user_declared_are_taken(emulator, kinds, data):
    token = emulator.tenant()
    sales = data.draw(st.lists(kinds["claimable"], min_size=1, max_size=3, unique_by=lambda s: s["saleCesceReferenceNo"]))
    for sale in sales:
        body = data.draw(strategies.non_payment_declarations(st.just(sale)))
        answer = emulator.call(token, "declareNonPayment", body, dossierNo="0")

        assert answer.status_code == 201, (body, answer.json)
        emulator.in_wire_format("declareNonPayment", answer)
        declared = answer.json["nonPayment"]
        assert (declared["saleCesceReferenceNo"], declared["unpaidAmount"]) == (
            sale["saleCesceReferenceNo"], body["nonPayment"]["unpaidAmount"])
        assert declared["dossierNo"] == answer.json["client"]["dossierNo"]


@examples
@given(data=st.data())
def test_a_document_drawn_for_what_a_dossier_asks_for_is_received(emulator, kinds, data):
    token = emulator.tenant()
    body = data.draw(strategies.non_payment_declarations(kinds["claimable"]))
    dossier = emulator.call(token, "declareNonPayment", body, dossierNo="0").json["client"]["dossierNo"]
    asked = emulator.call(token, "getDocuments", query={"dossierNo": dossier}).json["document"]

    upload = data.draw(strategies.document_uploads(st.sampled_from(asked)))
    answer = emulator.call(token, "contributeDocument", upload, dossierNo=upload.dossier_no)

    assert answer.status_code == 201, (upload, answer.json)
    emulator.in_wire_format("contributeDocument", answer)
    received = answer.json["document"]
    assert (received["documentNo"], received["statusCode"]) == (upload.document_no, "3")
    assert (received["fileName"], received["contentType"], received["sizeBytes"]) == (
        upload.file_name, upload.content_type, str(len(upload.data)))


LIST_QUERIES = {"getDossiers": strategies.dossier_list_queries, "getSettlements": strategies.settlement_list_queries,
                "getDocuments": strategies.document_list_queries}


@pytest.mark.parametrize("operation_id", sorted(LIST_QUERIES))
@examples
@given(data=st.data())
def test_a_claims_list_query_is_answered_as_drawn(emulator, operation_id, data):
    """On the sandbox catalog's claims contract, whose dossiers are at every milestone."""
    token = emulator.tenant(world=None, catalog="sandbox")
    dossiers = st.sampled_from([{"dossierNo": str(n), "endorsementNo": str(799 + n)} for n in range(1, 8)])
    query = data.draw(LIST_QUERIES[operation_id](dossiers, initial_values=st.just("")))
    answer = emulator.call(token, operation_id, query=query, catalog="sandbox", contract=SANDBOX_CLAIMS)

    assert answer.status_code == 200, (query, answer.json)
    emulator.in_wire_format(operation_id, answer)
    entity = {"getDossiers": "dossier", "getSettlements": "settlement", "getDocuments": "document"}[operation_id]
    for record in answer.json[entity] or []:
        assert all(record[name] == query[name] for name in ("dossierNo", "endorsementNo", "statusCode") if name in query)


READS = ["getDossier", "getNonPayments", "getNonPayment", "getSettlement", "getUnpaidSettlements", "getRecoveries",
         "getProcessingSteps", "getRecoveryProcedures", "getDatesPendingSettlement"]


@pytest.mark.parametrize("operation_id", READS)
@settings(max_examples=4, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_claims_read_query_is_answered_as_drawn(emulator, operation_id, data):
    token = emulator.tenant(world=None, catalog="sandbox")
    settlements = emulator.call(token, "getSettlements", catalog="sandbox", contract=SANDBOX_CLAIMS).json["settlement"]
    query = data.draw(strategies.queries(operation_id))
    params = {"dossierNo": data.draw(st.sampled_from([s["dossierNo"] for s in settlements])), "internalNo": "1",
              "settlementNo": data.draw(st.sampled_from([s["settlementNo"] for s in settlements]))}
    answer = emulator.call(token, operation_id, query=query, catalog="sandbox", contract=SANDBOX_CLAIMS, **params)

    assert answer.status_code == 200, (query, answer.json)
    emulator.in_wire_format(operation_id, answer)


CLAIMS_OPERATIONS = [op for op in document.operation_ids() if document.operation(op).path.startswith("/claims/")]


def test_every_claims_operation_is_spoken_to_here():
    assert sorted(CLAIMS_OPERATIONS) == sorted(OPERATIONS)


@pytest.mark.parametrize("operation_id", CLAIMS_OPERATIONS)
@settings(max_examples=5)
@given(data=st.data())
def test_the_dispatchers_draw_for_every_claims_operation_with_a_body_or_a_query(operation_id, data):
    """request_bodies and queries know every claims operation that takes a body (the JSON one
    of declareNonPayment, the multipart form of contributeDocument) or, as a GET, a query; what
    they draw is what the document declares."""
    operation = document.operation(operation_id)
    if operation.body is not None:
        body = data.draw(strategies.request_bodies(operation_id))
        if isinstance(body, strategies.DocumentUpload):
            sent = {**body.form, **{name: "(file)" for name in body.files}}
            assert set(sent) == set(operation.body["required"]) and body.data, body
        else:
            jsonschema.Draft202012Validator(operation.body).validate(body)
    if operation.method == "GET":
        query = data.draw(strategies.queries(operation_id))
        jsonschema.Draft202012Validator(operation.query).validate(query)


# -- invalid declarations ---------------------------------------------------------------------


@pytest.mark.parametrize("rule", strategies.CLAIM_RULES + strategies.DECLARATION_FORM_RULES)
@examples
@given(data=st.data())
def test_each_kind_of_invalid_declaration_is_refused_with_its_error(emulator, kinds, rule, data):
    invalid = data.draw(strategies.invalid_declarations(rule, **kinds))
    token = emulator.tenant()
    answer = emulator.call(token, invalid.operation_id, invalid.body, **invalid.params)

    assert answer.status_code == invalid.status == 400, (invalid, answer.json)
    assert answer.json["error"]["errorCode"] == emulator.errors[invalid.error]["errorCode"], (invalid, answer.json)
    described = answer.json["error"]["errorDescription"]
    if rule in ("not-rated", "not-due", "collected", "above-unpaid"):  # the sale's state: its reference is named
        named = emulator.sales(token).get(invalid.body["nonPayment"].get("saleCesceReferenceNo")) or next(
            sale for sale in emulator.sales(token).values() if sale["invoiceNo"] == invalid.body["nonPayment"]["invoiceNo"])
        assert named["saleCesceReferenceNo"] in described, (invalid, answer.json)
    elif rule not in ("not-positive", "unknown-sale", "no-sale-named"):
        assert invalid.name in described or invalid.params["dossierNo"] in described, (invalid, answer.json)
    assert emulator.call(token, "getDossiers").json["dossier"] is None  # refused: nothing written


def test_a_rule_of_the_claims_needs_the_sales_it_declares_on():
    with pytest.raises(ValueError, match="give the sales"):
        strategies.invalid_declarations("not-due")
    with pytest.raises(ValueError, match="unknown rule"):
        strategies.invalid_declarations("late-declaration")
