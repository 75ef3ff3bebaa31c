"""A tenant's world at an instant: what every rule works in.

A tenant comes into being at its first contact of any kind (a token, a business call, an
operator call such as a clock jump; a view of its state is none): that instant is where its
world starts (``born_at``). The
contracts of the Sandbox Model (mocks/contracts.yaml) are part of every world from that start;
each is written into the store the first time anything reads it, as of the world's start, and
whatever would have happened to it since then happens at its own moment (the due queue). So a
fresh tenant whose clock jumps seven days sees the committee decide its pending requests on
day 7. In the dev, pre and pro catalogs an unknown contract is provisioned with the default
policy when first used. The sandbox catalog's world is seeded once, at the Sandbox Model's
fixed instant, when the process first serves it, and never changes.

A scenario's contracts are seeded in steps (``seed_in_steps``), each its own transaction, so a
portfolio of 100,000 debtors holds no other tenant up; a contract is invisible until its last
step, and a request on it meanwhile is told so (``Seeding``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from emulator import history
from emulator.clock import ClockState, system_now, today
from emulator.errors import SandboxNotFound
from emulator.sandbox_model import SandboxModel
from emulator.store import SANDBOX_TENANT, Steps, Store, Tx

#: How long a seeding step may take before its contract counts as abandoned (the process that
#: seeded it died) and is seeded afresh at its next use; every step renews it.
SEED_LEASE = timedelta(minutes=1)


class Seeding(Exception):
    """The contract is being seeded: it exists once its seeding ends (retry then)."""

    def __init__(self, contract_no: str) -> None:
        super().__init__(f"contract {contract_no} is being seeded; retry when its seeding ends")
        self.contract_no = contract_no


class SeedingLost(RuntimeError):
    """A contract being seeded was reset (or taken over) before its seeding ended."""


@dataclass(frozen=True)
class World:
    tx: Tx
    model: SandboxModel
    tenant: str
    now: datetime
    #: The sandbox catalog: only Sandbox Model data answers; nothing else exists.
    sandbox: bool = False
    #: Where the tenant's world starts: Sandbox Model contracts are seeded as of this instant.
    born_at: datetime | None = None

    @property
    def today(self) -> date:
        return today(self.now)

    def at(self, instant: datetime) -> World:
        """The same world at another instant (what falls due happens at its own moment)."""
        return replace(self, now=instant)

    def announce(self, topic: str, contract_no: str, ref: str) -> None:
        """Tell the areas that react to ``topic`` that something changed now ("risks.limit":
        a debtor's limit was decided, reduced, cancelled...), so that what builds on it follows
        at the same instant, without the announcing area knowing who listens."""
        for area in self.model.areas.values():
            reaction = area.reactions.get(topic)
            if reaction is not None:
                reaction(self, contract_no, ref)

    def schedule(self, at: datetime, area: str, contract_no: str, ref: str) -> None:
        """Leave ``ref`` of a contract for ``area`` to carry out when the tenant's clock reaches
        ``at``."""
        self.tx.schedule(self.tenant, contract_no, at, area, ref)


@dataclass(frozen=True)
class Contract:
    contract_no: str
    #: The policy's settings as mocks/policies.yaml gives them: each area reads its own keys.
    policy: dict


@dataclass(frozen=True)
class TenantState:
    """What a request reads of its tenant before anything else, in one statement."""

    clock: ClockState
    #: Whether the tenant exists yet (its first contact brings it into being).
    known: bool
    born_at: datetime | None
    #: When its next due work falls (None: nothing waits).
    next_due: datetime | None
    #: Whether an injected fault waits for one of its requests.
    faulty: bool
    #: The settings the tenant has of its own, by name (its pageSize...).
    settings: dict


def tenant_state(tx: Tx, tenant: str) -> TenantState:
    row = tx.tenant_state(tenant)
    clock = ClockState(timedelta(seconds=row["clock_offset"]), row["clock_frozen_at"]) if row["known"] else ClockState()
    return TenantState(clock, bool(row["known"]), row["born_at"], row["next_due"], bool(row["faulty"]),
                       row["settings"])


def enter(tx: Tx, model: SandboxModel, tenant: str, state: TenantState | None = None,
          now: datetime | None = None) -> World:
    """The tenant's world now (``now`` on its clock, as ``state`` read it), brought into being
    at the first contact, with whatever fell due already happened. Nothing is written when the
    tenant exists and nothing is due."""
    state = state or tenant_state(tx, tenant)
    now = now or state.clock.now()
    if not state.known:
        tx.save_tenant(tenant, state.clock.offset.total_seconds(), state.clock.frozen_at, now)
    world = World(tx, model, tenant, now, born_at=state.born_at if state.known else now)
    if state.next_due is not None and state.next_due <= now:
        history.catch_up(world)
    return world


def contract(world: World, contract_no: str) -> Contract:
    """The contract, seeded or provisioned on first use (SandboxNotFound in the sandbox)."""
    row = world.tx.contract(world.tenant, contract_no)
    if row is not None and row["seeding_until"] is not None:
        if _being_seeded(row):
            raise Seeding(contract_no)
        row = None  # its seeding was abandoned: what it left is replaced below
    if row is None:
        if world.sandbox:
            raise SandboxNotFound()
        doc = world.model.contracts.get(contract_no)
        if doc is None:
            seed_contract(world, {"contractNo": contract_no})
        else:
            # As of the world's start; what fell due since then happens now, in time order.
            seed_contract(world.at(world.born_at or world.now), doc)
            history.catch_up(world)
        row = world.tx.contract(world.tenant, contract_no)
    return Contract(contract_no, json.loads(row["policy"]))


def contracts(world: World) -> list[str]:
    """Every contract of the world: the Sandbox Model's and those provisioned, each seeded
    (those being seeded aside)."""
    rows = world.tx.contracts(world.tenant)
    seeding = {row["contract_no"] for row in rows if _being_seeded(row)}
    numbers = sorted({*world.model.contracts, *(row["contract_no"] for row in rows)} - seeding)
    for number in numbers:
        contract(world, number)
    return numbers


def seed_contract(world: World, doc: dict) -> None:
    """(Re)create a contract from a world document (mocks or a scenario), each area seeding its
    part of it at the world's now."""
    _claim(world, doc, None)
    _seed_parts(world, doc)


def _claim(world: World, doc: dict, lease: datetime | None) -> None:
    """The contract's row afresh (everything it had deleted, its due rows too), being seeded
    until ``lease`` when given."""
    contract_no = doc["contractNo"]
    world.tx.delete_contract(world.tenant, contract_no)
    policy = world.model.policies[doc.get("policy", world.model.default_policy)]
    world.tx.insert_contract({"tenant": world.tenant, "contract_no": contract_no, "policy": json.dumps(policy),
                              "seeding_until": lease})


def _seed_parts(world: World, doc: dict) -> None:
    current = Contract(doc["contractNo"], world.model.policies[doc.get("policy", world.model.default_policy)])
    for area in world.model.areas.values():
        if area.seed:
            area.seed(world, current, doc)


def apply_scenario(world: World, scenario: dict) -> list[str]:
    """Seed every contract a scenario names (replacing what the tenant had of them)."""
    world.model.check_contracts(scenario.get("contracts", []), "scenario")
    for doc in scenario.get("contracts", []):
        seed_contract(world, doc)
    return [doc["contractNo"] for doc in scenario.get("contracts", [])]


def seed_in_steps(store: Store, model: SandboxModel, tenant: str, scenario: dict,
                  before: Callable[[Tx], None] | None = None, progress: Callable[[int], None] | None = None) -> list[str]:
    """``apply_scenario`` in steps, each its own transaction (an area's seed marks them with
    ``Tx.step``), so seeding a large portfolio holds no other request up. ``before`` runs first,
    in the transaction that claims the contracts (the scenario's clock); ``progress`` hears how
    many records each step wrote. Until the last step the contracts are invisible and a request
    on them is told so (Seeding); one already being seeded is refused the same way. A seeding
    that fails leaves no trace of them."""
    docs = scenario.get("contracts", [])
    model.check_contracts(docs, "scenario")
    latest = {doc["contractNo"]: doc for doc in docs}  # a contract named twice: the last one wins, as in turn
    with store.transaction() as tx:
        if before is not None:
            before(tx)
        world = enter(tx, model, tenant)
        lease = system_now() + SEED_LEASE
        for number, doc in latest.items():
            row = tx.contract(tenant, number)
            if row is not None and _being_seeded(row):
                raise Seeding(number)
            _claim(world, doc, lease)
    held = [lease]

    def renew(tx: Tx, until: datetime | None) -> None:
        """Move the lease on (None: the contracts are whole), unless it was lost meanwhile."""
        for number in latest:
            if not tx.mark_seeding(tenant, number, until, held[-1]):
                raise SeedingLost(f"contract {number} was reset while it was being seeded")
        if until is not None:
            held.append(until)

    def resume(tx: Tx) -> None:
        renew(tx, system_now() + SEED_LEASE)

    try:
        with store.transaction(steps=Steps(progress or Steps.between, resume)) as tx:
            current = World(tx, model, tenant, world.now, born_at=world.born_at)
            for doc in latest.values():
                _seed_parts(current, doc)
            renew(tx, None)
    except BaseException:
        with store.transaction() as tx:
            for number in latest:
                row = tx.contract(tenant, number)
                # A step that renewed the lease may have been rolled back with the failure, the
                # contract keeping an earlier lease: any lease this seeding held is its own.
                if row is not None and row["seeding_until"] in held:
                    tx.delete_contract(tenant, number)
        raise
    return [doc["contractNo"] for doc in docs]


def _being_seeded(row: dict) -> bool:
    """Whether a contract's row is of one a live seeding holds (its lease not run out)."""
    return row["seeding_until"] is not None and row["seeding_until"] > system_now()


class SandboxWorld:
    """The sandbox catalog's world, built afresh from the Sandbox Model (at its fixed instant)
    the first time a process serves it: most runs never touch it, and a state file kept from a
    run with other mocks must not answer for these."""

    def __init__(self, store: Store, model: SandboxModel) -> None:
        self._store, self._model = store, model
        self._lock = threading.Lock()
        self._ready = False

    def ensure(self) -> None:
        if self._ready:
            return
        with self._lock, self._store.transaction() as tx:
            if self._ready:
                return
            tx.reset(SANDBOX_TENANT)
            world = World(tx, self._model, SANDBOX_TENANT, self._model.sandbox_now, sandbox=True,
                          born_at=self._model.sandbox_now)
            for doc in self._model.contracts.values():
                seed_contract(world, doc)
            self._ready = True

    def world(self, tx: Tx) -> World:
        return World(tx, self._model, SANDBOX_TENANT, self._model.sandbox_now, sandbox=True,
                     born_at=self._model.sandbox_now)


def clock_of(tx: Tx, tenant: str) -> ClockState:
    """A tenant's clock; one never set runs on the machine's time."""
    row = tx.tenant(tenant)
    if row is None:
        return ClockState()
    return ClockState(timedelta(seconds=row["clock_offset"]), row["clock_frozen_at"])


def save_clock(tx: Tx, tenant: str, state: ClockState, born_at: datetime | None = None) -> None:
    """Keep a tenant's clock; ``born_at`` moves where its world starts (a tenant without
    history may start anywhere), otherwise it stays."""
    row = tx.tenant(tenant)
    if born_at is None:
        born_at = row["born_at"] if row else state.now()
    tx.save_tenant(tenant, state.offset.total_seconds(), state.frozen_at, born_at)
