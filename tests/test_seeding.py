"""A scenario seeded in steps (world.seed_in_steps), as the operator surface and the CLI seed
it: its contracts are invisible until the last step, a seeding that fails or is reset leaves
nothing of them, one abandoned by a process that died is seeded afresh at the next use, and a
contract is seeded by one seeding at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emulator.sandbox_model import SandboxModel
from emulator.store import Store
from emulator.world import SEED_LEASE, Seeding, SeedingLost, contract, contracts, enter, seed_contract, seed_in_steps

MODEL = SandboxModel()
TENANT, CONTRACT = "seeder", "30000000005"


def scenario(count: int = 5000) -> dict:
    return {"contracts": [{"contractNo": CONTRACT, "generate": [
        {"count": count, "countryCode": "ES", "status": "in-force", "requested": "1000,00", "taxCode": "S{index:07d}"}]}]}


def debtors(store: Store) -> int:
    return store.view(lambda tx: len(tx.all("debtors", "SELECT endorsement_no FROM debtors WHERE tenant = ? AND contract_no = ?",
                                            TENANT, CONTRACT)))


@pytest.fixture
def store():
    store = Store()
    yield store
    store.close()


def test_a_contract_is_invisible_until_its_last_step_and_whole_after_it(store):
    seen = []

    def look(done: int) -> None:
        def view(tx):
            world = enter(tx, MODEL, TENANT)
            with pytest.raises(Seeding, match=f"contract {CONTRACT} is being seeded"):
                contract(world, CONTRACT)
            return CONTRACT in contracts(world), debtors(store)
        seen.append((done, *store.view(view)))

    assert seed_in_steps(store, MODEL, TENANT, scenario(), progress=look) == [CONTRACT]
    assert [done for done, _, _ in seen] == [2000, 2000, 1000]
    assert [listed for _, listed, _ in seen] == [False] * 3
    assert [written for _, _, written in seen] == [2000, 4000, 5000]  # written in steps, each committed
    assert store.view(lambda tx: CONTRACT in contracts(enter(tx, MODEL, TENANT)))
    assert debtors(store) == 5000


def test_a_seeding_that_fails_half_way_leaves_nothing_of_its_contract(store):
    seed_in_steps(store, MODEL, TENANT, scenario(10))  # what the contract had before

    def fail(done: int) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        seed_in_steps(store, MODEL, TENANT, scenario(), progress=fail)
    assert debtors(store) == 0
    assert store.view(lambda tx: tx.contract(TENANT, CONTRACT)) is None


def test_a_tenant_reset_during_a_seeding_ends_it_with_nothing_left(store):
    def reset(done: int) -> None:
        with store.transaction() as tx:
            tx.reset(TENANT)

    with pytest.raises(SeedingLost, match=f"contract {CONTRACT} was reset while it was being seeded"):
        seed_in_steps(store, MODEL, TENANT, scenario(), progress=reset)
    assert debtors(store) == 0


def test_a_contract_being_seeded_is_not_seeded_twice_at_once(store):
    refused = []

    def again(done: int) -> None:
        if not refused:
            with pytest.raises(Seeding):
                seed_in_steps(store, MODEL, TENANT, scenario(10))
            refused.append(done)

    seed_in_steps(store, MODEL, TENANT, scenario(), progress=again)
    assert refused and debtors(store) == 5000


def test_a_seeding_abandoned_by_a_process_that_died_is_seeded_afresh_at_the_next_use(store):
    def leave(lease: datetime) -> None:
        """What a seeding killed after its first steps leaves: some records, and its lease."""
        with store.transaction() as tx:
            seed_contract(enter(tx, MODEL, TENANT), scenario(10)["contracts"][0])
            tx.execute("UPDATE contracts SET seeding_until = ? WHERE tenant = ? AND contract_no = ?", lease, TENANT, CONTRACT)

    leave(datetime.now(UTC) + SEED_LEASE)
    with pytest.raises(Seeding):  # it may still be alive
        store.view(lambda tx: contract(enter(tx, MODEL, TENANT), CONTRACT))
    leave(datetime.now(UTC) - timedelta(seconds=1))
    with store.transaction() as tx:
        assert contract(enter(tx, MODEL, TENANT), CONTRACT).contract_no == CONTRACT  # provisioned afresh
    assert debtors(store) == 0
    assert store.view(lambda tx: tx.contract(TENANT, CONTRACT)["seeding_until"]) is None
