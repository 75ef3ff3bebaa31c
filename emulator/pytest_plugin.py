"""pytest fixtures and markers for testing a Cesce client against the emulator (entry point ``cesce``).

``cesce`` gives each test a tenant of its own: a client id no other test (or xdist worker)
shares, with its own world, clock, journal and faults, forgotten when the test ends. The
emulator behind it is started in-process once per session (per xdist worker), or is the one at
``--cesce-url`` / ``CESCE_EMULATOR_URL``, such as a CI service container.

pytest loads an installed plugin in every run of the environment, so this module imports only
the standard library and pytest; Flask and the emulator are imported when a fixture is used.
Turn the plugin off with ``-p no:cesce``.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.control import Answer, Control
    from emulator.server import ThreadedServer
    from emulator.settings import Settings

URL_VARIABLE = "CESCE_EMULATOR_URL"
MARKERS = (
    "cesce_scenario(*names): seed these fixtures/ scenarios (names or scenario documents) for the "
    "test's tenant before the test runs; requests the cesce fixture.",
    "cesce_clock(instant, freeze=True): set the test's tenant clock to an ISO 8601 instant "
    "(frozen unless freeze=False) before any scenario is seeded; requests the cesce fixture.",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cesce", "Cesce API Market emulator")
    group.addoption("--cesce-url", metavar="URL", default=None,
                    help=f"Run the cesce fixtures against the emulator at URL (its root, where "
                         f"/_emulator/health answers) instead of one in-process.  [env {URL_VARIABLE}]")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marked = item.get_closest_marker("cesce_scenario") or item.get_closest_marker("cesce_clock")
        if marked and isinstance(item, pytest.Function) and "cesce" not in item.fixturenames:
            item.fixturenames.insert(0, "cesce")


@dataclass(frozen=True)
class CesceEmulator:
    """The emulator the session's tests use: ``url`` is its root (``http://127.0.0.1:PORT``);
    ``server`` is the in-process ThreadedServer, or None for an emulator given by URL;
    ``admin_token`` its operator token (None: CESCE_EMULATOR_ADMIN_TOKEN, if set)."""

    url: str
    server: ThreadedServer | None = None
    admin_token: str | None = None

    def tenant(self, client_id: str, catalog: str = "dev") -> CesceTenant:
        """Another tenant (or catalog, e.g. "sandbox") of this emulator; you reset it."""
        return CesceTenant(self.url, client_id, catalog, self.admin_token)


class CesceTenant:
    """One tenant of the emulator, as the ``cesce`` fixture gives it: what a Cesce client is
    configured with (``base_url``, ``token_url``, ``client_id``, ``client_secret``,
    ``username``, ``password``), and the operator surface for that tenant alone. ``control``
    is the underlying :class:`emulator.control.Control`."""

    client_secret = "secret"  # the emulator accepts any non-empty secret, username and password
    username = "user"
    password = "password"

    def __init__(self, url: str, client_id: str, catalog: str = "dev", admin_token: str | None = None) -> None:
        from emulator.control import Control

        self.control: Control = Control(url, client_id, catalog, admin_token)

    def __repr__(self) -> str:
        return f"<CesceTenant {self.client_id!r} at {self.base_url}>"

    @property
    def url(self) -> str:
        """The emulator's root URL."""
        return self.control.url

    @property
    def client_id(self) -> str:
        return self.control.client_id

    @property
    def catalog(self) -> str:
        return self.control.catalog

    @property
    def base_url(self) -> str:
        """The catalog base a client is configured with, e.g. ``http://127.0.0.1:PORT/dev``."""
        return self.control.base_url

    @property
    def token_url(self) -> str:
        return self.control.token_url

    def token(self, scope: str | None = None) -> dict:
        """A password-grant token response: ``token()["access_token"]`` is a bearer token."""
        return self.control.token(scope, self.client_secret)

    def request(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None,
                token: str | None = None) -> Answer:
        """A business call below ``base_url`` ("portfolio/v1/contracts/10100000001/portfolio"),
        with a fresh token unless one is given; any status comes back as an Answer."""
        return self.control.request(method, path, token=token, body=body, query=query)

    # -- the tenant's clock --------------------------------------------------------------------

    def now(self) -> datetime:
        """The tenant's current instant (UTC), as the emulator's rules see it."""
        return _instant(self.control.clock())

    def advance(self, duration: str | timedelta) -> datetime:
        """Move the clock forward ("PT49H", "P7D" or a timedelta); what falls due on the way
        happens at its own moment. Returns the new now."""
        if isinstance(duration, timedelta):
            sign = "-" if duration < timedelta(0) else ""
            duration = f"{sign}PT{abs(duration).total_seconds()}S"
        return _instant(self.control.advance(duration))

    def set_clock(self, instant: str | datetime, freeze: bool | None = None) -> datetime:
        """Move the clock to an instant ("2026-01-15T09:00:00Z" or an aware datetime), frozen
        or ticking as ``freeze`` says (unchanged when None). Returns the new now. An instant
        before now is refused once the tenant has tokens, records or a journal: set the clock
        first, or ``reset()``."""
        if isinstance(instant, datetime):
            instant = instant.isoformat()
        return _instant(self.control.set_clock(instant, freeze))

    def freeze(self, frozen: bool = True) -> datetime:
        """Stop the clock (or, with False, let it tick again). Returns now."""
        return _instant(self.control.freeze(frozen))

    # -- the tenant's world --------------------------------------------------------------------

    def seed(self, scenario: str | dict) -> dict:
        """Seed a scenario: a name in fixtures/ ("guide-pending-example") or a scenario document."""
        return self.control.seed(scenario)

    def events(self, *events: dict) -> list[dict]:
        """What Cesce does on its side, in order: ``{"type": "resolve" | "reduce" | "cancel",
        "contractNo": ..., "endorsementNo": ..., "decision": ..., "amount": "1000,00"}``."""
        return self.control.events(*events)

    def fault(self, **fault: Any) -> list[dict]:
        """Inject a fault: ``fault(status=503, times=2, operation="getPortfolio")``,
        ``latencyMs=...``, Cesce's error envelope (``status=200, errorCode="9000"``), a clock
        jump (``advanceClock="PT61M"``) or Cesce-side ``events=[...]``. Returns the tenant's
        faults."""
        return self.control.fault(**fault)

    def settings(self, **settings: Any) -> dict:
        """Give the tenant its own settings: ``settings(pageSize=137)`` (None: the emulator's),
        ``emptyPageAfterFull=True``. Returns them."""
        return self.control.settings(**settings)

    def clear_faults(self) -> None:
        self.control.clear_faults()

    def journal(self, after: int = 0) -> list[dict]:
        """Every request the tenant made (token and business calls), oldest first, each with
        its status, response and conformance ``findings``."""
        return self.control.journal(after)

    def state(self, contract_no: str | None = None) -> dict:
        """The tenant's whole world (clock, every contract with all its records, due work,
        tokens, faults, journal) as a snapshot ``restore`` takes back; with ``contract_no``,
        the view of that contract alone."""
        return self.control.state(contract_no)

    def restore(self, snapshot: str | os.PathLike | dict) -> dict:
        """Replace the tenant's world with a saved one: a file written by ``cesce-emulator
        export`` or GET /_emulator/state (JSON or YAML), or its document. It comes back under
        this tenant's client id, clock included; the saved world's tokens stay its own client's.
        Returns what was restored (``contracts``, ``now``, ``frozen``...)."""
        if not isinstance(snapshot, dict):
            from emulator.admin.snapshots import load

            snapshot = load(Path(snapshot).read_text("utf-8"))
        return self.control.restore(snapshot)

    def reset(self) -> None:
        """Forget the tenant: world, clock, tokens, journal, faults and settings."""
        self.control.reset()


