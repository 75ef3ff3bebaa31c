"""Snapshots: a tenant's whole world as one document, to save and to restore.

GET /_emulator/state and ``cesce-emulator export`` take one; PUT /_emulator/state and
``cesce-emulator import`` restore one, replacing the tenant's world in one transaction (all or
nothing), into the same emulator or another, under the same client id or another.

The document is the readable view of /_emulator/state (the clock, and each contract with its
policy and each area's records as its state view shows them: ``contracts[].debtors[]``) and
what that view leaves out: where the world starts (``bornAt``), each contract's counters (its
numberings go on where they were), the due queue in its order (what is still to happen), each
area's data of the tenant as a whole (auth's tokens), its own settings (its page size), the
faults waiting to fire and the journal. Every value is JSON's own: instants are ISO 8601 in UTC, amounts and dates are the
wire's, so a snapshot says nothing of the store that kept it and any store can take it back.

The clock comes back at the snapshot's instant: frozen there, or ticking on from there, however
long the snapshot waited; so what a client held (a token, a pending request's date) means what
it meant when the snapshot was taken.

An area takes part by declaring a ``SnapshotPart`` (emulator/areas.py): ``restore``, the
inverse of its state view, and for data of the tenant as a whole a view and its inverse. The
core names no area's table.

A snapshot says the schema version of the release that made it (the number of its last
migration) and the areas it served. One made by a newer release is refused. One made by an
older release is brought forward when every migration since then belongs to an area it did not
serve (an area added since: the snapshot holds nothing of it); a migration of the core or of
an area it served may have changed what its part means, so that snapshot is refused, naming the
migration, with the way through (the old release imports it into a state file, which this
release's migrations then bring forward).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from emulator import resources
from emulator.admin.rules import (
    OperatorError,
    check_answer,
    check_events,
    contract_view,
    fault_view,
    journal,
    restore_settings,
)
from emulator.areas import Areas, SnapshotError
from emulator.clock import ClockState, format_instant, parse_duration, parse_instant
from emulator.sandbox_model import ModelError, SandboxModel, schema_problem
from emulator.store import SANDBOX_TENANT, Tx, all_migrations
from emulator.world import World, clock_of, contracts, enter, save_clock

_SCHEMA = resources.load_yaml(resources.PACKAGE_DIR / "schemas" / "operator.yaml")
CORE_KEYS = ("snapshot", "areas", "tenant", "now", "frozen", "bornAt", "contracts", "due", "settings", "faults",
             "journal")
CONTRACT_KEYS = ("contractNo", "policy", "counters")
FORMATS = ("json", "yaml")
#: The largest snapshot PUT /_emulator/state takes (a world of about 200,000 records);
#: ``cesce-emulator import`` reads one of any size.
MAX_BODY = 256 * 1024 * 1024
_JOURNAL_PAGE = 5000


def schema_version(areas: Areas) -> int:
    """The schema version of the store these areas keep: the number of its last migration."""
    return max(all_migrations(areas.migrations()))


def take(tx: Tx, model: SandboxModel, tenant: str) -> dict:
    """The tenant's whole world now (with what fell due already happened), as a snapshot."""
    world = enter(tx, model, tenant)
    snapshot: dict[str, Any] = {
        "snapshot": schema_version(model.areas),
        "areas": list(model.areas),
        "tenant": tenant,
        "now": format_instant(world.now),
        "frozen": clock_of(tx, tenant).frozen,
        "bornAt": format_instant(world.born_at or world.now),
        "contracts": [{**contract_view(world, number), "counters": tx.counters(tenant, number)}
                      for number in contracts(world)],
        "due": [{"at": format_instant(row["due_at"]), "area": row["area"], "contractNo": row["contract_no"],
                 "ref": row["ref"]} for row in tx.due_rows(tenant)],
    }
    for area in model.areas.values():
        if area.snapshot is not None and area.snapshot.tenant is not None:
            snapshot.update(area.snapshot.tenant(world))
    snapshot["settings"] = tx.tenant_settings(tenant)
    snapshot["faults"] = [fault_view(row) for row in tx.faults(tenant)]
    snapshot["journal"] = _whole_journal(tx, tenant)
    return snapshot


def _whole_journal(tx: Tx, tenant: str) -> list[dict]:
    entries: list[dict] = []
    while page := journal(tx, tenant, entries[-1]["id"] if entries else 0, _JOURNAL_PAGE):
        entries += page
    return entries


