"""The Risk products (classifications, portfolio, movements), as an area: what the core needs
from them, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path

from emulator.areas import Area, Event, ListView, ModelPart, SnapshotError, SnapshotPart
from emulator.clock import format_instant, parse_instant
from emulator.risks import api, rules, store
from emulator.risks.records import DECISIONS, PENDING_REQUEST_BASE, STATUSES, Debtor
from emulator.risks.seeding import seed_debtors
from emulator.sandbox_model import ModelError, SandboxModel
from emulator.store import migration_files
from emulator.wire import parse_amount, parse_record, render_record
from emulator.world import Contract, World

HERE = Path(__file__).resolve().parent
_SEED_CHUNK = 5000  # records inserted at a time when seeding a contract


@dataclass(frozen=True)
class RiskData:
    """What Cesce knows of companies (mocks/companies.yaml): how its automatic classification
    answers on them, by (countryCode, taxCode), and the countries without online data."""

    companies: dict[tuple[str, str], dict]
    countries_without_online_data: frozenset[str]


def prepare(model: SandboxModel, files: dict) -> RiskData:
    registry = files["companies"]
    for company in registry["companies"]:
        if "reason" in company and company["reason"] not in model.codes[DECISIONS]:
            raise ModelError(f"{model.directory / 'companies.yaml'}: unknown decision {company['reason']!r}")
    return RiskData({(c["countryCode"], c["taxCode"]): c for c in registry["companies"]},
                    frozenset(registry.get("countriesWithoutOnlineData", [])))


def check(model: SandboxModel, contract: dict, where: str) -> None:
    """Statuses and decisions a contract document names must be in the code tables."""
    for seed in contract.get("debtors", []) + contract.get("generate", []):
        _known(model, STATUSES, seed["status"], where)
        for key in filter(None, [seed.get("decision"), seed.get("pendingRequest", {}).get("decision")]):
            _known(model, DECISIONS, key, where)


def _known(model: SandboxModel, table: str, key: str, where: str) -> None:
    if key not in model.codes[table]:
        raise ModelError(f"{where}: unknown code {key!r}; known: {', '.join(model.codes[table])}")


def seed(world: World, current: Contract, doc: dict) -> None:
    """The contract's debtors, in chunks (a generated portfolio of 100,000 is never all in
    memory), each pending request with its committee date in the due queue; the numberings
    then continue after the highest number seeded."""
    last_firm, last_request = 0, PENDING_REQUEST_BASE
    records = seed_debtors(world.model, rules.policy_of(current), doc, world.now)
    while chunk := list(islice(records, _SEED_CHUNK)):
        store.insert(world.tx, [record.to_row(world.tenant) for record, _ in chunk])
        for record, decided_at in chunk:
            if decided_at is not None:
                world.schedule(decided_at, rules.NAME, current.contract_no, str(record.endorsement_no))
        last_firm = max([last_firm, *(d.endorsement_no for d, _ in chunk if d.pending_of is None)])
        last_request = max([last_request, *(d.endorsement_no for d, _ in chunk if d.pending_of is not None)])
    world.tx.set_number(world.tenant, current.contract_no, rules.ENDORSEMENTS, last_firm + 1)
    world.tx.set_number(world.tenant, current.contract_no, rules.REQUESTS, last_request + 1)


def state(world: World, contract_no: str) -> dict[str, list[dict]]:
    """Every record of the contract, with what the wire does not show: the endorsement a 300xxx
    request merges into, when the committee decides a pending one, and its last firm change."""
    due = _decisions(world, contract_no)
    return {"debtors": [_state_record(Debtor.from_row(row), due.get(str(row["endorsement_no"])))
                        for row in store.debtors(world.tx, world.tenant, contract_no)]}


def _decisions(world: World, contract_no: str) -> dict[str, datetime]:
    """When the committee decides each pending request of the contract, by its endorsementNo."""
    return {row["ref"]: row["due_at"] for row in world.tx.due_rows(world.tenant)
            if row["area"] == rules.NAME and row["contract_no"] == contract_no}


def _state_record(debtor: Debtor, decided_at) -> dict:
    return {
        **render_record(debtor),
        "pendingOf": None if debtor.pending_of is None else str(debtor.pending_of),
        "resolveAt": format_instant(decided_at) if decided_at else None,
        "changedAt": format_instant(debtor.changed_at) if debtor.changed_at else None,
    }


def restore(world: World, contract_no: str, part: dict[str, list]) -> None:
    """The inverse of ``state``: the contract's records from their views. When the committee
    decides a pending one is the due queue's to say (restored before); a ``resolveAt`` that
    disagrees with it is refused rather than silently ignored."""
    due = _decisions(world, contract_no)
    records: dict[int, Debtor] = {}
    for index, view in enumerate(part["debtors"]):
        try:
            debtor = _restored(world, contract_no, view, due)
        except ValueError as error:
            raise SnapshotError(f"debtors/{index}", str(error)) from None
        if debtor.endorsement_no in records:
            raise SnapshotError(f"debtors/{index}/endorsementNo", f"{debtor.endorsement_no} is in the contract twice")
        records[debtor.endorsement_no] = debtor
    for index, debtor in enumerate(records.values()):
        if debtor.pending_of is not None and debtor.pending_of not in records:
            raise SnapshotError(f"debtors/{index}/pendingOf", f"no record {debtor.pending_of} in the contract")
    rows = [debtor.to_row(world.tenant) for debtor in records.values()]
    for start in range(0, len(rows), _SEED_CHUNK):
        store.insert(world.tx, rows[start:start + _SEED_CHUNK])


def _restored(world: World, contract_no: str, view: dict, due: dict[str, datetime]) -> Debtor:
    if not isinstance(view, dict):
        raise ValueError("a record is an object of text fields")
    extra = {key: view.get(key) for key in _INTERNAL_VIEW}
    for key, value in extra.items():
        if value is not None and not (isinstance(value, str) and value):
            raise ValueError(f"{key}: text or null, not {value!r}")
    if extra["pendingOf"] is not None and not extra["pendingOf"].isdigit():
        raise ValueError(f"pendingOf: an endorsementNo, not {extra['pendingOf']!r}")
    debtor = Debtor(**parse_record(Debtor, {key: value for key, value in view.items() if key not in _INTERNAL_VIEW}),
                    contract_no=contract_no,
                    pending_of=int(extra["pendingOf"]) if extra["pendingOf"] else None,
                    changed_at=_instant("changedAt", extra["changedAt"]))
    for key, table, code in (("statusCode", STATUSES, debtor.status_code),
                             ("classificationDecisionCode", DECISIONS, debtor.classification_decision_code)):
        try:
            if code is not None:
                world.model.codes[table].key(code)
        except KeyError:
            raise ValueError(f"{key}: {code!r} is not a code of mocks/codes/{table}.yaml") from None
    resolve_at = _instant("resolveAt", extra["resolveAt"])
    scheduled = due.get(str(debtor.endorsement_no))
    if resolve_at != scheduled:
        raise ValueError(f"resolveAt: {extra['resolveAt']}, but the due queue has"
                         f" {format_instant(scheduled) if scheduled else 'nothing'} for this record"
                         " (resolveAt is read from the due queue)")
    return debtor


def _instant(key: str, text: str | None) -> datetime | None:
    try:
        return parse_instant(text) if text else None
    except ValueError:
        raise ValueError(f"{key}: not an ISO 8601 instant: {text!r}") from None


_INTERNAL_VIEW = ("pendingOf", "resolveAt", "changedAt")


# -- what Cesce does on its side (POST /_emulator/events) -----------------------------------

_NUMBER = {"type": "string", "pattern": "^[1-9][0-9]{0,5}$"}
_AMOUNT = {"type": "string", "pattern": "^[0-9]{1,13},[0-9]{2}$"}
_CONTRACT = {"type": "string", "pattern": "^[0-9]{1,11}$"}


def _event_schema(required: tuple[str, ...] = (), **more: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["contractNo", "endorsementNo", *required],
            "properties": {"contractNo": _CONTRACT, "endorsementNo": _NUMBER, **more}}


def _resolve(world: World, event: dict) -> list[dict]:
    amount = parse_amount(event["amount"]) if "amount" in event else None
    decision = {"grant": True, "reject": False}.get(event.get("decision"))
    if amount is not None and decision is None:
        decision = True
    return [_state_record(rules.resolve_request(world, event["contractNo"], int(event["endorsementNo"]), decision, amount), None)]


def _reduce(world: World, event: dict) -> list[dict]:
    debtor = rules.reduce_limit(world, event["contractNo"], int(event["endorsementNo"]), parse_amount(event["amount"]))
    return [_state_record(debtor, None)]


def _increase(world: World, event: dict) -> list[dict]:
    debtor = rules.increase_limit(world, event["contractNo"], int(event["endorsementNo"]), parse_amount(event["amount"]))
    return [_state_record(debtor, None)]


def _cancel(world: World, event: dict) -> list[dict]:
    return [_state_record(rules.cancel_limit(world, event["contractNo"], int(event["endorsementNo"])), None)]


EVENTS = {
    "resolve": Event(_event_schema(decision={"enum": ["grant", "reject"]}, amount=_AMOUNT), _resolve,
                     "decide a pending request now (named by its own number or its debtor's), as the committee"
                     " would, or as `decision` and `amount` say"),
    "reduce": Event(_event_schema(("amount",), amount=_AMOUNT), _reduce, "lower a limit in force to `amount`"),
    "increase": Event(_event_schema(("amount",), amount=_AMOUNT), _increase, "raise a limit in force to `amount`"),
    "cancel": Event(_event_schema(), _cancel, "withdraw a limit in force (and any request pending on it)"),
}

AREA = Area(
    name=rules.NAME,
    document=HERE / "openapi.yaml",
    operations=api.operations,
    requires=("auth",),
    model=ModelPart(schema=HERE / "model.yaml", files={"companies": "companies.yaml"}, codes=(STATUSES, DECISIONS),
                    prepare=prepare, check=check),
    seed=seed,
    due=rules.decide_due,
    state=state,
    lists={"debtors": ListView("Portfolio", ("endorsementNo", "companyName", "taxCode", "statusCode", "creditLimitRequested",
                                             "creditLimitGranted", "classificationDecisionCode", "resolveAt", "changedAt"),
                               recent=rules.MOVEMENTS_WINDOW, recent_title="Movements of the last 48 hours")},
    events=EVENTS,
    journal_fields={"debtor": ("endorsementNo", "statusCode", "creditLimitGranted")},
    snapshot=SnapshotPart(keys=("debtors",), restore=restore),
    migrations=migration_files(HERE / "migrations"),
)