def _instant(clock: dict) -> datetime:
    return datetime.fromisoformat(clock["now"])


@pytest.fixture(scope="session")
def cesce_emulator_settings() -> Settings:
    """The Settings of the in-process emulator: CESCE_EMULATOR_* variables over the defaults
    (host and port aside: it listens on a free port of 127.0.0.1). Override this fixture in a
    conftest.py to change them, e.g. ``return Settings(strict=True)``. Unused with --cesce-url."""
    from emulator.settings import Settings

    return Settings.from_env()


@pytest.fixture(scope="session")
def cesce_emulator(request: pytest.FixtureRequest) -> Iterator[CesceEmulator]:
    """The session's emulator (``.url``): the one at --cesce-url or CESCE_EMULATOR_URL when
    given, checked to answer; otherwise one started in-process for the session (one per
    xdist worker) and stopped at its end."""
    url = request.config.getoption("cesce_url") or os.environ.get(URL_VARIABLE)
    if url:
        yield CesceEmulator(_answering(url.rstrip("/")))
        return
    from emulator.server import ThreadedServer

    # Asked for only here, so that a run against a URL never reads CESCE_EMULATOR_* settings.
    settings = request.getfixturevalue("cesce_emulator_settings")
    with ThreadedServer(settings) as server:
        yield CesceEmulator(server.url, server, settings.admin_token)


@pytest.fixture
def cesce(request: pytest.FixtureRequest, cesce_emulator: CesceEmulator) -> Iterator[CesceTenant]:
    """A tenant of the emulator for this test alone, reset when the test ends. Its client id
    names the xdist worker and the test, so parallel tests never share a world. The
    ``cesce_clock`` and ``cesce_scenario`` markers are applied first, in that order."""
    tenant = cesce_emulator.tenant(_client_id(request.node))
    try:
        _apply_markers(tenant, request.node)
        yield tenant
    finally:
        tenant.reset()


def _client_id(node: pytest.Item) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = re.sub(r"[^A-Za-z0-9_.]+", "-", node.name).strip("-")[:80]
    return f"pytest-{worker}-{name}-{uuid.uuid4().hex[:8]}"


def _apply_markers(tenant: CesceTenant, node: pytest.Item) -> None:
    clock = node.get_closest_marker("cesce_clock")
    if clock:
        _apply(clock, tenant.set_clock, *clock.args, freeze=clock.kwargs.get("freeze", True))
    scenario = node.get_closest_marker("cesce_scenario")
    for name in scenario.args if scenario else ():
        _apply(scenario, tenant.seed, name)


def _apply(marker: pytest.Mark, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Carry out a marker; one the emulator refuses is the test's setup error, naming the marker."""
    from emulator.control import EmulatorError

    try:
        action(*args, **kwargs)
        return
    except (EmulatorError, TypeError) as error:
        problem = error
    shown = ", ".join(map(repr, marker.args))
    pytest.fail(f"@pytest.mark.{marker.name}({shown}): {problem}", pytrace=False)


def _answering(url: str) -> str:
    from emulator.control import call

    try:
        status = call("GET", f"{url}/_emulator/health", timeout=10).status
        problem = f"HTTP {status}"
    except OSError as error:
        status, problem = None, str(error)
    if status != 200:
        pytest.fail(f"no Cesce emulator answers at {url}/_emulator/health ({problem}); "
                    f"check --cesce-url or {URL_VARIABLE}", pytrace=False)
    return url
