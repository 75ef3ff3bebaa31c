"""The emulator a verification runs against: one started in this process for the run, or one
already running at a URL (a container, a shared CI service)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from contract_tests.conformance.errors import KitUsageError


@contextmanager
def emulator(url: str | None = None) -> Iterator[str]:
    """The base URL of an emulator for the duration of the block: ``url`` once it answers its
    health check, else a fresh in-process emulator (in memory, lenient: non-canonical requests
    are answered and recorded as journal findings). Each scenario gives its tenant its own page
    size, so the emulator's --page-size does not matter."""
    if url:
        yield check(url)
        return
    from emulator.server import ThreadedServer

    with ThreadedServer() as server:
        yield server.url


def check(url: str) -> str:
    """``url`` without a trailing slash, once /_emulator/health says it is ready."""
    from emulator.control import call

    url = url.rstrip("/")
    try:
        answer = call("GET", f"{url}/_emulator/health", timeout=10)
    except OSError as error:
        raise KitUsageError(f"no emulator answers at {url}: {error}") from None
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise KitUsageError(f"{url}/_emulator/health answered {answer.status}: is this a cesce-sandbox emulator?")
    return url
