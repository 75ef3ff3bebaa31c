"""The emulator beside its peers, in one run on one machine: `cesce-emulator serve` on the
container's settings (a state file), a bare Flask app on the same server and threads (the
ceiling), Stoplight Prism mocking the emulator's own OpenAPI document (the stateless peer) and
moto's server (the stateful Python peer). Each is driven by wrk (2 threads, 16 connections,
--seconds each) and the table gives requests/s, p50, p99 and the server's CPU per request (from
/proc); then startup times, 16 tenants at once, the page cost at 1,000 and 100,000 debtors and
the sales list's at 1,200 and 100,000 sales (landed through POST sale), with the server's
memory, and the ratios the performance issue targets. It asserts nothing about time.

    python benchmarks/peers.py [--seconds 8] [--large 100000] [--sales 100000] [--cache ~/.cache/cesce-sandbox-bench]
                               [--image TAG [--engine podman] [--run-option ...]]

The first run installs what it needs and keeps it in --cache: wrk (apt-get, when missing),
Prism (npm) and moto (pip, in its own venv). Linux only (it reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from emulator.control import call

HERE = Path(__file__).resolve().parent
CONTRACT = "10100000001"      # the Sandbox Model's contract: GET classification reads its debtor 101
PAGED = "30000000001"         # 1,000 debtors, 50 of them changed in the last 48 hours
LARGE = "30000000002"         # 100,000 debtors
WRITTEN = "30000000003"       # where POST classification adds a debtor per request
SOLD = "30000000004"          # 1,200 sales on one debtor: the sales list reads the first page of 500
LANDED = "30000000005"        # 100,000 sales declared through POST sale on one debtor
CLASSIFY = "/dev/classifications/v1/contracts/{}/classifications"
SALES = "/dev/sales/v1/contracts/{}/sales"
TENANT = "bench"
TENANTS = 16

TOKEN_FORM = "grant_type=password&client_id={}&client_secret=secret&username=user&password=password"
# Each request a new debtor: wrk runs a Lua state per thread; setup() numbers the threads.
POST_LUA = """
local n, threads = 0, 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local tokens = {%(tokens)s}
function request()
  n = n + 1
  local body = string.format('{"debtor":{"countryCode":"ES","taxCode":"W%%d%%s%%07d","creditLimitRequested":"1000,00","nonPaymentInd":"N"}}', id, "%(run)s", n)
  return wrk.format("POST", "%(path)s", {["Content-Type"]="application/json",
                    ["Authorization"]="Bearer " .. tokens[(n %% #tokens) + 1]}, body)
end
"""
# Each request a new invoice on debtor %(debtor)s (in force): a sale rated at once. %(run)s
# tells runs apart.
SALE_LUA = """
local n, threads = 0, 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function request()
  n = n + 1
  local body = string.format('{"sale":{"endorsementNo":"%(debtor)s","invoiceNo":"B%(run)s-%%d-%%07d","invoiceDate":"%(invoiced)s","maturityDate":"%(matures)s","currencyAmount":"1000,00"}}', id, n)
  return wrk.format("POST", "%(path)s", {["Content-Type"]="application/json", ["Authorization"]="Bearer %(token)s"}, body)
end
"""
#: Invoiced ten days ago and due in fifty, on the tenant's clock (the machine's): in the current
#: month's list, and open to modification.
INVOICED = date.today() - timedelta(days=10)
GET_LUA = """
local n = 0
local tokens = {%(tokens)s}
function request()
  n = n + 1
  return wrk.format("GET", "%(path)s", {["Authorization"]="Bearer " .. tokens[(n %% #tokens) + 1]})
end
"""
TOKEN_LUA = """
wrk.method = "POST"
wrk.body = "%(form)s"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


# -- setup: the tools and peers, installed once into the cache --------------------------------


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        print("installing wrk (apt-get)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def ensure_prism(cache: Path) -> Path:
    prism = cache / "prism" / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        print("installing Stoplight Prism (npm) into", cache / "prism", flush=True)
        subprocess.run(["npm", "install", "--prefix", str(cache / "prism"), "--no-audit", "--no-fund",
                        "@stoplight/prism-cli"], check=True, stdout=subprocess.DEVNULL)
    return prism


def ensure_moto(cache: Path) -> Path:
    moto = cache / "moto" / "bin" / "moto_server"
    if not moto.exists():
        print("installing moto[server] (pip) into", cache / "moto", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(cache / "moto")], check=True)
        subprocess.run([str(cache / "moto" / "bin" / "pip"), "install", "-q", "moto[server]"], check=True)
    return moto


# -- servers --------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    url: str
    startup: float

    def cpu_seconds(self) -> float:
        """User and system CPU of the server process and its children, as /proc counts them."""
        total = 0.0
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> tuple[float, float]:
        """Resident memory now and at its peak (VmRSS, VmHWM)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        value = {k: int(re.search(rf"{k}:\s+(\d+)", status).group(1)) / 1024 for k in ("VmRSS", "VmHWM")}
        return value["VmRSS"], value["VmHWM"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def start(name: str, command: list[str], ready: str, log: Path, headers: dict | None = None, **popen) -> Server:
    """Start ``command`` and time it from the start of the process to the first 200 on ``ready``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, **popen)
    deadline = started + 60
    while True:
        try:
            request = urllib.request.Request(ready, headers=headers or {})
            with urllib.request.urlopen(request, timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.perf_counter() > deadline:
            raise SystemExit(f"{name} did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.005)
    root = ready.split("/", 3)
    return Server(name, process, "/".join(root[:3]), time.perf_counter() - started)


def fixture_startup(env: dict[str, str]) -> float:
    """The in-process server of the pytest plugin: import, create the app, serve, first 200."""
    code = ("import time; t = time.perf_counter()\n"
            "from emulator.server import ThreadedServer\nfrom emulator.control import call\n"
            "server = ThreadedServer().start()\n"
            "assert call('GET', server.url + '/_emulator/health').status == 200\n"
            "print(time.perf_counter() - t)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout)


@dataclass
class Startups:
    """Seconds from the start of a process to its first 200, the median of three starts; for
    the emulator also its first start on a machine, before emulator.memo remembers anything."""

    serve: float
    serve_first: float
    fixture: float
    fixture_first: float
    moto: float
    prism: float
    container: float | None = None


def startups(args, moto: Path, prism: Path, work: Path, env: dict[str, str]) -> Startups:
    def serve(environment: dict[str, str]) -> float:
        server = start("cesce-emulator serve", [sys.executable, "-m", "emulator", "serve", "--port", str(port := free_port())],
                       f"http://127.0.0.1:{port}/_emulator/health", work / "startup.log", env=environment)
        server.stop()
        return server.startup

    def peer(name: str, command: list[str], path: str, headers: dict | None = None) -> float:
        server = start(name, [*command, str(port := free_port())], f"http://127.0.0.1:{port}{path}", work / "peer.log",
                       headers=headers)
        server.stop()
        return server.startup

    fresh = {**env, "XDG_CACHE_HOME": str(Path(tempfile.mkdtemp(dir=work)))}
    serve_first, fixture_first = serve(fresh), fixture_startup({**env, "XDG_CACHE_HOME": str(Path(tempfile.mkdtemp(dir=work)))})
    median = statistics.median
    return Startups(
        serve=median(serve(env) for _ in range(3)), serve_first=serve_first,
        fixture=median(fixture_startup(env) for _ in range(3)), fixture_first=fixture_first,
        moto=median(peer("moto", [str(moto), "-H", "127.0.0.1", "-p"], "/", S3_AUTH) for _ in range(3)),
        prism=median(peer("Prism", [str(prism), "mock", str(work / "openapi.yaml"), "-h", "127.0.0.1", "-p"],
                          CLASSIFY.format(CONTRACT).removeprefix("/dev") + "?endorsementNo=101",
                          {"Authorization": "Bearer x"}) for _ in range(3)),
        container=median(container_startup(args.engine, args.run_option, args.image) for _ in range(3)) if args.image else None,
    )


def container_startup(engine: str, options: list[str], image: str) -> float:
    """``ENGINE run`` of an image of the Dockerfile to its first 200 on health."""
    command, port, name = shlex.split(engine), free_port(), f"cesce-peers-{os.getpid()}"
    started = time.perf_counter()
    subprocess.run([*command, "run", "-d", "--rm", "--name", name, "--network=host", "-e", f"PORT={port}",
                    *(part for option in options for part in shlex.split(option)), image], check=True, capture_output=True)
    try:
        deadline = started + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise SystemExit(f"the image {image} did not answer on port {port} within 60 s")
            time.sleep(0.005)
    finally:
        subprocess.run([*command, "rm", "-f", name], capture_output=True)


# -- load -------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    rps: float | None = None
    p50: float | None = None   # milliseconds
    p99: float | None = None
    cpu_us: float | None = None
    note: str = ""


def drive(wrk: str, server: Server, name: str, path: str, seconds: int, scripts: Path,
          lua: str | None = None, headers: dict | None = None) -> Row:
    """wrk -t2 -c16 on ``path``; the server's CPU over the run divided by the requests it answered."""
    command = [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if lua is not None:
        script = scripts / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.lua"
        script.write_text(lua)
        command += ["-s", str(script)]
    before = server.cpu_seconds()
    out = subprocess.run([*command, server.url + path], capture_output=True, text=True, check=True).stdout
    spent = server.cpu_seconds() - before
    requests, bad = answered(out)
    errors = re.search(r"Socket errors: (.*)", out)
    note = ", ".join(filter(None, [bad and f"{bad} non-2xx", errors and f"socket errors {errors.group(1)}"]))
    return Row(name, requests / seconds, _ms(out, "50"), _ms(out, "99"), spent / requests * 1e6 if requests else None, note)


def answered(out: str) -> tuple[int, int]:
    """The requests a wrk run had answered, and how many of them were not 2xx or 3xx."""
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return int(re.search(r"(\d+) requests in", out).group(1)), int(bad.group(1)) if bad else 0


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(\w+)", out, re.M).groups()
    return float(value) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[unit]


# -- the emulator's world for the run -------------------------------------------------------------


def token(url: str, tenant: str) -> str:
    answer = call("POST", f"{url}/dev/oauth2/v1/token", form=dict(
        p.split("=") for p in TOKEN_FORM.format(tenant).split("&")))
    return answer.body["access_token"]


def seed(url: str, tenant: str, contract: str, debtors: int, moved: int) -> float:
    common = {"countryCode": "ES", "status": "in-force", "requested": "15000,00"}
    scenario = {"contracts": [{"contractNo": contract, "generate": [
        {"count": debtors - moved, **common, "taxCode": "B5{index:07d}", "since": "-P30D"},
        {"count": moved, **common, "taxCode": "B6{index:07d}", "since": "-PT1H"}]}]}
    started = time.perf_counter()
    answer = call("POST", f"{url}/_emulator/scenarios?client_id={tenant}", body=scenario, timeout=600)
    if answer.status != 200:
        raise SystemExit(f"seeding {debtors} debtors failed: {answer.status} {answer.body}")
    return time.perf_counter() - started


def sale_lua(contract: str, debtor: str, bearer: str, run: str) -> str:
    return SALE_LUA % {"debtor": debtor, "path": SALES.format(contract), "token": bearer, "run": run,
                       "invoiced": f"{INVOICED:%Y%m%d}", "matures": f"{INVOICED + timedelta(days=60):%Y%m%d}"}


def land_sales(wrk: str, url: str, scripts: Path, bearer: str, count: int) -> tuple[int, float]:
    """At least ``count`` sales declared through POST sale on the LANDED contract's debtor, by
    wrk in runs of 10 s (wrk runs for its whole duration): the sales landed and the seconds."""
    landed, started, run = 0, time.perf_counter(), 0
    while landed < count:
        script = scripts / "land-sales.lua"
        script.write_text(sale_lua(LANDED, "1", bearer, f"L{run}"))
        out = subprocess.run([wrk, "-t2", "-c16", "-d10s", "-s", str(script), url + "/"],
                             capture_output=True, text=True, check=True).stdout
        requests, refused = answered(out)
        if refused == requests:
            raise SystemExit(f"POST sale refused every sale:\n{out}")
        landed += requests - refused
        run += 1
    return landed, time.perf_counter() - started


def seed_sales(url: str, tenant: str, contract: str, sales: int) -> None:
    debtor = {"endorsementNo": "1", "countryCode": "ES", "taxCode": "B70000001", "status": "in-force",
              "requested": "90000,00", "since": "-P400D"}
    scenario = {"contracts": [{"contractNo": contract, "debtors": [debtor], "sales": [
        {"endorsementNo": "1", "invoiceNo": f"S-{n:05d}", "invoiceDate": "-P10D", "maturityDate": "P50D",
         "amount": "1000,00", "status": "rated"} for n in range(1, sales + 1)]}]}
    answer = call("POST", f"{url}/_emulator/scenarios?client_id={tenant}", body=scenario, timeout=600)
    if answer.status != 200:
        raise SystemExit(f"seeding {sales} sales failed: {answer.status} {answer.body}")


def full_sync(url: str, bearer: str, contract: str) -> tuple[int, float]:
    """Every page of the portfolio, following nextEndorsementNo: pages read and seconds."""
    started, pages, start = time.perf_counter(), 0, None
    while True:
        query = f"?nextEndorsementNo={start}" if start else ""
        body = call("GET", f"{url}/dev/portfolio/v1/contracts/{contract}/portfolio{query}",
                    headers={"Authorization": f"Bearer {bearer}"}, timeout=60).body
        pages += 1
        start = body["client"]["nextEndorsementNo"]
        if start == "0":
            return pages, time.perf_counter() - started


def json_floor_us(url: str, bearer: str, path: str) -> float:
    """What encoding a page's records with the standard json module costs, in microseconds."""
    body = call("GET", url + path, headers={"Authorization": f"Bearer {bearer}"}).body
    runs = timeit.repeat(lambda: json.dumps(body, ensure_ascii=False), number=20, repeat=5)
    return min(runs) / 20 * 1e6


def lua_list(values: list[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


# -- the report -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per row (default 8)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "cesce-sandbox-bench",
                        help="where Prism and moto are installed (default ~/.cache/cesce-sandbox-bench)")
    parser.add_argument("--large", type=int, default=100_000, help="debtors of the large contract (default 100000)")
    parser.add_argument("--sales", type=int, default=100_000,
                        help="sales landed through POST sale for the large sales list (default 100000)")
    parser.add_argument("--image", help="also time the start of this image of the Dockerfile")
    parser.add_argument("--engine", default="docker", help="what runs --image (default docker; podman works too)")
    parser.add_argument("--run-option", action="append", default=[], help="an option for ENGINE run (repeat as needed)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/stat").exists():
        raise SystemExit("benchmarks/peers.py reads /proc: run it on Linux")
    wrk, prism, moto = ensure_wrk(), ensure_prism(args.cache), ensure_moto(args.cache)

    with tempfile.TemporaryDirectory(prefix="cesce-peers-") as folder:
        work = Path(folder)
        report(args, wrk, prism, moto, work)


def report(args, wrk: str, prism: Path, moto: Path, work: Path) -> None:
    seconds = args.seconds
    # The emulator remembers what it works out at start-up in the run's own cache directory.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CESCE_EMULATOR_") and k != "PORT"},
           "XDG_CACHE_HOME": str(work / "cache")}
    emulator = start("cesce-emulator serve", [sys.executable, "-m", "emulator", "serve", "--port", str(port := free_port()),
                     "--state", str(work / "state.sqlite3")], f"http://127.0.0.1:{port}/_emulator/health",
                     work / "serve.log", env=env)
    url = emulator.url
    bearer = token(url, TENANT)
    auth = {"Authorization": f"Bearer {bearer}"}
    seed(url, TENANT, PAGED, 1000, 50)
    seed_sales(url, TENANT, SOLD, 1200)
    page_path = f"/dev/portfolio/v1/contracts/{PAGED}/portfolio?nextEndorsementNo=251"
    rows: dict[str, Row] = {}

    def run(name: str, path: str, **options) -> None:
        rows[name] = drive(wrk, emulator, name, path, seconds, work, **options)
        print(f"  measured {name}", flush=True)

    print(f"cesce-emulator serve is up ({emulator.startup:.2f} s); driving each row for {seconds} s", flush=True)
    run("token", "/dev/oauth2/v1/token", lua=TOKEN_LUA % {"form": TOKEN_FORM.format(TENANT)})
    run("GET classification", CLASSIFY.format(CONTRACT) + "?endorsementNo=101", headers=auth)
    run("POST classification", CLASSIFY.format(WRITTEN),
        lua=POST_LUA % {"tokens": lua_list([bearer]), "run": "S", "path": CLASSIFY.format(WRITTEN)})
    run("portfolio page of 500", page_path, headers=auth)
    run("movements", f"/dev/portfolio-movements/v1/contracts/{PAGED}/movements", headers=auth)
    run("/_emulator/health", "/_emulator/health")
    run("POST sale", SALES.format(CONTRACT), lua=sale_lua(CONTRACT, "100", bearer, "P"))
    run("sales list", SALES.format(SOLD), headers=auth)

    tokens = [token(url, f"{TENANT}-{n:02d}") for n in range(TENANTS)]
    run("GET classification, 16 tenants", "/", lua=GET_LUA % {
        "tokens": lua_list(tokens), "path": CLASSIFY.format(CONTRACT) + "?endorsementNo=101"})
    run("POST classification, 16 tenants", "/", lua=POST_LUA % {
        "tokens": lua_list(tokens), "run": "T", "path": CLASSIFY.format(WRITTEN)})

    # Scale: the same page at 1,000 and at 100,000 debtors, a full sync, the server's memory.
    seeded = seed(url, TENANT, LARGE, args.large, 50)
    large_page = f"/dev/portfolio/v1/contracts/{LARGE}/portfolio?nextEndorsementNo={args.large // 2}"
    run(f"portfolio page of 500, {args.large:,} debtors", large_page, headers=auth)
    run(f"movements, {args.large:,} debtors", f"/dev/portfolio-movements/v1/contracts/{LARGE}/movements", headers=auth)
    pages, synced = full_sync(url, bearer, LARGE)
    seed_sales(url, TENANT, LANDED, 0)
    landing = land_sales(wrk, url, work, bearer, args.sales)
    run(f"sales list, {args.sales:,} sales", SALES.format(LANDED), headers=auth)
    rss, peak = emulator.rss_mib()
    floor = json_floor_us(url, bearer, page_path)
    emulator.stop()

    ceiling = start("ceiling", [sys.executable, str(HERE / "ceiling.py"), str(port := free_port())],
                    f"http://127.0.0.1:{port}/", work / "ceiling.log", env=env)
    rows["bare Flask (ceiling)"] = drive(wrk, ceiling, "bare Flask (ceiling)", "/", seconds, work)
    ceiling.stop()
    print("  measured the ceiling", flush=True)

    document = work / "openapi.yaml"
    served = start("openapi", [sys.executable, "-m", "emulator", "serve", "--port", str(port := free_port())],
                   f"http://127.0.0.1:{port}/_emulator/health", work / "openapi.log", env=env)
    document.write_bytes(urllib.request.urlopen(served.url + "/_emulator/openapi.yaml").read())
    served.stop()
    prism_path = CLASSIFY.format(CONTRACT).removeprefix("/dev") + "?endorsementNo=101"
    peer = start("Prism", [str(prism), "mock", str(document), "-h", "127.0.0.1", "-p", str(port := free_port())],
                 f"http://127.0.0.1:{port}{prism_path}", work / "prism.log", headers=auth)
    rows["Prism, GET classification"] = drive(wrk, peer, "Prism, GET classification", prism_path, seconds, work,
                                              headers=auth)
    peer.stop()
    print("  measured Prism", flush=True)

    peer = start("moto", [str(moto), "-H", "127.0.0.1", "-p", str(port := free_port())],
                 f"http://127.0.0.1:{port}/", work / "moto.log", headers=S3_AUTH)
    rows["moto, S3 ListBuckets"] = drive(wrk, peer, "moto, S3 ListBuckets", "/", seconds, work, headers=S3_AUTH)
    peer.stop()
    print("  measured moto", flush=True)

    started = startups(args, moto, prism, work, env)
    print("  measured the startups\n", flush=True)
    print_report(rows, args, started, seeded, pages, synced, landing, rss, peak, floor)


S3_AUTH = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request,"
                            " SignedHeaders=host, Signature=0"}


def print_report(rows, args, started: Startups, seeded, pages, synced, landing, rss, peak, floor) -> None:
    cpu = open("/proc/cpuinfo").read()
    model = re.search(r"model name\s+:\s+(.*)", cpu)
    print(f"Machine: {model.group(1) if model else platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.system()} {platform.release()}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    print(f"Load: wrk, 2 threads, 16 connections, {args.seconds} s per row; the emulator on a state file"
          " (the container's settings)\n")
    width = max(len(name) for name in rows)
    print(f"| {'load':<{width}} | requests/s | p50 ms | p99 ms | server CPU µs/request | note |")
    print(f"|{'-' * (width + 2)}|-----------:|-------:|-------:|----------------------:|------|")
    for row in rows.values():
        cells = [f"{row.rps:,.0f}" if row.rps else "", f"{row.p50:.1f}" if row.p50 else "",
                 f"{row.p99:.1f}" if row.p99 else "", f"{row.cpu_us:,.0f}" if row.cpu_us else ""]
        print(f"| {row.name:<{width}} | {cells[0]:>10} | {cells[1]:>6} | {cells[2]:>6} | {cells[3]:>21} | {row.note} |")

    print("\n| startup: process start to the first 200 (median of 3) | seconds |")
    print("|---|---:|")
    for name, value in (
        ("cesce-emulator serve (/_emulator/health)", started.serve),
        ("cesce-emulator serve, first start on a machine (nothing remembered yet)", started.serve_first),
        ("the container (run of --image to /_emulator/health)", started.container),
        ("moto_server (ListBuckets)", started.moto),
        ("Prism mock (GET classification)", started.prism),
        ("in-process pytest fixture (ThreadedServer: import, app, first 200)", started.fixture),
        ("in-process pytest fixture, first start on a machine", started.fixture_first),
    ):
        print(f"| {name} | {value:.2f} |" if value is not None else f"| {name} | not measured: give --image |")

    large = f"{args.large:,} debtors"
    page_1k, page_large = rows["portfolio page of 500"], rows[f"portfolio page of 500, {large}"]
    print(f"\nScale: {large} seeded in {seeded:.1f} s; a full portfolio sync read {pages} pages in {synced:.1f} s"
          f" ({synced / pages * 1e3:.0f} ms a page); {landing[0]:,} sales landed through POST sale in {landing[1]:.0f} s"
          f" ({landing[0] / landing[1]:,.0f} a second); server memory after the run {rss:.0f} MiB (peak {peak:.0f} MiB);"
          f" json.dumps of one page of 500: {floor:,.0f} µs\n")

    get, post, moto = rows["GET classification"], rows["POST classification"], rows["moto, S3 ListBuckets"]
    business = ["token", "GET classification", "POST classification", "portfolio page of 500", "movements",
                "POST sale", "sales list"]
    sold, landed_list = rows["sales list"], rows[f"sales list, {args.sales:,} sales"]
    checks = [
        ("GET classification / ceiling (requests/s)", get.rps / rows["bare Flask (ceiling)"].rps, ">=", 0.5),
        ("GET classification / Prism (requests/s)", get.rps / rows["Prism, GET classification"].rps, ">", 1.0),
        ("POST classification / ceiling (requests/s)", post.rps / rows["bare Flask (ceiling)"].rps, ">=", 0.35),
        *[(f"{name} / moto (requests/s)", rows[name].rps / moto.rps, ">=", 4.0) for name in business],
        ("page of 500: server CPU / json.dumps of its records", page_1k.cpu_us / floor, "<=", 2.0),
        (f"page of 500 at {large} / at 1,000 (p50)", page_large.p50 / page_1k.p50, "<", 1.5),
        (f"sales list at {args.sales:,} sales / at 1,200 (p50)", landed_list.p50 / sold.p50, "<", 1.5),
        (f"server memory after the {large} and {args.sales:,} sales run, MiB", rss, "<", 300),
        ("serve startup / moto startup", started.serve / started.moto, "<", 0.5),
        ("in-process fixture startup, s", started.fixture, "<", 0.3),
        ("16 tenants / 1 tenant, GET classification (requests/s)", rows["GET classification, 16 tenants"].rps / get.rps, "", None),
        ("16 tenants / 1 tenant, POST classification (requests/s)", rows["POST classification, 16 tenants"].rps / post.rps, "", None),
    ]
    width = max(len(c[0]) for c in checks)
    print(f"| {'ratio':<{width}} | measured | target | |")
    print(f"|{'-' * (width + 2)}|---------:|-------:|---|")
    for name, value, op, target in checks:
        if target is None:
            print(f"| {name:<{width}} | {value:8.2f} | none | shown beside the single tenant |")
            continue
        met = {">=": value >= target, ">": value > target, "<=": value <= target, "<": value < target}[op]
        verdict = "met" if met else f"missed ({value / target:.2f} of the target)" if op.startswith(">") else \
            f"missed ({value / target:.2f} times the target)"
        print(f"| {name:<{width}} | {value:8.2f} | {op} {target:g} | {verdict} |")


if __name__ == "__main__":
    main()
