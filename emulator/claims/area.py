"""The Claims product, as an area: what the core needs from it, in one place. Builds on the
sales area (a non-payment is declared on a rated sale; a dossier freezes its endorsement's
sales) and on the risk area (a sale is covered by its debtor's limit of the sale's date)."""

from __future__ import annotations

from pathlib import Path

from emulator.areas import Area, Event, ListView, ModelPart, SnapshotError, SnapshotPart
from emulator.claims import api, lifecycle, store
from emulator.claims.lifecycle import NAME
from emulator.claims.records import (
    DOCUMENT_STATUSES,
    DOCUMENT_TYPES,
    DOSSIER_STATUSES,
    NON_PAYMENT_STATUSES,
    PROCESSING,
    RECOVERY,
    SETTLEMENT_STATUSES,
    STEPS,
    TABLES,
    Document,
    Dossier,
    NonPayment,
    Recovery,
    Settlement,
    Step,
)
from emulator.claims.seeding import seed_claims
from emulator.risks import rules as risks
from emulator.sandbox_model import ModelError, SandboxModel
from emulator.store import migration_files
from emulator.wire import camel, format_amount, format_date, parse_amount, parse_date, parse_record, render_record
from emulator.world import World, contract

HERE = Path(__file__).resolve().parent

#: The state view's lists of records: key -> (record class, table, step kind).
_LISTS = {
    "dossiers": (Dossier, "claim_dossiers", None),
    "nonPayments": (NonPayment, "claim_non_payments", None),
    "claimDocuments": (Document, "claim_documents", None),
    "settlements": (Settlement, "claim_settlements", None),
    "recoveries": (Recovery, "claim_recoveries", None),
    "processingSteps": (Step, "claim_steps", PROCESSING),
    "recoveryProcedures": (Step, "claim_steps", RECOVERY),
}


def check(model: SandboxModel, contract_doc: dict, where: str) -> None:
    """The claims of a contract document name sales it declares; its policy asks for documents
    of the code table."""
    sales = {seed["saleCesceReferenceNo"] for seed in contract_doc.get("sales", []) if "saleCesceReferenceNo" in seed}
    for claim in contract_doc.get("claims", []):
        if claim["saleCesceReferenceNo"] not in sales:
            raise ModelError(f"{where}: a claim on sale {claim['saleCesceReferenceNo']}, which the contract does not declare")
    policy = model.policies.get(contract_doc.get("policy", model.default_policy), {})
    for kind in [*policy.get("claims", {}).get("documents", ()), *policy.get("claims", {}).get("dossierDocuments", ())]:
        if kind not in model.codes[DOCUMENT_TYPES]:
            raise ModelError(f"{where}: its policy asks for document {kind!r}, not in mocks/codes/claim-document-types.yaml")


def state(world: World, contract_no: str) -> dict[str, list[dict]]:
    """Every claims record of the contract as the wire shows it, and the amounts of the
    debtors' limits from each date (what the cover analysis reads)."""
    tx, tenant = world.tx, world.tenant
    rows = {
        "dossiers": store.dossiers(tx, tenant, contract_no),
        "nonPayments": store.non_payments(tx, tenant, contract_no),
        "claimDocuments": store.documents(tx, tenant, contract_no),
        "settlements": store.settlements(tx, tenant, contract_no),
        "recoveries": store.recoveries(tx, tenant, contract_no),
        "processingSteps": store.steps(tx, tenant, contract_no, kind=PROCESSING),
        "recoveryProcedures": store.steps(tx, tenant, contract_no, kind=RECOVERY),
    }
    view = {key: [render_record(_LISTS[key][0].from_row(row)) for row in found] for key, found in rows.items()}
    view["claimLimits"] = [{"endorsementNo": str(row["endorsement_no"]), "since": format_date(row["since"]),
                            "amount": format_amount(row["amount"])} for row in store.limits(tx, tenant, contract_no)]
    return view


