"""The emulator a verification runs against: one started in this process for the run, or one
already running at a URL (a container, a shared CI service)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from contract_tests.conformance.errors import KitUsageError
from contract_tests.conformance.scenarios import PAGE_SIZE



@contextmanager
def emulator(url: str | None = None) -> Iterator[str]:
    """The base URL of an emulator for the duration of the block: ``url`` once it answers its
    health check with Cesce's page size, else a fresh in-process emulator (in memory, lenient:
    non-canonical requests are answered and recorded as journal findings)."""
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
    # Scenarios count records around the declared page size; an emulator paging otherwise
    # cannot run them.
    size = answer.body.get("pageSize")
    if size is not None and size != PAGE_SIZE:
        raise KitUsageError(f"the emulator at {url} pages by {size} records; verify-client needs Cesce's {PAGE_SIZE} "
                            "(start it without CESCE_EMULATOR_PAGE_SIZE)")
    return url
