"""The areas of the API Market the emulator serves, each declared in one place.

An area (auth, risks, sales, claims...) is a package of this one with an ``area`` module whose
``AREA`` says what the core needs from it: its operations and its part of the OpenAPI document,
what it reads in mocks/ and how it seeds a contract, the work it leaves to fall due on a
tenant's clock, its state view and how a snapshot gives its records back, its Cesce-side
events, its journal summary and its tables' migrations. The core (world, history, the operator
surface, the Sandbox Model, the gateway) loops over the registered areas and imports none of
them, so a new area is a new folder.
Model: moto's backends registry, which finds each service by name and loads it on first use.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.gateway import Answer, Call, Caller, Incoming
    from emulator.sandbox_model import SandboxModel
    from emulator.store import Tx
    from emulator.world import Contract, World

Handler = Callable[["Call"], "Answer"]


class Operations(dict[str, Handler]):
    """An area's handlers, by the operationId the OpenAPI document gives them."""

    def __call__(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self[operation_id] = handler
            return handler

        return register


@dataclass(frozen=True)
class Event:
    """Something Cesce does on its side, posted to /_emulator/events as ``{"type": NAME, ...}``:
    ``schema`` is the JSON Schema of the posted object (without ``type``), ``apply`` carries it
    out at the tenant's now and returns the records it changed, as the state view shows them."""

    schema: dict
    apply: Callable[[World, dict], list[dict]]
    description: str = ""


@dataclass(frozen=True)
class ListView:
    """How a list of an area's state view (``debtors``) reads on the dashboard: its title, the
    columns worth a glance (none: every field filled in), and the window of recent changes the
    area lists apart (the risk movements' 48 hours; or, as a function of the tenant's now, where
    a calendar window starts), with that listing's title. ``limit_events``: its rows offer the
    Cesce-side events on the debtor's limit their endorsementNo names (the risk portfolio)."""

    title: str
    columns: tuple[str, ...] = ()
    recent: timedelta | Callable[[datetime], datetime] | None = None
    recent_title: str = "Recent changes"
    limit_events: bool = True


@dataclass(frozen=True)
class ModelPart:
    """What an area reads in the Sandbox Model (mocks/), checked at start-up.

    ``schema`` is a JSON Schema file whose ``$defs`` hold ``contract`` (an object schema of the
    keys the area adds to a contract document: mocks/contracts.yaml and scenarios), ``policy``
    (the keys it adds to a policy of mocks/policies.yaml) and one definition per file of
    ``files`` (a name -> a file of mocks/). ``codes`` are its code tables in mocks/codes/.
    ``prepare`` turns the loaded files into what the area's rules read
    (``model.data[area]``); ``check`` runs the cross-file rules of a contract document."""

    schema: Path
    files: Mapping[str, str] = field(default_factory=dict)
    codes: tuple[str, ...] = ()
    prepare: Callable[[SandboxModel, dict[str, Any]], Any] | None = None
    check: Callable[[SandboxModel, dict, str], None] | None = None


class SnapshotError(ValueError):
    """A snapshot that cannot be restored: what is wrong, and where in the document
    ("contracts/0/debtors/3"; empty for the whole)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"at {where}: {problem}" if where else problem)
        self.where, self.problem = where, problem

    def within(self, outer: str) -> SnapshotError:
        """The same problem, placed inside ``outer``."""
        return SnapshotError("/".join(part for part in (outer, self.where) if part), self.problem)


@dataclass(frozen=True)
class SnapshotPart:
    """What an area keeps in a snapshot of a tenant's world (GET and PUT /_emulator/state,
    ``cesce-emulator export`` and ``import``), and how it comes back.

    Its records of a contract are what its ``state`` view gives, under ``keys``; ``restore`` is
    that view's inverse. What it keeps for the tenant as a whole rather than per contract
    (auth's tokens) is ``tenant``'s view, under ``tenant_keys`` at the top of the snapshot, and
    ``restore_tenant`` its inverse. Every key holds a list of records, and every value in them
    is JSON's own (text, numbers, booleans; instants ISO 8601), so a snapshot says nothing of
    the store that kept it. A restore raises ValueError (or SnapshotError, to name the place
    within its part) for a record it cannot take back."""

    #: The keys its ``state`` view gives a contract ("debtors").
    keys: tuple[str, ...] = ()
    #: Write the records of a contract from those keys ({key: [...]}, an empty list for a key
    #: the snapshot lacks) into the world at the snapshot's now. The contract, its counters
    #: and the due queue are restored before: (world, contractNo, part).
    restore: Callable[[World, str, dict[str, list]], None] | None = None
    tenant_keys: tuple[str, ...] = ()
    tenant: Callable[[World], dict[str, list]] | None = None
    #: (world, part, the client id the snapshot was taken of: the world may come back under
    #: another one).
    restore_tenant: Callable[[World, dict[str, list], str], None] | None = None


@dataclass(frozen=True)
class Area:
    name: str
    #: Its part of the OpenAPI document: paths and the schemas only it uses.
    document: Path | None = None
    operations: Operations = field(default_factory=Operations)
    #: Areas whose data this one builds on: they are seeded, migrated and shown before it.
    requires: tuple[str, ...] = ()
    model: ModelPart | None = None
    #: Seed its part of a contract document into a world (at the world's now).
    seed: Callable[[World, Contract, dict], None] | None = None
    #: Carry out a row of the due queue it scheduled, at the row's instant: (world at that
    #: instant, contractNo, ref).
    due: Callable[[World, str, str], None] | None = None
    #: Its records of a contract for /_emulator/state: {"debtors": [...]}.
    state: Callable[[World, str], dict[str, list[dict]]] | None = None
    #: How each list of its state view reads on the dashboard, by the list's key.
    lists: Mapping[str, ListView] = field(default_factory=dict)
    events: Mapping[str, Event] = field(default_factory=dict)
    #: The fields of a single record the journal keeps, by the answer's entity key.
    journal_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: What the journal keeps of an answer, when the area says better than the generic summary
    #: (None: the generic one).
    summary: Callable[[Any], dict | None] | None = None
    #: Numbered migrations of its tables: {number: SQL script}. Numbers are global and unique
    #: across areas, so one counter (the schema version) orders them all.
    migrations: Mapping[int, str] = field(default_factory=dict)
    #: What it does when another area announces a change (``world.announce``), by topic:
    #: (world at that instant, contractNo, ref). Sales re-rate when a limit is decided, say.
    reactions: Mapping[str, Callable[[World, str, str], None]] = field(default_factory=dict)
    #: Who calls (auth): the tenant, and the bearer token's scopes and expiry.
    guard: Callable[[Tx, Incoming], Caller] | None = None
    #: What it keeps in a snapshot of a tenant's world. An area with a ``state`` view declares
    #: one, or a snapshot of a world holding its records cannot be restored.
    snapshot: SnapshotPart | None = None


class Areas(Mapping[str, Area]):
    """The registered areas, in an order where each comes after the areas it requires."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self._areas = _ordered(list(areas))

    def __getitem__(self, name: str) -> Area:
        return self._areas[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._areas)

    def __len__(self) -> int:
        return len(self._areas)

    def __hash__(self) -> int:
        return hash(tuple(self._areas))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Areas) and tuple(self._areas.values()) == tuple(other._areas.values())

    def with_(self, *more: Area) -> Areas:
        """These areas and ``more`` (a test's toy area, a user's own)."""
        return Areas([*self._areas.values(), *more])

    def operation_area(self) -> dict[str, str]:
        """The area of each operationId."""
        return {op: area.name for area in self.values() for op in area.operations}

    def guard(self) -> Callable[[Tx, Incoming], Caller]:
        guards = [area.guard for area in self.values() if area.guard]
        if len(guards) != 1:
            raise RuntimeError(f"exactly one area must say who calls (a guard); found {len(guards)}")
        return guards[0]

    def migrations(self) -> dict[int, tuple[str, str]]:
        """Every area's migrations by number: {number: (area, SQL)}. The store adds the core's
        and checks that together they count 1 to N."""
        found: dict[int, tuple[str, str]] = {}
        for area in self.values():
            for number, script in area.migrations.items():
                if number in found:
                    raise RuntimeError(f"migration {number} is claimed by {found[number][0]} and {area.name}")
                found[number] = (area.name, script)
        return dict(sorted(found.items()))

    def events(self) -> dict[str, tuple[str, Event]]:
        """Every Cesce-side event by its type: {type: (area, Event)}."""
        found: dict[str, tuple[str, Event]] = {}
        for area in self.values():
            for name, event in area.events.items():
                if name in found:
                    raise RuntimeError(f"event {name!r} is declared by {found[name][0]} and {area.name}")
                found[name] = (area.name, event)
        return found