def restore(world: World, contract_no: str, part: dict[str, list]) -> None:
    """The inverse of ``state``, for a snapshot: each record with its codes in their tables,
    its numbers in range, and once."""
    for key, (cls, table, kind) in _LISTS.items():
        rows, seen = [], set()
        for index, view in enumerate(part[key]):
            try:
                record = _restored(world, cls, view, contract_no, kind)
            except (TypeError, ValueError) as error:
                raise SnapshotError(f"{key}/{index}", str(error)) from None
            row = record.to_row(world.tenant)
            identity = tuple(row[name] for name in store.TABLES[table])
            if identity in seen:
                raise SnapshotError(f"{key}/{index}", "the record is in the contract twice")
            seen.add(identity)
            rows.append(row)
        store.insert(world.tx, table, rows)
    for index, view in enumerate(part["claimLimits"]):
        try:
            endorsement_no = int(view["endorsementNo"])
            if not 0 < endorsement_no < _LARGEST:
                raise ValueError(f"endorsementNo {endorsement_no} is out of range")
            store.add_limit(world.tx, {"tenant": world.tenant, "contract_no": contract_no, "endorsement_no": endorsement_no,
                                       "since": parse_date(view["since"]), "amount": parse_amount(view["amount"])})
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotError(f"claimLimits/{index}", f"endorsementNo, since (yyyyMMdd or 0) and amount: {error}") from None


#: The fields of each record that hold a code, and the table of mocks/codes/ it is from.
_CODES = {
    Dossier: {"status_code": DOSSIER_STATUSES},
    NonPayment: {"status_code": NON_PAYMENT_STATUSES},
    Document: {"status_code": DOCUMENT_STATUSES, "document_type_code": DOCUMENT_TYPES},
    Settlement: {"settlement_status_code": SETTLEMENT_STATUSES},
    Step: {"step_code": STEPS},
}
_LARGEST = 10**12  # numbers beyond any the rules give (and within the store's integers)


def _restored(world: World, cls: type, view: dict, contract_no: str, kind: str | None):
    record = cls(**parse_record(cls, view), contract_no=contract_no, **({"kind": kind} if kind else {}))
    for name, table in _CODES[cls].items() if cls in _CODES else ():
        try:
            world.model.codes[table].key(getattr(record, name))
        except KeyError:
            raise ValueError(f"{camel(name)}: {getattr(record, name)!r} is not a code of mocks/codes/{table}.yaml") from None
    for name, value in vars(record).items():
        if isinstance(value, int) and not -_LARGEST < value < _LARGEST:
            raise ValueError(f"{camel(name)}: {value} is out of range")
    return record


# -- what Cesce does on its side (POST /_emulator/events) -----------------------------------

