"""What replay cases cost as their number grows: loading them (time and peak memory) and finding
the case of a request, for 25,000 to 200,000 cases side by side.

    python benchmarks/replay.py [--sizes 25000,50000,100000,200000] [--per-route 20]

Each size is one YAML file of cases, ``--per-route`` of them on each method and path (a
contract's classification query, told apart by query parameter), in the shape ``import-postman``
writes, loaded through ``emulator.replay.cases.load`` in a fresh process so that its peak memory is
its own. Finding compares the index by method and path with trying every case in order. The
script prints a table and asserts nothing about time. The target: the load time per case and
the time to find a case stay the same as the cases grow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def contract(case: int, per_route: int) -> int:
    return 10_000_000_000 + case // per_route


def write_cases(path: Path, count: int, per_route: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            contract_no = contract(n, per_route)
            out.write(
                f"- name: case {n}\n"
                f"  request:\n    method: GET\n    path: classifications/v1/contracts/{contract_no}/classifications\n"
                f"    query: {{endorsementNo: '{n}', languageCode: ES}}\n"
                f"  response:\n    status: 200\n"
                f"    headers: {{X-Global-Transaction-ID: sandbox-{n}}}\n"
                f"    body:\n      error: {{errorCode: '0', errorDescription: ''}}\n"
                f"      client: {{contractNo: '{contract_no}'}}\n"
                f"      debtor: {{endorsementNo: '{n}', countryCode: ES, taxCode: B{n:08d}, creditLimitGranted: '25000,00',"
                f" statusCode: '2'}}\n")


def measure(path: Path, count: int, per_route: int, finds: int) -> dict:
    """Load ``path`` and time finds of random cases (run in a fresh process)."""
    from emulator.replay import cases

    start = time.perf_counter()
    replay = cases.load([path.parent])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    assert len(replay) == count
    picks = random.Random(7).sample(range(count), min(finds, count))
    requests = [(f"/classifications/v1/contracts/{contract(n, per_route)}/classifications",
                 {"endorsementNo": str(n), "languageCode": "ES"}, n) for n in picks]

    start = time.perf_counter()
    for route, query, n in requests:
        assert replay.find("GET", route, query, None).response["debtor"]["endorsementNo"] == str(n)
    indexed = (time.perf_counter() - start) / len(requests)

    scanned_requests = requests[:50]
    start = time.perf_counter()
    for route, query, n in scanned_requests:
        case = next(c for c in replay if c.matches("GET", route, query, None))
        assert case.response["debtor"]["endorsementNo"] == str(n)
    scanned = (time.perf_counter() - start) / len(scanned_requests)
    return {"seconds": seconds, "peak_mib": peak, "find_us": indexed * 1e6, "scan_us": scanned * 1e6}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000,200000", help="cases per file, comma-separated")
    parser.add_argument("--per-route", type=int, default=20, help="cases on each method and path (default 20)")
    parser.add_argument("--finds", type=int, default=2000, help="finds timed per size (default 2000)")
    parser.add_argument("--measure", nargs=2, metavar=("FILE", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), int(args.measure[1]), args.per_route, args.finds)))
        return

    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    print(f"cesce-sandbox replay cases: load and find, {args.per_route} cases per method and path")
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs\n")
    print(f"  {'cases':>9}  {'file':>9}  {'load':>8}  {'per case':>9}  {'peak RSS':>9}  {'find (index)':>12}  {'find (scan)':>11}")
    rows = {}
    with tempfile.TemporaryDirectory(prefix="cesce-bench-") as folder:
        for size in sizes:
            directory = Path(folder) / str(size)
            directory.mkdir()
            path = directory / "cases.yaml"
            write_cases(path, size, args.per_route)
            done = subprocess.run([sys.executable, __file__, "--measure", str(path), str(size), "--per-route", str(args.per_route),
                                   "--finds", str(args.finds)], capture_output=True, text=True, check=True)
            row = rows[size] = json.loads(done.stdout)
            print(f"  {size:>9,}  {path.stat().st_size / 2**20:>5.1f} MiB  {row['seconds']:>6.2f} s"
                  f"  {row['seconds'] / size * 1e6:>6.1f} µs  {row['peak_mib']:>5.0f} MiB"
                  f"  {row['find_us']:>9.1f} µs  {row['scan_us']:>8.0f} µs", flush=True)
            path.unlink()
    first, last = rows[sizes[0]], rows[sizes[-1]]
    print(f"\n  {sizes[-1]:,} / {sizes[0]:,}: load per case {last['seconds'] / sizes[-1] / (first['seconds'] / sizes[0]):.2f}x,"
          f" find (index) {last['find_us'] / first['find_us']:.2f}x, find (scan) {last['scan_us'] / first['scan_us']:.2f}x")
    print("  (about 1.00x: the cost per case, or per request, does not grow with the number of cases)")


if __name__ == "__main__":
    main()
