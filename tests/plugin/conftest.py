"""Fixtures of the plugin's tests: a pytester project configured as strictly as a careful user
configures theirs, and an emulator served by `cesce-emulator serve` in a subprocess."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.control import call

STRICT_INI = """\
[pytest]
addopts = --strict-markers --strict-config
filterwarnings = error
xfail_strict = true
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unused_url() -> str:
    """A local URL where nothing listens."""
    return f"http://127.0.0.1:{_free_port()}"


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """An empty user project; the cesce plugin comes from its installed entry point."""
    # The inner runs inherit the environment: an emulator URL or xdist worker id of this run
    # must not steer them.
    monkeypatch.delenv("CESCE_EMULATOR_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makeini(STRICT_INI)
    return pytester


@dataclass
class Served:
    url: str
    log: Path

    def access_log(self) -> str:
        """The server's log, up to a request made now: gunicorn writes an access line just
        after answering, so a client that got its answer may be ahead of the log."""
        mark = f"/_emulator/health?mark={uuid.uuid4().hex}"
        assert call("GET", self.url + mark).status == 200
        deadline = time.monotonic() + 10
        while mark not in (text := self.log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return text

    @staticmethod
    def reset_tenants(log: str) -> list[str]:
        """The tenants reset with success, in the order of the access log."""
        return re.findall(r'"POST /_emulator/reset\?client_id=(\S+) HTTP/1\.1" 200 ', log)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`cesce-emulator serve` on a free port, as a CI service container would run it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("served") / "serve.log"
    command = [sys.executable, "-m", "emulator", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_health(url, process, log)
        yield Served(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_health(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"cesce-emulator serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if call("GET", f"{url}/_emulator/health", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"cesce-emulator serve did not answer at {url} within 30 s:\n{log.read_text()}")
