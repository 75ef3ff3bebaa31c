"""The operator surface's rules: clocks, resets, scenarios, Cesce-side events, faults, a tenant's
own settings and the views of its state and journal. Plain Python; the HTTP side is admin/api.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from emulator import files, resources
from emulator.areas import Event
from emulator.clock import ClockState, format_instant, parse_duration, parse_instant
from emulator.faults import GATEWAY_STATUSES
from emulator.sandbox_model import ModelError, SandboxModel, check_against, validate
from emulator.store import Store, Tx
from emulator.world import World, clock_of, contract, contracts, enter, save_clock, seed_in_steps

OPERATOR_SCHEMA = resources.PACKAGE_DIR / "schemas" / "operator.yaml"
#: Events one POST /_emulator/events may carry.
MAX_EVENTS = 10000


class OperatorError(ValueError):
    """A request to the operator surface that cannot be carried out."""


def check(document, definition: str) -> None:
    try:
        validate(document, definition, "body", OPERATOR_SCHEMA)
    except ModelError as error:
        raise OperatorError(str(error)) from None


def change_clock(tx: Tx, tenant: str, change: dict) -> ClockState:
    """Apply {"set": instant}, {"advance": duration} and {"freeze": bool}. A clock is frozen
    before it is set, and set before it is advanced, so "set and freeze" lands exactly.

    Time only moves forward for a tenant with history (tokens, records, a journal: their
    expiries, 48-hour windows and due decisions assume it), so setting its clock to an instant
    before its now is refused; a new or reset tenant's clock may be set anywhere, and its world
    then starts there."""
    check(change, "clock")
    before = clock_of(tx, tenant)
    known = tx.tenant(tenant) is not None
    fresh = not tx.has_history(tenant)
    try:
        state = before.freeze(True) if change.get("freeze") is True else before
        if "set" in change:
            instant, now = parse_instant(change["set"]), before.now()
            if instant < now and not fresh:
                raise OperatorError(
                    f"set: {format_instant(instant)} is before the tenant's now ({format_instant(now)}); its tokens,"
                    " records and journal assume time moves forward, so reset the tenant first"
                    " (POST /_emulator/reset?client_id=...) to start again at an earlier instant")
            state = state.move_to(instant)
        # Where the world starts: at the first contact, or where a tenant without history
        # sets its clock; before any advance, which is history.
        start = state.now()
        if "advance" in change:
            delta = parse_duration(change["advance"])
            if delta.total_seconds() < 0:
                raise OperatorError("advance: the clock only moves forward (a new or reset tenant's clock can be"
                                    " set to an earlier instant)")
            state = state.shift(delta)
        if change.get("freeze") is False:
            state = state.freeze(False)
        state.now()  # an instant out of datetime's range fails here, not on the next request
    except OperatorError:
        raise
    except (ValueError, OverflowError) as error:
        raise OperatorError(str(error)) from None
    starts_over = not known or (fresh and "set" in change)
    save_clock(tx, tenant, state, start if starts_over else None)
    return state


def clock_view(state: ClockState) -> dict:
    return {"now": format_instant(state.now()), "frozen": state.frozen}


def world(tx: Tx, model: SandboxModel, tenant: str) -> World:
    """The tenant's world now, with what fell due already happened."""
    return enter(tx, model, tenant)


def seed_scenario(store: Store, model: SandboxModel, tenant: str, scenario: dict, source: str,
                  progress: Callable[[int], None] | None = None) -> dict:
    """Set the scenario's clock, then seed its contracts at that moment, in steps that hold no
    other tenant up (``progress`` hears how many records each step wrote). A contract being
    seeded by another request is refused (world.Seeding)."""
    clock = scenario.get("clock") if isinstance(scenario, dict) else None
    try:
        validate(scenario, "scenario", source)
        seeded = seed_in_steps(store, model, tenant, scenario,
                               (lambda tx: change_clock(tx, tenant, clock)) if clock is not None else None, progress)
    except (ModelError, ValueError) as error:
        raise OperatorError(str(error)) from None
    return {"scenario": source, "contracts": seeded, **clock_view(store.view(lambda tx: clock_of(tx, tenant)))}


