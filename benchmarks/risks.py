"""What the risk reads cost as a contract grows: one portfolio page, one movements call and the
individual query by each identifier, for contracts of 1,000 and 100,000 debtors side by side.

    python benchmarks/risks.py [--sizes 1000,100000] [--repeat 100] [--server] [--memory]

Each contract is seeded through the operator surface from a scenario document with two
``generate`` batches: all but ``--moved`` debtors granted 30 days ago, and ``--moved`` granted an
hour ago (the movements of the last 48 hours). Calls go through the real application (Flask's
test client, or a threaded HTTP server with ``--server``), alternating between the sizes so that
both see the same machine. The script prints a table and the query plans; it asserts nothing
about time. The target: every per-call row costs the same at 100,000 debtors as at 1,000.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import Settings, create_app
from emulator.control import call
from emulator.server import ThreadedServer

CONTRACT = "30000000001"
PRIMARY_KEY = "sqlite_autoindex_debtors_1"
#: A frozen clock keeps the 48-hour window and every token still for the whole run.
NOW = "2026-03-02T12:00:00Z"


def scenario(debtors: int, moved: int) -> dict:
    """``debtors`` debtors: the first ones granted 30 days ago, the last ``moved`` an hour ago.
    Endorsement numbers run from 1, so the first batch's {index} is its endorsementNo."""
    common = {"countryCode": "ES", "status": "in-force", "requested": "15000,00"}
    return {
        "description": f"benchmark: {debtors} debtors, {moved} changed in the last 48 hours",
        "clock": {"set": NOW, "freeze": True},
        "contracts": [{"contractNo": CONTRACT, "policy": "standard", "generate": [
            {"count": debtors - moved, **common, "taxCode": "B5{index:07d}", "customerReference": "OLD{index:06d}",
             "companyName": "DEUDOR {index:06d} SL", "since": "-P30D"},
            {"count": moved, **common, "taxCode": "B6{index:07d}", "customerReference": "NEW{index:06d}",
             "companyName": "RECIENTE {index:06d} SL", "since": "-PT1H"},
        ]}],
    }


@dataclass(frozen=True)
class Operation:
    name: str
    path: Callable[[int], str]
    #: What a correct answer looks like (records on the page, or the endorsementNo found).
    expect: Callable[[int, int], Any]
    seen: Callable[[Any], Any]
    #: The index schema.sql provides for this query, which keeps its cost independent of the
    #: number of debtors.
    index: str


def _records(body) -> int:
    return len(body["debtor"] or [])


def _found(body) -> str:
    return body["debtor"]["endorsementNo"]


