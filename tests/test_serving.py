"""The server under slow and stalled clients, long injected latencies and long writes: no client
holds up another, and a connection that stalls is closed after the stall timeout. Against
`cesce-emulator serve` as users run it, and against the in-process server of the pytest plugin."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable

import pytest

from emulator import Settings
from emulator.control import Control, EmulatorError, call
from emulator.server import ThreadedServer

GET = "classifications/v1/contracts/10100000001/classifications"

#: A request line and headers, never finished.
PARTIAL_HEAD = b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n"
#: Whole headers announcing a body of 40 bytes, and one byte of it.
PARTIAL_BODY = (b"POST /_emulator/faults?client_id=stalled HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{")


def stall(url: str, count: int) -> list[socket.socket]:
    """``count`` connections, half stopped in their headers and half in their body."""
    host, port = url.rsplit("/", 1)[1].rsplit(":", 1)
    stalled = []
    for n in range(count):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(PARTIAL_HEAD if n % 2 else PARTIAL_BODY)
        stalled.append(sock)
    return stalled


def timed(action: Callable[[], int]) -> tuple[int, float]:
    start = time.monotonic()
    status = action()
    return status, time.monotonic() - start


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server ends the connection (whatever it answers first) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


def reads_are_prompt(url: str, tenant: Control, token: str) -> None:
    status, elapsed = timed(lambda: call("GET", url + "/_emulator/health", timeout=5).status)
    assert status == 200 and elapsed < 1
    status, elapsed = timed(lambda: tenant.request("GET", GET, token, query={"endorsementNo": "101"}).status)
    assert status == 200 and elapsed < 1


def test_fifty_stalled_connections_delay_neither_health_nor_a_read(serve_emulator):
    served = serve_emulator()
    tenant = Control(served.url, "reader")
    token = tenant.token()["access_token"]
    stalled = stall(served.url, 60)
    try:
        time.sleep(0.2)  # the server has seen them all
        reads_are_prompt(served.url, tenant, token)
    finally:
        for sock in stalled:
            sock.close()


def test_a_stalled_connection_is_closed_after_the_stall_timeout(serve_emulator):
    served = serve_emulator("--stall-timeout", "1")
    stalled = stall(served.url, 4)
    try:
        assert not closed_within(stalled[0], 0.5)
        assert all(closed_within(sock, 2) for sock in stalled)
    finally:
        for sock in stalled:
            sock.close()
    assert served.stop() == 0


def test_one_tenants_latency_faults_hold_neither_another_tenant_nor_health(serve_emulator):
    served = serve_emulator()
    slow, other = Control(served.url, "slow-tenant"), Control(served.url, "other-tenant")
    slow_token, other_token = slow.token()["access_token"], other.token()["access_token"]
    slow.fault(latencyMs=3000, times=8)
    delayed: list[float] = []

    def slow_read() -> None:
        status, elapsed = timed(lambda: slow.request("GET", GET, slow_token, query={"endorsementNo": "101"}).status)
        delayed.append(elapsed if status == 200 else 0)

    threads = [threading.Thread(target=slow_read) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # all eight are waiting out their latency
    reads_are_prompt(served.url, other, other_token)
    for thread in threads:
        thread.join()
    assert len(delayed) == 8 and min(delayed) >= 3


def test_seeding_100000_debtors_holds_up_neither_another_tenants_requests_nor_health(serve_emulator):
    served = serve_emulator()
    seeder, other = Control(served.url, "seeder"), Control(served.url, "other-tenant")
    seeder_token, other_token = seeder.token()["access_token"], other.token()["access_token"]
    assert other.request("GET", GET, other_token, query={"endorsementNo": "101"}).status == 200
    scenario = {"contracts": [{"contractNo": "30000000009", "generate": [
        {"count": 100_000, "countryCode": "ES", "status": "in-force", "requested": "15000,00", "taxCode": "B7{index:07d}"}]}]}
    seeding = threading.Thread(target=_quietly(lambda: seeder.seed(scenario)), daemon=True)
    seeding.start()
    portfolio = "portfolio/v1/contracts/30000000009/portfolio"
    deadline = time.monotonic() + 30
    while (told := seeder.request("GET", portfolio, seeder_token)).status != 503 and time.monotonic() < deadline:
        time.sleep(0.05)  # until the seeding has claimed its contract and is writing it
    assert told.status == 503 and told.headers["Retry-After"] == "1"
    assert "being seeded" in told.body["moreInformation"]

    probes: list[tuple[str, int, float]] = []
    written = iter(range(100))
    until = time.monotonic() + 3
    while time.monotonic() < until and seeding.is_alive():
        probes.append(("health", *timed(lambda: call("GET", served.url + "/_emulator/health", timeout=30).status)))
        probes.append(("read", *timed(lambda: other.request("GET", GET, other_token, query={"endorsementNo": "101"}).status)))
        probes.append(("write", *timed(lambda: other.request("POST", GET, other_token, {"debtor": {
            "countryCode": "ES", "taxCode": f"F{next(written):08d}", "creditLimitRequested": "1000,00"}}).status)))
    still_seeding = seeding.is_alive()
    served.stop(signal.SIGKILL)  # the rest of the seeding is not this test's business
    assert still_seeding and len(probes) >= 6
    assert all(status in (200, 201) and elapsed < 1 for _, status, elapsed in probes), probes


def _quietly(action: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            action()
        except (OSError, EmulatorError):
            pass  # the server was stopped under it

    return run


def test_the_in_process_server_neither_stalls_nor_keeps_stalled_connections():
    with ThreadedServer(Settings(stall_timeout=1)) as server:
        tenant = Control(server.url, "in-process")
        token = tenant.token()["access_token"]
        stalled = stall(server.url, 60)
        try:
            time.sleep(0.2)
            reads_are_prompt(server.url, tenant, token)
            assert all(closed_within(sock, 3) for sock in stalled)
        finally:
            for sock in stalled:
                sock.close()


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_serve_with_status_0_even_with_stalled_clients(serve_emulator, signal_name):
    served = serve_emulator("--stall-timeout", "2")
    stalled = stall(served.url, 4)
    try:
        assert served.stop(getattr(signal, signal_name)) == 0
    finally:
        for sock in stalled:
            sock.close()