def load_scenario(name: str, fixtures_dir: str | None) -> dict:
    """The scenario file ``name`` of fixtures/ (LookupError if there is none, FileError if it
    cannot be read), as it is now on disk."""
    path = resources.fixtures_dir(fixtures_dir) / f"{name}.yaml"
    if not name.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        raise LookupError(name)
    return files.read_yaml(path)


def scenarios(fixtures_dir: str | None) -> list[dict]:
    found = []
    for path in sorted(resources.fixtures_dir(fixtures_dir).glob("*.yaml")):
        try:
            document = files.read_yaml(path)
        except files.FileError as error:
            found.append({"name": path.stem, "error": str(error)})
            continue
        description = document.get("description", "") if isinstance(document, dict) else ""
        found.append({"name": path.stem, "description": description})
    return found


def apply_events(tx: Tx, model: SandboxModel, tenant: str, events) -> list[dict]:
    """What Cesce does on its side, in order, each at the tenant's now, all or nothing: each
    event is ``{"type": ...}`` with the fields its area's declaration asks for."""
    checked = check_events(model, events)
    current = world(tx, model, tenant)
    results = []
    for event, body in checked:
        results += event.apply(current, body)
    return results


def check_events(model: SandboxModel, events) -> list[tuple[Event, dict]]:
    """Each event (an object, or a list of up to MAX_EVENTS) with the declaration that carries
    it out, once every one is checked against its type's schema (OperatorError otherwise)."""
    declared = model.areas.events()
    items = events if isinstance(events, list) else [events]
    if not isinstance(events, (dict, list)) or len(items) > MAX_EVENTS:
        raise OperatorError(f"body: an event object, or a list of up to {MAX_EVENTS} of them")
    checked = []
    for index, event in enumerate(items):
        where = f"event {index}" if isinstance(events, list) else "event"
        kind = event.get("type") if isinstance(event, dict) else None
        if kind not in declared:
            raise OperatorError(f"{where}: type must be one of {', '.join(declared)}")
        body = {key: value for key, value in event.items() if key != "type"}
        try:
            check_against(body, declared[kind][1].schema, f"{where} ({kind})")
        except ModelError as error:
            raise OperatorError(str(error)) from None
        checked.append((declared[kind][1], body))
    return checked


def state(tx: Tx, model: SandboxModel, tenant: str, contract_no: str | None) -> dict:
    """The tenant's world: clock, and every contract in it (the Sandbox Model's, and those
    provisioned or seeded) with each area's records of it."""
    current = world(tx, model, tenant)
    if contract_no is not None:
        contract(current, contract_no)
        numbers = [contract_no]
    else:
        numbers = contracts(current)
    return {"tenant": tenant, **clock_view(clock_of(tx, tenant)),
            "contracts": [contract_view(current, number) for number in numbers]}


def contract_view(world: World, contract_no: str) -> dict:
    """A contract as /_emulator/state shows it: its policy, and each area's records of it."""
    view = {"contractNo": contract_no, "policy": contract(world, contract_no).policy}
    for area in world.model.areas.values():
        if area.state is not None:
            view.update(area.state(world, contract_no))
    return view