_CONTRACT = {"type": "string", "pattern": "^[0-9]{1,11}$"}
_NUMBER = {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"}
_AMOUNT = {"type": "string", "pattern": "^[0-9]{1,13},[0-9]{2}$"}


def _event_schema(*required: str, **more: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["contractNo", *required],
            "properties": {"contractNo": _CONTRACT, **more}}


def _dossier_view(world: World, contract_no: str, dossier_no: int) -> dict:
    return render_record(lifecycle.dossier(world, contract_no, dossier_no))


def _cover_decided(world: World, event: dict) -> list[dict]:
    contract_no, dossier_no = event["contractNo"], int(event["dossierNo"])
    contract(world, contract_no)
    covered = parse_amount(event["coveredAmount"]) if "coveredAmount" in event else None
    found = lifecycle.analyse(world, contract_no, dossier_no, int(event["internalNo"]), covered)
    return [render_record(found), _dossier_view(world, contract_no, dossier_no)]


def _document(accept: bool):
    def apply(world: World, event: dict) -> list[dict]:
        contract_no = event["contractNo"]
        contract(world, contract_no)
        found = lifecycle.validate(world, contract_no, int(event["documentNo"]), accept, event.get("reason"))
        return [render_record(found), _dossier_view(world, contract_no, found.dossier_no)]

    return apply


def _paid(world: World, event: dict) -> list[dict]:
    contract_no = event["contractNo"]
    contract(world, contract_no)
    found = lifecycle.pay(world, contract_no, int(event["settlementNo"]))
    return [render_record(found), _dossier_view(world, contract_no, found.dossier_no)]


def _recovery(world: World, event: dict) -> list[dict]:
    contract_no, dossier_no = event["contractNo"], int(event["dossierNo"])
    contract(world, contract_no)
    found = lifecycle.recover(world, contract_no, dossier_no, parse_amount(event["amount"]))
    return [render_record(found), _dossier_view(world, contract_no, dossier_no)]


def _closed(world: World, event: dict) -> list[dict]:
    contract_no = event["contractNo"]
    contract(world, contract_no)
    return [render_record(lifecycle.close(world, contract_no, int(event["dossierNo"])))]


EVENTS = {
    "claim-cover-decided": Event(
        _event_schema("dossierNo", "internalNo", dossierNo=_NUMBER, internalNo=_NUMBER, coveredAmount=_AMOUNT),
        _cover_decided, "Cesce analyses a non-payment's cover now (automatic, or the experts' `coveredAmount`)"),
    "claim-document-validated": Event(_event_schema("documentNo", documentNo=_NUMBER), _document(True),
                                      "Cesce validates a document it received"),
    "claim-document-rejected": Event(
        _event_schema("documentNo", documentNo=_NUMBER, reason={"type": "string", "minLength": 1, "maxLength": 100}),
        _document(False), "Cesce rejects a document it received (`reason`): the insured sends it again"),
    "claim-settlement-paid": Event(_event_schema("settlementNo", settlementNo=_NUMBER), _paid,
                                   "Cesce pays a settlement in progress now"),
    "claim-recovery": Event(_event_schema("dossierNo", "amount", dossierNo=_NUMBER, amount=_AMOUNT), _recovery,
                            "Cesce recovers `amount` from the debtor, shared as the cover percentage says after an indemnity"),
    "claim-dossier-closed": Event(_event_schema("dossierNo", dossierNo=_NUMBER), _closed,
                                  "handling and recovery end now: the dossier closes (once everything indemnifiable is paid)"),
}

AREA = Area(
    name=NAME,
    document=HERE / "openapi.yaml",
    operations=api.operations,
    requires=("sales",),
    model=ModelPart(schema=HERE / "model.yaml", codes=TABLES, check=check),
    seed=seed_claims,
    due=lifecycle.due,
    state=state,
    lists={"dossiers": ListView("Claims dossiers", ("dossierNo", "endorsementNo", "statusCode", "openingDate", "unpaidAmount",
                                                    "coveredAmount", "indemnifiableAmount", "indemnifiedAmount",
                                                    "recoveredAmount", "closingDate"), limit_events=False),
           "nonPayments": ListView("Non-payments", ("dossierNo", "internalNo", "saleCesceReferenceNo", "unpaidAmount",
                                                    "statusCode", "analysisTypeCode", "coveredAmount",
                                                    "indemnifiableAmount", "settlementNo"), limit_events=False),
           "claimDocuments": ListView("Claims documents", ("documentNo", "dossierNo", "internalNo", "documentTypeCode",
                                                           "statusCode", "deadlineDate", "fileName"), limit_events=False),
           "settlements": ListView("Settlements", limit_events=False),
           "recoveries": ListView("Recoveries", limit_events=False),
           "processingSteps": ListView("Processing steps of the dossiers", limit_events=False),
           "recoveryProcedures": ListView("Recovery procedures of the dossiers", limit_events=False),
           "claimLimits": ListView("Limits covering each sale's date (cover analysis)", limit_events=False)},
    events=EVENTS,
    journal_fields={"dossier": ("dossierNo", "statusCode"), "nonPayment": ("dossierNo", "internalNo", "statusCode"),
                    "settlement": ("settlementNo", "settlementStatusCode"), "document": ("documentNo", "statusCode")},
    snapshot=SnapshotPart(keys=(*_LISTS, "claimLimits"), restore=restore),
    migrations=migration_files(HERE / "migrations"),
    reactions={risks.LIMIT_CHANGED: lifecycle.after_limit_change},
)