def operations(moved: int, page_size: int) -> list[Operation]:
    base = f"/dev/{{}}/v1/contracts/{CONTRACT}"
    risks = base.format("classifications") + "/classifications?"
    return [
        Operation(f"portfolio page ({page_size} records)",
                  lambda n: base.format("portfolio") + f"/portfolio?nextEndorsementNo={n // 2 - page_size // 2}",
                  lambda n, m: page_size, _records, PRIMARY_KEY),
        Operation(f"movements ({moved} in the 48 h window)",
                  lambda n: base.format("portfolio-movements") + "/movements",
                  lambda n, m: m, _records, "debtors_by_change"),
        Operation("GET by endorsementNo", lambda n: risks + f"endorsementNo={n // 2}",
                  lambda n, m: str(n // 2), _found, PRIMARY_KEY),
        Operation("GET by customerReference", lambda n: risks + f"customerReference=OLD{n // 2:06d}",
                  lambda n, m: str(n // 2), _found, "debtors_by_reference"),
        Operation("GET by countryCode+taxCode", lambda n: risks + f"countryCode=ES&taxCode=B5{n // 2:07d}",
                  lambda n, m: str(n // 2), _found, "debtors_by_tax"),
    ]


# -- transports: the same requests through the test client or over HTTP ------------------------


class TestClient:
    label = "Flask test client"

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self._client = self.app.test_client()

    def request(self, method: str, path: str, *, json=None, form=None, headers=None) -> tuple[int, Any]:
        answer = self._client.open(path, method=method, json=json, data=form, headers=headers)
        return answer.status_code, answer.get_json(silent=True)

    def close(self) -> None:
        self.app.extensions["cesce"].store.close()


class Http:
    label = "HTTP, threaded Werkzeug server"

    def __init__(self, settings: Settings) -> None:
        self._server = ThreadedServer(settings).start()
        self.app = self._server.app

    def request(self, method: str, path: str, *, json=None, form=None, headers=None) -> tuple[int, Any]:
        answer = call(method, self._server.url + path, body=json, form=form, headers=headers, timeout=3600)
        return answer.status, answer.body

    def close(self) -> None:
        self._server.stop()


# -- measuring ------------------------------------------------------------------------------------


def peak_rss_mib() -> float | None:
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


def seed(transport, size: int, moved: int) -> tuple[float, float | None]:
    before = peak_rss_mib()
    start = time.perf_counter()
    status, body = transport.request("POST", f"/_emulator/scenarios?client_id=bench-{size}", json=scenario(size, moved))
    elapsed = time.perf_counter() - start
    if status != 200:
        raise SystemExit(f"seeding {size} debtors failed: {status} {body}")
    after = peak_rss_mib()
    return elapsed, None if before is None else after - before


def token(transport, size: int) -> dict[str, str]:
    status, body = transport.request("POST", "/dev/oauth2/v1/token", form={
        "grant_type": "password", "client_id": f"bench-{size}", "client_secret": "secret",
        "username": "user", "password": "password"})
    if status != 200:
        raise SystemExit(f"no token: {status} {body}")
    return {"Authorization": f"Bearer {body['access_token']}"}


def timed_call(transport, operation: Operation, size: int, moved: int, headers) -> float:
    start = time.perf_counter()
    status, body = transport.request("GET", operation.path(size), headers=headers)
    elapsed = time.perf_counter() - start
    if status != 200 or operation.seen(body) != operation.expect(size, moved):
        raise SystemExit(f"{operation.name} at {size} debtors: unexpected answer {status} {body!r:.300}")
    return elapsed


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


# -- query plans ----------------------------------------------------------------------------------


def normalize(sql: str) -> str:
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+(?:\.\d+)?\b", "?", " ".join(sql.split()))


def trace(transport, operation: Operation, size: int, headers) -> list[str]:
    """The statements one call runs, with their parameters in place."""
    store = transport.app.extensions["cesce"].store
    statements: list[str] = []
    store.trace(statements.append)
    try:
        transport.request("GET", operation.path(size), headers=headers)
    finally:
        store.trace(None)
    return statements


def explain(transport, sql: str) -> str:
    # A transaction keeps its connection to itself; a benchmark may look, to show the real plan.
    with transport.app.extensions["cesce"].store.transaction(write=False) as tx:
        rows = tx._conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    return "; ".join(row[3] for row in rows)


def time_sql(transport, sql: str, times: int = 20) -> float:
    samples = []
    with transport.app.extensions["cesce"].store.transaction(write=False) as tx:
        for _ in range(times):
            start = time.perf_counter()
            tx._conn.execute(sql).fetchall()
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


# -- the report -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="debtors per contract, comma-separated (default 1000,100000)")
    parser.add_argument("--repeat", type=int, default=100, help="measured calls per operation and size (default 100)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured calls first (default 5)")
    parser.add_argument("--moved", type=int, default=50, help="debtors changed in the 48-hour window (default 50)")
    parser.add_argument("--server", action="store_true", help="call a threaded HTTP server instead of the test client")
    parser.add_argument("--memory", action="store_true", help="keep state in :memory: instead of a file (WAL)")
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    if sizes[0] < max(1000, 2 * args.moved):
        parser.error("every size must be at least 1000 and twice --moved")

    with tempfile.TemporaryDirectory(prefix="cesce-bench-") as folder:
        state = ":memory:" if args.memory else str(Path(folder) / "state.sqlite3")
        settings = Settings(state=state)
        transport = (Http if args.server else TestClient)(settings)
        try:
            report(transport, settings, sizes, args)
        finally:
            transport.close()


def report(transport, settings: Settings, sizes: list[int], args) -> None:
    ops = operations(args.moved, settings.page_size)
    where = "state in memory" if args.memory else "state in a file (WAL, synchronous=NORMAL)"
    print(f"cesce-sandbox risk reads: {transport.label}, {where}")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.machine()},"
          f" {os.cpu_count()} CPUs; {args.repeat} calls per row and size after {args.warmup} unmeasured\n")

    print("Seeding one contract (POST /_emulator/scenarios, generate batches)")
    print(f"  {'debtors':>9}  {'time':>9}  {'peak RSS growth':>15}  {'state file':>10}")
    for size in sizes:
        elapsed, grown = seed(transport, size, args.moved)
        on_disk = "n/a" if args.memory else f"{sum(p.stat().st_size for p in Path(settings.state).parent.glob('state.sqlite3*')) / 2**20:7.1f} MiB"
        rss = "n/a" if grown is None else f"{grown:.1f} MiB"
        print(f"  {size:>9,}  {elapsed:>7.2f} s  {rss:>15}  {on_disk:>10}", flush=True)
    print("  (peak RSS growth: how far the process's high-water mark rose while seeding; the state file"
          " holds every size seeded so far)\n")

    headers = {size: token(transport, size) for size in sizes}
    samples = {(op.name, size): [] for op in ops for size in sizes}
    for round_no in range(args.warmup + args.repeat):
        for op in ops:
            for size in sizes:
                elapsed = timed_call(transport, op, size, args.moved, headers[size])
                if round_no >= args.warmup:
                    samples[op.name, size].append(elapsed)

    first, last = sizes[0], sizes[-1]
    width = max(len(op.name) for op in ops)
    print("Per call, milliseconds")
    print(f"  {'':<{width}}" + "".join(f"  {f'{size:,} debtors':>17}" for size in sizes) + f"  {f'{last:,} / {first:,}':>17}")
    print(f"  {'':<{width}}" + "".join(f"  {'median':>8} {'p95':>8}" for _ in sizes) + f"  {'median':>8} {'p95':>8}")
    for op in ops:
        cells = "".join(f"  {statistics.median(samples[op.name, s]) * 1e3:>8.2f} {p95(samples[op.name, s]) * 1e3:>8.2f}"
                        for s in sizes)
        ratio = (statistics.median(samples[op.name, last]) / statistics.median(samples[op.name, first]),
                 p95(samples[op.name, last]) / p95(samples[op.name, first]))
        print(f"  {op.name:<{width}}{cells}  {ratio[0]:>7.2f}x {ratio[1]:>7.2f}x")
    print()

    print_plans(transport, ops, sizes, headers)


def print_plans(transport, ops: list[Operation], sizes: list[int], headers) -> None:
    last = sizes[-1]
    traced = {(op.name, size): trace(transport, op, size, headers[size]) for op in ops for size in sizes}
    selects = {key: [s for s in statements if s.lstrip().upper().startswith("SELECT")] for key, statements in traced.items()}
    writes = sorted({" ".join(s.split()[:3]) for statements in traced.values() for s in statements
                     if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")})
    plans = {(normalize(sql), size): explain(transport, sql) for (_, size), sqls in selects.items() for sql in sqls}
    shared = [normalize(s) for s in selects[ops[0].name, last]
              if all(normalize(s) in map(normalize, selects[op.name, last]) for op in ops)]

    own = {(op.name, size): next(s for s in selects[op.name, size] if normalize(s) not in shared)
           for op in ops for size in sizes}
    width = max(len(op.name) for op in ops)

    def show(sql: str) -> None:
        print(f"  {sql}")
        print(f"      {plans[sql, last]}")
        for size in sizes[:-1]:
            if plans.get((sql, size), plans[sql, last]) != plans[sql, last]:
                print(f"      at {size:,} debtors: {plans[sql, size]}")

    print(f"Query plans at {last:,} debtors (EXPLAIN QUERY PLAN of the SQL each call ran, traced;"
          f" a plan that differs at a smaller size is shown under it)")
    print("Every call:")
    for sql in shared:
        show(sql)
    if writes:
        print(f"  and writes: {', '.join(writes)}")
    for op in ops:
        print(f"{op.name}:")
        for sql in dict.fromkeys(normalize(s) for s in selects[op.name, last]):
            if sql not in shared:
                show(sql)

    missed = {(op, size): own[op.name, size] for op in ops for size in sizes
              if op.index not in plans[normalize(own[op.name, size]), size]}
    if not missed:
        print("\nEvery query above uses the index meant for it.")
        return
    print("\nQueries whose plan does not use the index meant for them. The same SQL alone, median of"
          " 20 runs, as the store sends it and forced through that index (INDEXED BY):")
    for (op, size), sql in missed.items():
        forced = sql.replace("FROM debtors", f"FROM debtors INDEXED BY {op.index}", 1)
        print(f"  {op.name:<{width}}  {size:>9,} debtors: {time_sql(transport, sql) * 1e3:8.2f} ms as sent,"
              f" {time_sql(transport, forced) * 1e3:8.2f} ms through {op.index}")
    for op in dict.fromkeys(op for op, _ in missed):
        sql = missed[op, last] if (op, last) in missed else next(v for (o, _), v in missed.items() if o is op)
        forced = sql.replace("FROM debtors", f"FROM debtors INDEXED BY {op.index}", 1)
        print(f"  {op.name}, forced: {explain(transport, forced)}")


if __name__ == "__main__":
    main()