def _ordered(areas: list[Area]) -> dict[str, Area]:
    by_name = {}
    for area in areas:
        if area.name in by_name:
            raise RuntimeError(f"two areas are called {area.name!r}")
        by_name[area.name] = area
    ordered: dict[str, Area] = {}

    def visit(area: Area, path: tuple[str, ...]) -> None:
        if area.name in ordered:
            return
        if area.name in path:
            raise RuntimeError(f"areas require each other: {' -> '.join((*path, area.name))}")
        for name in area.requires:
            if name not in by_name:
                raise RuntimeError(f"area {area.name!r} requires {name!r}, which is not registered")
            visit(by_name[name], (*path, area.name))
        ordered[area.name] = area

    for area in areas:
        visit(area, ())
    return ordered


def discover() -> Areas:
    """The areas shipped with the emulator: every package of ``emulator`` with an ``area``
    module declaring ``AREA``."""
    return _discovered()


_cache: list[Areas] = []


def _discovered() -> Areas:
    if not _cache:
        import emulator

        found = []
        for info in pkgutil.iter_modules(emulator.__path__):
            if info.ispkg:
                try:
                    module = importlib.import_module(f"emulator.{info.name}.area")
                except ModuleNotFoundError as error:
                    if error.name != f"emulator.{info.name}.area":
                        raise
                    continue
                found.append(module.AREA)
        _cache.append(Areas(found))
    return _cache[0]