def restore(tx: Tx, model: SandboxModel, tenant: str, snapshot: Any) -> dict:
    """Replace the tenant's world with the snapshot's (SnapshotError, naming the place, for
    one that cannot be restored; the caller's transaction then leaves the world as it was).
    Returns what was restored: the tenant, its clock, its contracts and how many rows of the
    due queue, faults and journal entries."""
    if tenant == SANDBOX_TENANT or not tenant:
        raise SnapshotError("", "a snapshot is restored into a tenant named by its client id")
    _check_version(snapshot, model.areas)
    _check_schema(snapshot)
    now, born = _instant(snapshot["now"], "now"), _instant(snapshot["bornAt"], "bornAt")
    if born > now:
        raise SnapshotError("bornAt", f"{snapshot['bornAt']} is after now ({snapshot['now']})")
    parts = [area.snapshot for area in model.areas.values() if area.snapshot is not None]
    # Keys only a restore takes back: a record nothing restores is refused, never dropped.
    contract_keys = [key for part in parts if part.restore is not None for key in part.keys]
    _known(snapshot, CORE_KEYS, [key for part in parts if part.restore_tenant is not None for key in part.tenant_keys], "")

    tx.reset(tenant)
    save_clock(tx, tenant, ClockState().freeze(snapshot["frozen"]).move_to(now), born)
    world = World(tx, model, tenant, now, born_at=born)
    numbers = _restore_contracts(world, snapshot["contracts"], contract_keys)
    _restore_due(world, snapshot["due"], set(numbers))
    for index, view in enumerate(snapshot["contracts"]):
        for part in parts:
            if part.restore is not None:
                with _within(f"contracts/{index}"):
                    part.restore(world, view["contractNo"], {key: view.get(key, []) for key in part.keys})
    for part in parts:
        if part.restore_tenant is not None:
            with _within(""):
                part.restore_tenant(world, {key: snapshot.get(key, []) for key in part.tenant_keys}, snapshot["tenant"])
    with _within("settings"):
        restore_settings(tx, tenant, snapshot["settings"])
    _restore_faults(tx, model, tenant, snapshot["faults"])
    _restore_journal(tx, tenant, snapshot["journal"])
    return {"tenant": tenant, "now": snapshot["now"], "frozen": snapshot["frozen"], "contracts": numbers,
            "due": len(snapshot["due"]), "faults": len(snapshot["faults"]), "journal": len(snapshot["journal"])}


def _check_version(snapshot: Any, areas: Areas) -> None:
    if not isinstance(snapshot, dict):
        raise SnapshotError("", "a snapshot is an object (what GET /_emulator/state or `cesce-emulator export` gives)")
    made_by, latest = snapshot.get("snapshot"), schema_version(areas)
    if "snapshot" not in snapshot:
        raise SnapshotError("snapshot", "missing: this is not a snapshot of a whole world (an export of an older"
                                        " release, or the view of one contract, holds only the clock and the records);"
                                        " take one with GET /_emulator/state or `cesce-emulator export`")
    if not isinstance(made_by, int) or isinstance(made_by, bool) or made_by < 1:
        raise SnapshotError("snapshot", f"the schema version that made it, a whole number; not {made_by!r}")
    if made_by > latest:
        raise SnapshotError("snapshot", f"made by schema version {made_by}, a newer cesce-sandbox; this release reads"
                                        f" snapshots up to version {latest}")
    held = snapshot.get("areas")
    if not isinstance(held, list) or not all(isinstance(name, str) for name in held):
        raise SnapshotError("areas", "the names of the areas of the release that made it")
    unserved = [name for name in held if name not in areas]
    if unserved:
        raise SnapshotError("areas", f"made with the {unserved[0]} area, which this emulator does not serve"
                                     f" (it serves {', '.join(areas)})")
    migrations = all_migrations(areas.migrations())
    for number in range(made_by + 1, latest + 1):
        owner = migrations[number][0]
        if owner == "core" or owner in held:
            raise SnapshotError("snapshot", f"made by schema version {made_by}; migration {number} ({owner}) changed"
                                            f" what that part of a world keeps since, so it cannot be brought forward"
                                            f" here: import it with the release that made it into a state file"
                                            f" (`cesce-emulator import --state FILE`), serve or export that file with"
                                            f" this release (which migrates it), and export it again")


def _check_schema(snapshot: dict) -> None:
    problem = schema_problem(snapshot, {**_SCHEMA, "$ref": "#/$defs/snapshot"})
    if problem is not None:
        raise SnapshotError(problem[0] or "(top)", problem[1])


def _known(document: dict, core: tuple[str, ...], areas: list[str], where: str) -> None:
    for key, value in document.items():
        if key in core:
            continue
        if key not in areas:
            raise SnapshotError(where, f"unknown key {key!r}: no area of this emulator restores it")
        if not isinstance(value, list) or not all(isinstance(record, dict) for record in value):
            raise SnapshotError("/".join(filter(None, [where, key])), "a list of records (objects)")


def _instant(text: str, where: str):
    try:
        return parse_instant(text)
    except ValueError:
        raise SnapshotError(where, f"not an ISO 8601 instant: {text!r}") from None