def add_fault(tx: Tx, model: SandboxModel, tenant: str, fault: dict, operations: Iterable[str]) -> None:
    """Keep a fault for the tenant's next matching requests. ``operations`` are the names a
    fault may target (the OpenAPI document's operationIds, "token" among them): one that names
    none of them would never fire, so it is refused, as are its events when one of them is not
    an event the areas declare."""
    check(fault, "fault")
    if fault.get("operation") is not None and fault["operation"] not in operations:
        raise OperatorError(f"operation: {fault['operation']!r} is not an operation of this emulator;"
                            f" known: {', '.join(sorted(operations))}")
    status, code = fault.get("status"), fault.get("errorCode")
    check_answer(status, code, fault.get("errorDescription"))
    if fault.get("dropConnection") and status is not None:
        raise OperatorError("dropConnection: a dropped connection answers nothing; leave status out")
    if "advanceClock" in fault:
        try:
            parse_duration(fault["advanceClock"])
        except ValueError as error:
            raise OperatorError(f"advanceClock: {error}") from None
    if "events" in fault:
        check_events(model, fault["events"])
    tx.insert_fault({
        "tenant": tenant,
        "operation": fault.get("operation"),
        "method": fault.get("method"),
        "status": status,
        "error_code": code,
        "error_description": fault.get("errorDescription"),
        "retry_after": fault.get("retryAfter"),
        "latency_ms": fault.get("latencyMs", 0),
        "advance": fault.get("advanceClock"),
        "events": json.dumps(fault["events"]) if "events" in fault else None,
        "skip": fault.get("skip", 0),
        "remaining": fault.get("times", 1),
        "drop_connection": int(bool(fault.get("dropConnection"))),
    })


def check_answer(status: int | None, code: str | None, description: str | None) -> None:
    """OperatorError unless a fault's answer holds together: a status outside the gateway's
    needs an errorCode (Cesce's envelope), an errorCode needs a status, a text needs a code."""
    if code is None and status is not None and status not in GATEWAY_STATUSES:
        raise OperatorError(f"status {status}: a gateway fault answers {', '.join(map(str, GATEWAY_STATUSES))};"
                            " give errorCode to answer Cesce's error envelope at another status")
    if code is not None and status is None:
        raise OperatorError("errorCode: give the status to answer it with (200, or a 4xx or 5xx)")
    if description is not None and code is None:
        raise OperatorError("errorDescription: it is the text of an errorCode; give errorCode too")


def fault_view(row: dict) -> dict:
    return {"id": row["id"], "operation": row["operation"], "method": row["method"], "status": row["status"],
            "errorCode": row["error_code"], "errorDescription": row["error_description"],
            "retryAfter": row["retry_after"], "latencyMs": row["latency_ms"], "advanceClock": row["advance"],
            "events": json.loads(row["events"]) if row["events"] else None,
            "skip": row["skip"], "remaining": row["remaining"], "dropConnection": bool(row["drop_connection"])}


def change_settings(tx: Tx, tenant: str, change: dict) -> dict:
    """Give the tenant its own settings (schemas/operator.yaml, ``settings``); null takes one
    back to the emulator's. Returns the tenant's settings afterwards."""
    check(change, "settings")
    for name, value in change.items():
        tx.save_tenant_setting(tenant, name, None if value is False else value)
    return settings_view(tx, tenant)


def restore_settings(tx: Tx, tenant: str, settings: dict) -> None:
    """A tenant's own settings as a snapshot holds them ({} when it has none)."""
    if settings:
        change_settings(tx, tenant, settings)


def settings_view(tx: Tx, tenant: str) -> dict:
    own = tx.tenant_settings(tenant)
    return {"tenant": tenant, "pageSize": own.get("pageSize"), "emptyPageAfterFull": bool(own.get("emptyPageAfterFull"))}


def journal(tx: Tx, tenant: str, after: int, limit: int) -> list[dict]:
    return [
        {
            "id": row["id"],
            "at": format_instant(row["at"]) if row["at"] else None,
            "catalog": row["catalog"],
            "operation": row["operation"],
            "method": row["method"],
            "path": row["path"],
            "query": json.loads(row["query"]),
            "request": row["request"],
            "status": row["status"],
            "response": json.loads(row["response"]),
            "token": row["token"],
            "findings": json.loads(row["findings"]),
        }
        for row in tx.journal(tenant, after, limit)
    ]
