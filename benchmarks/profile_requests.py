"""Where a request's time goes: cProfile over GET classification, POST classification and a
portfolio page of 500, through the whole application in-process (Flask's test client, no
sockets), with state in a file (WAL) and in memory. Prints, per request kind and state, the
SQL statements and transactions one request runs, the time per request, its split by the
module that spent it, and the functions that spent most.

    python benchmarks/profile_requests.py [--requests 300] [--top 12]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from emulator import Settings, create_app

CONTRACT, PAGED, WRITTEN = "10100000001", "30000000001", "30000000003"


def groups(filename: str) -> str:
    """A short name for where a function lives: an emulator module, a library, or C code."""
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C: sqlite3, json, ...)"
    path = Path(filename)
    if "emulator" in path.parts:
        return "emulator/" + "/".join(path.parts[path.parts.index("emulator") + 1:])
    for library in ("werkzeug", "flask", "jsonschema", "referencing", "regress", "yaml", "click"):
        if library in path.parts:
            return library
    return path.parent.name + "/" + path.name if "python3" in str(path) else path.name


def kinds(client, bearer: str):
    headers = {"Authorization": f"Bearer {bearer}"}
    n = iter(range(10**9))
    yield "GET classification", lambda: client.get(
        f"/dev/classifications/v1/contracts/{CONTRACT}/classifications?endorsementNo=101", headers=headers)
    yield "POST classification", lambda: client.post(
        f"/dev/classifications/v1/contracts/{WRITTEN}/classifications", headers=headers,
        json={"debtor": {"countryCode": "ES", "taxCode": f"P{next(n):08d}", "creditLimitRequested": "1000,00",
                         "nonPaymentInd": "N"}})
    yield "portfolio page of 500", lambda: client.get(
        f"/dev/portfolio/v1/contracts/{PAGED}/portfolio?nextEndorsementNo=251", headers=headers)


def profile(state: str, requests: int, top: int) -> None:
    app = create_app(Settings(state=state))
    client = app.test_client()
    client.post("/_emulator/scenarios?client_id=profile", json={"contracts": [{"contractNo": PAGED, "generate": [
        {"count": 1000, "countryCode": "ES", "status": "in-force", "requested": "15000,00", "taxCode": "B5{index:07d}"}]}]})
    bearer = client.post("/dev/oauth2/v1/token", data={
        "grant_type": "password", "client_id": "profile", "client_secret": "s", "username": "u", "password": "p"}).json["access_token"]
    label = "state in a file (WAL)" if state != ":memory:" else "state in memory"
    store = app.extensions["cesce"].store
    for kind, send in kinds(client, bearer):
        count = requests // 10 if "page" in kind else requests
        for _ in range(5):
            assert send().status_code in (200, 201)
        statements: list[str] = []
        store.trace(statements.append)
        send()
        store.trace(None)
        begun = [s for s in statements if s.startswith("BEGIN")]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(count):
            send()
        profiler.disable()
        wall = (time.perf_counter() - started) / count
        stats = pstats.Stats(profiler)
        by_group: dict[str, float] = defaultdict(float)
        for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
            by_group[groups(filename)] += own
        total = sum(by_group.values())
        print(f"\n== {kind}, {label}: {wall * 1e3:.2f} ms a request under the profiler ({count} requests)")
        print(f"   {len(statements) - 2 * len(begun)} statements in {len(begun)} transactions:"
              f" {', '.join(begun)}")
        print("   own time by where it was spent:")
        for group, spent in sorted(by_group.items(), key=lambda item: -item[1])[:top]:
            print(f"   {spent / total:6.1%}  {spent / count * 1e6:9.0f} µs  {group}")
        print("   functions with the most time of their own:")
        ranked = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]
        for (filename, line, name), (_, calls, own, cumulative, _) in ranked:
            print(f"   {own / count * 1e6:9.0f} µs own {cumulative / count * 1e6:9.0f} µs cum"
                  f"  {calls / count:7.1f} calls  {groups(filename)}:{line} {name}")
    app.extensions["cesce"].store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="profiled requests per kind (a tenth for pages)")
    parser.add_argument("--top", type=int, default=12, help="rows per list (default 12)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cesce-profile-") as folder:
        for state in (str(Path(folder) / "state.sqlite3"), ":memory:"):
            profile(state, args.requests, args.top)


if __name__ == "__main__":
    main()
