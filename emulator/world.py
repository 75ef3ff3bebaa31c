"""A tenant's world at an instant: what every rule works in.

Contracts come into a world lazily: the first time a tenant touches one, it is seeded from the
Sandbox Model (mocks/contracts.yaml) if listed there, or, in the dev, pre and pro catalogs,
provisioned with the default policy. The sandbox catalog's world is seeded once, when the
process first serves it, and never changes.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice

from emulator.clock import ClockState, today
from emulator.errors import SandboxNotFound
from emulator.policy import Policy
from emulator.risks.records import PENDING_REQUEST_BASE
from emulator.risks.seeding import seed_debtors
from emulator.sandbox_model import SandboxModel
from emulator.store import SANDBOX_TENANT, Store, Tx

_SEED_CHUNK = 5000  # records inserted at a time when seeding a contract


@dataclass(frozen=True)
class World:
    tx: Tx
    model: SandboxModel
    tenant: str
    now: datetime
    #: The sandbox catalog: only Sandbox Model data answers; nothing else exists.
    sandbox: bool = False

    @property
    def today(self) -> date:
        return today(self.now)


@dataclass(frozen=True)
class Contract:
    contract_no: str
    policy: Policy


def contract(world: World, contract_no: str) -> Contract:
    """The contract, seeded or provisioned on first use (SandboxNotFound in the sandbox)."""
    row = world.tx.contract(world.tenant, contract_no)
    if row is None:
        if world.sandbox:
            raise SandboxNotFound()
        doc = world.model.contracts.get(contract_no, {"contractNo": contract_no})
        seed_contract(world, doc)
        row = world.tx.contract(world.tenant, contract_no)
    return Contract(contract_no, Policy.from_doc(json.loads(row["policy"])))


def seed_contract(world: World, doc: dict) -> None:
    """(Re)create a contract and its debtors from a world document (mocks or a scenario)."""
    policy = world.model.policies[doc.get("policy", world.model.default_policy)]
    contract_no = doc["contractNo"]
    world.tx.delete_contract(world.tenant, contract_no)
    world.tx.insert_contract({
        "tenant": world.tenant,
        "contract_no": contract_no,
        "policy": json.dumps(policy.to_doc()),
        "next_endorsement_no": 1,
        "next_request_no": PENDING_REQUEST_BASE + 1,
    })
    last_firm, last_request = 0, PENDING_REQUEST_BASE
    records = seed_debtors(world.model, policy, doc, world.now)
    while chunk := list(islice(records, _SEED_CHUNK)):
        world.tx.insert_debtors([d.to_row(world.tenant) for d in chunk])
        last_firm = max([last_firm, *(d.endorsement_no for d in chunk if d.pending_of is None)])
        last_request = max([last_request, *(d.endorsement_no for d in chunk if d.pending_of is not None)])
    world.tx.set_number(world.tenant, contract_no, "next_endorsement_no", last_firm + 1)
    world.tx.set_number(world.tenant, contract_no, "next_request_no", last_request + 1)


def apply_scenario(world: World, scenario: dict) -> list[str]:
    """Seed every contract a scenario names (replacing what the tenant had of them)."""
    world.model.check_contracts(scenario.get("contracts", []), "scenario")
    for doc in scenario.get("contracts", []):
        seed_contract(world, doc)
    return [doc["contractNo"] for doc in scenario.get("contracts", [])]


class SandboxWorld:
    """The sandbox catalog's world, built afresh from the Sandbox Model (at its fixed instant)
    the first time a process serves the sandbox: most runs never touch it, and a state file
    kept from a run with other mocks must not answer for these."""

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
            world = World(tx, self._model, SANDBOX_TENANT, self._model.sandbox_now)
            for doc in self._model.contracts.values():
                seed_contract(world, doc)
            self._ready = True


def clock_of(tx: Tx, tenant: str) -> ClockState:
    """A tenant's clock; one never set runs on the machine's time."""
    row = tx.tenant(tenant)
    if row is None:
        return ClockState()
    return ClockState(timedelta(seconds=row["clock_offset"]), row["clock_frozen_at"])


def save_clock(tx: Tx, tenant: str, state: ClockState) -> None:
    tx.save_tenant(tenant, state.offset.total_seconds(), state.frozen_at)