@contextmanager
def _within(where: str) -> Iterator[None]:
    try:
        yield
    except SnapshotError as error:
        raise error.within(where) from None
    except ValueError as error:
        raise SnapshotError(where, str(error)) from None


def _restore_contracts(world: World, views: list[dict], area_keys: list[str]) -> list[str]:
    numbers: list[str] = []
    for index, view in enumerate(views):
        where = f"contracts/{index}"
        number = view["contractNo"]
        if number in numbers:
            raise SnapshotError(f"{where}/contractNo", f"contract {number} is in the snapshot twice")
        _known(view, CONTRACT_KEYS, area_keys, where)
        try:
            world.model.check_policy(view["policy"], "", f"{where}/policy")
        except ModelError as error:
            raise SnapshotError("", str(error)) from None
        world.tx.insert_contract({"tenant": world.tenant, "contract_no": number, "policy": json.dumps(view["policy"])})
        for name, following in view["counters"].items():
            world.tx.set_number(world.tenant, number, name, following)
        numbers.append(number)
    return numbers


def _restore_due(world: World, rows: list[dict], numbers: set[str]) -> None:
    for index, row in enumerate(rows):
        where = f"due/{index}"
        if row["area"] not in world.model.areas:
            raise SnapshotError(f"{where}/area", f"{row['area']!r} is not an area of this emulator")
        if row["contractNo"] not in numbers:
            raise SnapshotError(f"{where}/contractNo", f"contract {row['contractNo']} is not among the snapshot's")
        # In the snapshot's order: rows due at one instant happen in the order they were left.
        world.schedule(_instant(row["at"], f"{where}/at"), row["area"], row["contractNo"], row["ref"])


def _restore_faults(tx: Tx, model: SandboxModel, tenant: str, faults: list[dict]) -> None:
    keep_ids = _ids_free(tx, "faults", faults)
    for index, fault in enumerate(faults):
        if fault["advanceClock"] is not None:
            _duration(fault["advanceClock"], f"faults/{index}/advanceClock")
        try:
            check_answer(fault["status"], fault["errorCode"], fault["errorDescription"])
            if fault["events"] is not None:
                check_events(model, fault["events"])
        except OperatorError as error:
            raise SnapshotError(f"faults/{index}", str(error)) from None
        row = {"tenant": tenant, "operation": fault["operation"], "method": fault["method"], "status": fault["status"],
               "error_code": fault["errorCode"], "error_description": fault["errorDescription"],
               "retry_after": fault["retryAfter"], "latency_ms": fault["latencyMs"], "advance": fault["advanceClock"],
               "events": json.dumps(fault["events"]) if fault["events"] is not None else None,
               "skip": fault["skip"], "remaining": fault["remaining"],
               "drop_connection": int(bool(fault.get("dropConnection")))}
        tx.insert_fault({"id": fault["id"], **row} if keep_ids else row)


def _duration(text: str, where: str) -> None:
    try:
        parse_duration(text)
    except ValueError as error:
        raise SnapshotError(where, str(error)) from None


def _restore_journal(tx: Tx, tenant: str, entries: list[dict]) -> None:
    keep_ids = _ids_free(tx, "journal", entries)
    rows = []
    for index, entry in enumerate(entries):
        row = {"tenant": tenant, "at": _instant(entry["at"], f"journal/{index}/at"), "catalog": entry["catalog"],
               "operation": entry["operation"], "method": entry["method"], "path": entry["path"],
               "query": json.dumps(entry["query"]), "request": entry["request"], "status": entry["status"],
               "response": json.dumps(entry["response"]), "token": entry["token"],
               "findings": json.dumps(entry["findings"])}
        rows.append({"id": entry["id"], **row} if keep_ids else row)
    if rows:
        tx.append_journal(rows)


def _ids_free(tx: Tx, table: str, rows: list[dict]) -> bool:
    """Whether the rows can keep their ids (what the operator API shows of them, and their
    order): yes unless another tenant's rows hold one of them, or the snapshot has one twice.
    Otherwise they are numbered anew after every id in use, in the same order."""
    ids = [row["id"] for row in rows]
    return len(set(ids)) == len(ids) and not tx.holds(table, "id", ids)


# -- the document as text ----------------------------------------------------------------------


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML read as JSON would be: an unquoted instant stays the text it is."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str) -> Any:
    """A snapshot from its text, JSON or YAML (told apart by trying JSON first);
    SnapshotError naming the line and column where neither reads."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if text.lstrip().startswith(("{", "[")):
            raise SnapshotError("", f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader: plain data, no Python objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise SnapshotError("", f"neither JSON nor valid YAML{place}: {getattr(error, 'problem', None) or error}") from None


def dump(snapshot: dict, form: str = "json") -> str:
    """A snapshot as text: JSON (indented) or YAML, in the snapshot's key order."""
    if form == "yaml":
        return yaml.dump(snapshot, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"
