"""What saving and restoring a tenant's world costs as it grows, JSON beside YAML: a snapshot
taken and written as text (``cesce-emulator export``), then read and restored into a fresh
store (``cesce-emulator import``), for contracts of 1,000 and 20,000 debtors (beside the Sandbox
Model's contracts, which every world holds).

    python benchmarks/snapshots.py [--sizes 1000,20000] [--state FILE]

Each world is seeded from a scenario document (all debtors granted, a fifth of them with a
request pending before the committee, so the due queue is as long), taken once, and then, for
each format in turn, dumped, loaded and restored, in this one process with the store in memory
(or in ``--state``, a file, as the CLI works). The script prints a table and asserts nothing
about time; the last column is the restored world compared with the one it was taken of.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from emulator.admin import snapshots
from emulator.admin.rules import seed_scenario
from emulator.sandbox_model import SandboxModel
from emulator.store import Store

CONTRACT = "30000000001"


def scenario(debtors: int) -> dict:
    pending = debtors // 5
    common = {"countryCode": "ES", "requested": "15000,00"}
    return {"clock": {"set": "2026-03-02T12:00:00Z", "freeze": True},
            "contracts": [{"contractNo": CONTRACT, "policy": "standard", "generate": [
                {"count": debtors - pending, **common, "status": "in-force", "taxCode": "B5{index:07d}",
                 "customerReference": "R{index:06d}", "companyName": "DEUDOR {index:06d} SL", "since": "-P30D"},
                {"count": pending, **common, "status": "pending", "decision": "pending-committee",
                 "taxCode": "B6{index:07d}", "since": "-P1D", "resolveIn": "P6D"},
            ]}]}


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def run(size: int, model: SandboxModel, state: str) -> list[tuple]:
    store = Store(state)
    try:
        with store.transaction() as tx:
            tx.reset("source")
            seed_scenario(tx, model, "source", scenario(size), "benchmark")
        with store.transaction(rollback=True) as tx:
            taken, take_s = timed(lambda: snapshots.take(tx, model, "source"))
        # The Sandbox Model's contracts are part of every world: 1,200-odd records more.
        records = sum(len(value) for contract in taken["contracts"] for value in contract.values() if isinstance(value, list))
        rows = []
        for form in snapshots.FORMATS:
            text, dump_s = timed(lambda: snapshots.dump(taken, form))
            loaded, load_s = timed(lambda: snapshots.load(text))
            with store.transaction() as tx:
                _, restore_s = timed(lambda: snapshots.restore(tx, model, "source", loaded))
            with store.transaction(rollback=True) as tx:
                same = snapshots.take(tx, model, "source") == taken
            rows.append((size, records, form, take_s + dump_s, len(text.encode()) / 2**20, load_s + restore_s, same))
        return rows
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000", help="debtors of each world, comma-separated")
    parser.add_argument("--state", help="a state file to work in (default: memory)")
    args = parser.parse_args()
    model = SandboxModel()
    print(f"# {platform.python_implementation()} {platform.python_version()} on {platform.machine()},"
          f" {os.cpu_count()} CPUs; store {'in ' + args.state if args.state else 'in memory'}")
    print(f"{'debtors':>8} {'records':>8} {'format':>6} {'export s':>9} {'MiB':>7} {'import s':>9}"
          f" {'µs/record out':>14} {'µs/record in':>13}  same world")
    for size in (int(part) for part in args.sizes.split(",")):
        for debtors, records, form, out_s, mib, in_s, same in run(size, model, args.state or ":memory:"):
            print(f"{debtors:>8} {records:>8} {form:>6} {out_s:>9.2f} {mib:>7.1f} {in_s:>9.2f}"
                  f" {out_s / records * 1e6:>14.0f} {in_s / records * 1e6:>13.0f}  {'yes' if same else 'NO'}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
