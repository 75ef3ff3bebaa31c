"""Your Cesce client's pytest suite against cesce-sandbox in a container that Testcontainers
starts for the session and removes at its end.

Copy this file into your client's tests/ (next to, or merged into, your conftest.py), and add
``testcontainers`` and ``cesce-sandbox`` to your test requirements. Nothing is pulled from a
registry for the emulator: build its image once from a checkout of cesce-sandbox,

    docker build -t cesce-sandbox:local .

or name another image in CESCE_SANDBOX_IMAGE. Docker, or podman with its Docker-compatible
socket (DOCKER_HOST=unix:///run/user/$UID/podman/podman.sock), runs it; where Testcontainers'
reaper image cannot be pulled, set TESTCONTAINERS_RYUK_DISABLED=true.

Your tests then use cesce-sandbox's fixtures as usual (``cesce`` gives each test a tenant of its
own), served by the container: ``cesce_emulator`` below replaces the in-process emulator.
``cesce_sandbox_url`` is the emulator's root URL, for tests that configure a client by hand.
"""

from __future__ import annotations

import os
import time
import urllib.request

import pytest
from testcontainers.core.container import DockerContainer

from emulator.pytest_plugin import CesceEmulator

IMAGE = os.environ.get("CESCE_SANDBOX_IMAGE", "cesce-sandbox:local")
PORT = 8080  # the image's port (its PORT variable)
HEALTH = "/_emulator/health"


@pytest.fixture(scope="session")
def cesce_sandbox_url():
    """The root URL of a cesce-sandbox container started for the session, once it is healthy."""
    with DockerContainer(IMAGE).with_exposed_ports(PORT) as container:
        url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(PORT)}"
        _wait_until_healthy(url + HEALTH, container)
        yield url


@pytest.fixture(scope="session")
def cesce_emulator(cesce_sandbox_url):
    """cesce-sandbox's session fixture, pointed at the container instead of an in-process
    emulator: ``cesce`` and the cesce_clock and cesce_scenario markers use it."""
    return CesceEmulator(cesce_sandbox_url)


def _wait_until_healthy(health_url: str, container: DockerContainer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(health_url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            stdout, stderr = container.get_logs()
            raise RuntimeError(f"cesce-sandbox ({IMAGE}) did not answer {health_url} within {timeout:.0f} s:\n"
                               f"{(stdout + stderr).decode(errors='replace')[-2000:]}")
        time.sleep(0.5)
