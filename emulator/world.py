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
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from emulator import history
from emulator.clock import ClockState, today
from emulator.errors import SandboxNotFound
from emulator.sandbox_model import SandboxModel
from emulator.store import SANDBOX_TENANT, Store, Tx


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


def enter(tx: Tx, model: SandboxModel, tenant: str) -> World:
    """The tenant's world now, brought into being at the first contact, with whatever fell due
    already happened."""
    row = tx.tenant(tenant)
    state = clock_of(tx, tenant)
    now = state.now()
    if row is None:
        tx.save_tenant(tenant, state.offset.total_seconds(), state.frozen_at, now)
        born = now
    else:
        born = row["born_at"]
    world = World(tx, model, tenant, now, born_at=born)
    history.catch_up(world)
    return world


def contract(world: World, contract_no: str) -> Contract:
    """The contract, seeded or provisioned on first use (SandboxNotFound in the sandbox)."""
    row = world.tx.contract(world.tenant, contract_no)
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
    """Every contract of the world: the Sandbox Model's and those provisioned, each seeded."""
    numbers = sorted({*world.model.contracts, *(row["contract_no"] for row in world.tx.contracts(world.tenant))})
    for number in numbers:
        contract(world, number)
    return numbers


def seed_contract(world: World, doc: dict) -> None:
    """(Re)create a contract from a world document (mocks or a scenario), each area seeding its
    part of it at the world's now."""
    name = doc.get("policy", world.model.default_policy)
    contract_no = doc["contractNo"]
    world.tx.delete_contract(world.tenant, contract_no)  # its due rows too
    world.tx.insert_contract({"tenant": world.tenant, "contract_no": contract_no,
                              "policy": json.dumps(world.model.policies[name])})
    current = Contract(contract_no, world.model.policies[name])
    for area in world.model.areas.values():
        if area.seed:
            area.seed(world, current, doc)


def apply_scenario(world: World, scenario: dict) -> list[str]:
    """Seed every contract a scenario names (replacing what the tenant had of them)."""
    world.model.check_contracts(scenario.get("contracts", []), "scenario")
    for doc in scenario.get("contracts", []):
        seed_contract(world, doc)
    return [doc["contractNo"] for doc in scenario.get("contracts", [])]


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
