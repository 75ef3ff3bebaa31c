"""What the emulator serves on SQLite beside PostgreSQL with one and two replicas: the same
load, one row per store, side by side in one run.

    python benchmarks/replicas.py [--seconds 8] [--threads 16]

Each row starts `cesce-emulator serve` (on a state file, or on a throw-away PostgreSQL cluster
started for the run, one or two replicas on one database) and drives it for ``--seconds`` with
``--threads`` client threads spread over the replicas, in turn for three requests: a password
grant, a GET of one classification of the Sandbox Model's contract and a POST of a new debtor (16 tenants, one per thread, as a
shared emulator serves many pipelines). It prints requests/s and the p50 and p99 latency; it
asserts nothing about time. The client threads run on the same machine as the servers and the
database, so the figures are for comparing rows, not a ceiling.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from emulator.control import Control, call

HERE = Path(__file__).resolve().parent
CONTRACT = "30000000077"
STANDARD = "10100000001"  # the Sandbox Model's contract: its debtor 101 exists in every world


def _cluster_module():
    spec = importlib.util.spec_from_file_location("pg_cluster", HERE.parent / "tests" / "pg_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def serve(state: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CESCE_EMULATOR_")}
    process = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), "--state", state],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call("GET", f"{url}/_emulator/health", timeout=2).status == 200:
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"serve --state {state} did not answer")


def drive(urls: list[str], request: str, seconds: float, threads: int) -> tuple[float, float, float, int]:
    """Requests/s, p50 and p99 in ms, and the answers that were not 2xx."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    failures = [0] * threads
    stop = threading.Event()
    start = threading.Barrier(threads + 1)

    def work(n: int) -> None:
        tenant = Control(urls[n % len(urls)], f"bench-{request}-{n:02d}")
        token = tenant.token()["access_token"]
        i = 0
        start.wait()
        while not stop.is_set():
            began = time.perf_counter()
            if request == "token":
                status = call("POST", tenant.token_url, form={
                    "grant_type": "password", "client_id": tenant.client_id, "client_secret": "secret",
                    "username": "u", "password": "p"}).status
            elif request == "GET classification":
                status = tenant.request("GET", f"classifications/v1/contracts/{STANDARD}/classifications", token,
                                        query={"endorsementNo": "101"}).status
            else:
                status = tenant.request("POST", f"classifications/v1/contracts/{CONTRACT}/classifications", token, {
                    "debtor": {"countryCode": "ES", "taxCode": f"B{n:02d}{i:07d}", "creditLimitRequested": "1000,00",
                               "nonPaymentInd": "N"}}).status
            latencies[n].append(time.perf_counter() - began)
            failures[n] += not 200 <= status < 300
            i += 1

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for each in latencies for x in each)
    p99 = every[int(len(every) * 0.99)] if every else 0
    return len(every) / elapsed, statistics.median(every) * 1000, p99 * 1000, sum(failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    pg_cluster = _cluster_module()
    cluster = pg_cluster.Cluster()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            stores = [("SQLite file, 1 process", [str(workdir / "state.sqlite3")])]
            for replicas in (1, 2):
                _, url = pg_cluster.new_schema(cluster.url)
                stores.append((f"PostgreSQL, {replicas} replica{'s' if replicas > 1 else ''}", [url] * replicas))
            for name, states in stores:
                served = [serve(state, workdir) for state in states]
                try:
                    urls = [url for _, url in served]
                    Control(urls[0], "warm").token()
                    for request in ("token", "GET classification", "POST classification"):
                        rate, p50, p99, failed = drive(urls, request, args.seconds, args.threads)
                        rows.append((name, request, rate, p50, p99, failed))
                        print(f"  {name:24} {request:20} {rate:8.0f}/s", file=sys.stderr)
                finally:
                    for process, _ in served:
                        process.terminate()
                        process.wait()
    finally:
        cluster.stop()

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python"
          f" {platform.python_version()}, SQLite {sqlite3.sqlite_version}. Load: {args.threads} client threads (one"
          f" tenant each) spread over the replicas, {args.seconds:g} s per row.\n")
    print("| store                    | request              | requests/s | p50 ms | p99 ms | not 2xx |")
    print("|--------------------------|----------------------|-----------:|-------:|-------:|--------:|")
    for name, request, rate, p50, p99, failed in rows:
        print(f"| {name:24} | {request:20} | {rate:10,.0f} | {p50:6.1f} | {p99:6.1f} | {failed:7} |")


if __name__ == "__main__":
    main()
