"""HTTP glue of the Claims product. Each handler reads the validated request, calls the rule of
the same name and renders its result in Cesce's envelope."""

from __future__ import annotations

from emulator.areas import Operations
from emulator.claims import rules
from emulator.claims.records import PROCESSING, RECOVERY, STEPS, Step
from emulator.gateway import Answer, Call
from emulator.sales.api import sale_ref
from emulator.wire import envelope, parse_amount, render_record

operations = Operations()


@operations("declareNonPayment")
def declare_non_payment(call: Call) -> Answer:
    fields = call.body["nonPayment"]
    found = rules.declare(call.world, call.contract_no, int(call.params["dossierNo"]), sale_ref(fields),
                          parse_amount(fields["unpaidAmount"]))
    return Answer(201, envelope(call.client(dossierNo=str(found.dossier_no)), nonPayment=render_record(found)))


@operations("contributeDocument")
def contribute_document(call: Call) -> Answer:
    upload = call.body["file"]
    found = rules.contribute(call.world, call.contract_no, int(call.params["dossierNo"]), int(call.body["documentNo"]),
                             upload.file_name, upload.content_type, upload.data)
    return Answer(201, envelope(call.client(), document=render_record(found)))


@operations("getDossiers")
def get_dossiers(call: Call) -> Answer:
    number = call.query.get("endorsementNo")
    page = rules.list_dossiers(call.world, call.contract_no, int(call.cursor or 0), call.size,
                               int(number) if number else None, call.query.get("statusCode"))
    return _page(call, page)


@operations("getDossier")
def get_dossier(call: Call) -> Answer:
    found = rules.find_dossier(call.world, call.contract_no, _dossier(call))
    return Answer(200, envelope(call.client(), dossier=render_record(found)))


@operations("getNonPayments")
def get_non_payments(call: Call) -> Answer:
    return _list(call, "nonPayment", rules.non_payments(call.world, call.contract_no, _dossier(call)))


@operations("getNonPayment")
def get_non_payment(call: Call) -> Answer:
    found = rules.find_non_payment(call.world, call.contract_no, _dossier(call), int(call.params["internalNo"]))
    return Answer(200, envelope(call.client(), nonPayment=render_record(found)))


@operations("getSettlements")
def get_settlements(call: Call) -> Answer:
    number = call.query.get("dossierNo")
    page = rules.list_settlements(call.world, call.contract_no, int(call.cursor or 0), call.size,
                                  int(number) if number else None)
    return _page(call, page)


@operations("getSettlement")
def get_settlement(call: Call) -> Answer:
    found = rules.find_settlement(call.world, call.contract_no, int(call.params["settlementNo"]))
    return Answer(200, envelope(call.client(), settlement=render_record(found)))


@operations("getUnpaidSettlements")
def get_unpaid_settlements(call: Call) -> Answer:
    found = rules.unpaid_settled(call.world, call.contract_no, int(call.params["settlementNo"]))
    return _list(call, "unpaidSettlement", found)


@operations("getRecoveries")
def get_recoveries(call: Call) -> Answer:
    return _list(call, "recovery", rules.recoveries(call.world, call.contract_no, _dossier(call)))


@operations("getDocuments")
def get_documents(call: Call) -> Answer:
    number = call.query.get("dossierNo")
    page = rules.list_documents(call.world, call.contract_no, int(call.cursor or 0), call.size,
                                int(number) if number else None, call.query.get("statusCode"))
    return _page(call, page)


@operations("getProcessingSteps")
def get_processing_steps(call: Call) -> Answer:
    return _steps(call, "processingStep", PROCESSING)


@operations("getRecoveryProcedures")
def get_recovery_procedures(call: Call) -> Answer:
    return _steps(call, "recoveryProcedure", RECOVERY)


@operations("getDatesPendingSettlement")
def get_dates_pending_settlement(call: Call) -> Answer:
    return _list(call, "datePendingSettlement", rules.pending_dates(call.world, call.contract_no, _dossier(call)))


def _dossier(call: Call) -> int:
    return int(call.params["dossierNo"])


def _steps(call: Call, entity: str, kind: str) -> Answer:
    found = rules.steps(call.world, call.contract_no, _dossier(call), kind)
    return Answer(200, envelope(call.client(), **{entity: [_step(call, step) for step in found] or None}))


def _step(call: Call, step: Step) -> dict[str, str]:
    """A step with its description in the request's language (mocks/codes/claim-steps.yaml)."""
    table = call.world.model.codes[STEPS]
    return {**render_record(step), "stepDescription": table[table.key(step.step_code)][call.language]}


def _list(call: Call, entity: str, records: list) -> Answer:
    return Answer(200, envelope(call.client(), **{entity: [render_record(record) for record in records] or None}))


def _page(call: Call, page: rules.Page) -> Answer:
    following = None if page.following is None else str(page.following)
    return call.page([render_record(record) for record in page.records], following)
