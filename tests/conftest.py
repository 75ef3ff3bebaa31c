"""Fixtures of this project's own tests: a fresh in-memory emulator per test, driven through
Flask's test client the way a Cesce client drives the real API.

``--store postgresql`` (or a ``postgresql://`` URL; variable CESCE_TEST_STORE) runs the same
tests on PostgreSQL: every store the tests open in memory is then a schema of its own in that
database (in a throw-away cluster started for the session when no URL is given), dropped when
the store closes.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from emulator import Settings, create_app
from emulator.control import call
from emulator.store import Store

_spec = importlib.util.spec_from_file_location("pg_cluster", Path(__file__).with_name("pg_cluster.py"))
pg_cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pg_cluster)

_tenants = itertools.count(1)

# Property tests judge behaviour, never time: one example taking long on a loaded machine is no
# failure (speed is measured in benchmarks/).
hypothesis_settings.register_profile("cesce-sandbox", deadline=None)
hypothesis_settings.load_profile("cesce-sandbox")


class Api:
    """One tenant's view of the emulator: tokens, business calls, the operator surface."""

    def __init__(self, client, tenant: str, catalog: str = "dev") -> None:
        self.client, self.tenant, self.catalog = client, tenant, catalog
        self._token: str | None = None

    def token(self, **form: str) -> Any:
        data = {"grant_type": "password", "client_id": self.tenant, "client_secret": "secret",
                "username": "user", "password": "password", **form}
        return self.client.post(f"/{self.catalog}/oauth2/v1/token", data=data)

    @property
    def bearer(self) -> str:
        if self._token is None:
            answer = self.token()
            assert answer.status_code == 200, answer.json
            self._token = answer.json["access_token"]
        return self._token

    def get(self, path: str, token: str | None = None, **query: str) -> Any:
        return self.client.get(f"/{self.catalog}/{path}", query_string=query,
                               headers={"Authorization": f"Bearer {token or self.bearer}"})

    def post(self, path: str, body: Any, token: str | None = None) -> Any:
        return self.client.post(f"/{self.catalog}/{path}", json=body,
                                headers={"Authorization": f"Bearer {token or self.bearer}"})

    def operator(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        bodyless_write = body is None and method != "GET"  # still JSON: the surface takes no other writes
        answer = self.client.open(f"/_emulator/{path}", method=method, json=body,
                                  headers={"Content-Type": "application/json"} if bodyless_write else {},
                                  query_string={"client_id": self.tenant, **query})
        assert answer.status_code == 200, answer.json
        return answer.json

    def advance(self, duration: str) -> Any:
        """Move the tenant's clock; the cached token is dropped, since it may now be expired."""
        self._token = None
        return self.operator("POST", "clock", {"advance": duration})

    def seed(self, scenario: str | dict) -> Any:
        if isinstance(scenario, str):
            return self.operator("POST", f"scenarios/{scenario}")
        return self.operator("POST", "scenarios", scenario)

    # -- the risk routes, by contract --------------------------------------------------------

    def classification(self, contract: str, **query: str) -> Any:
        return self.get(f"classifications/v1/contracts/{contract}/classifications", **query)

    def classify(self, contract: str, debtor: dict, **client: str) -> Any:
        body = {"client": client, "debtor": debtor} if client else {"debtor": debtor}
        return self.post(f"classifications/v1/contracts/{contract}/classifications", body)

    def portfolio(self, contract: str, **query: str) -> Any:
        return self.get(f"portfolio/v1/contracts/{contract}/portfolio", **query)

    def movements(self, contract: str, **query: str) -> Any:
        return self.get(f"portfolio-movements/v1/contracts/{contract}/movements", **query)

    def pages(self, kind: str, contract: str) -> list[list[dict]]:
        """Every page of portfolio or movements, following nextEndorsementNo until "0"."""
        pages, start = [], None
        while True:
            answer = getattr(self, kind)(contract, **({"nextEndorsementNo": start} if start else {}))
            assert answer.status_code == 200, answer.json
            pages.append(answer.json["debtor"] or [])
            start = answer.json["client"]["nextEndorsementNo"]
            if start == "0":
                return pages


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--store", default=os.environ.get("CESCE_TEST_STORE", "sqlite"),
                     help="where the tests keep state: sqlite (default), postgresql (a throw-away cluster) or a"
                          " postgresql:// URL [env CESCE_TEST_STORE]")


@pytest.fixture(scope="session")
def postgresql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The PostgreSQL database the session runs on (``--store``); skips a test that needs one
    in a session on SQLite."""
    store = request.config.getoption("--store")
    if store == "sqlite":
        pytest.skip("runs on PostgreSQL: --store postgresql")
    if store != "postgresql":
        yield store
        return
    cluster = pg_cluster.Cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def postgresql_schema(postgresql_url: str) -> Iterator[str]:
    """The URL of a fresh, empty schema of the session's PostgreSQL database, dropped after
    the test."""
    schema, url = pg_cluster.new_schema(postgresql_url)
    yield url
    pg_cluster.drop_schema(postgresql_url, schema)


@pytest.fixture(scope="session", autouse=True)
def _store_in_session(request: pytest.FixtureRequest) -> Iterator[None]:
    """On PostgreSQL, each store opened in memory is a schema of its own instead."""
    if request.config.getoption("--store") == "sqlite":
        yield
        return
    url = request.getfixturevalue("postgresql_url")
    opened, closed = Store.__init__, Store.close

    def open_store(store: Store, path: str = ":memory:", *args: Any, **kwargs: Any) -> None:
        store._test_schema = None
        if path == ":memory:":
            store._test_schema, path = pg_cluster.new_schema(url)
        opened(store, path, *args, **kwargs)

    def close_store(store: Store) -> None:
        closed(store)
        # A store opened before this session began (a test module's own, at collection) is SQLite's.
        if getattr(store, "_test_schema", None) is not None:
            pg_cluster.drop_schema(url, store._test_schema)
            store._test_schema = None

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "__init__", open_store)
        patch.setattr(Store, "close", close_store)
        yield


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    app = create_app(settings)
    yield app
    app.extensions["cesce"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client) -> Api:
    return Api(client, f"tenant-{next(_tenants)}")


@pytest.fixture(scope="session")
def tenant_api() -> type[Api]:
    """``tenant_api(client, tenant)``: the Api of a tenant named by the test, on the test
    client of any emulator it made."""
    return Api


@pytest.fixture
def sandbox(client) -> Api:
    return Api(client, f"tenant-{next(_tenants)}", catalog="sandbox")


# -- `cesce-emulator serve` in a subprocess ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`cesce-emulator serve ARGS` on a free port, as a user or a CI service container runs it,
    waited for until /_emulator/health answers. Its environment is this process's without any
    CESCE_EMULATOR_* or PORT setting (the arguments and ``env`` configure it), and its output
    goes to ``log``."""

    def __init__(self, workdir: Path, *args: str, command: list[str] | None = None,
                 env: dict[str, str] | None = None, https: bool = False) -> None:
        self.port = free_port()
        self.url = f"https://localhost:{self.port}" if https else f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"serve-{self.port}.log"
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CESCE_EMULATOR_") and k != "PORT"}
        self._output = self.log.open("w")
        self.process = subprocess.Popen(
            [*(command or [sys.executable, "-m", "emulator", "serve"]), "--port", str(self.port), *args],
            stdout=self._output, stderr=subprocess.STDOUT, cwd=workdir, env={**inherited, **(env or {})},
        )
        deadline = time.monotonic() + 30
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"cesce-emulator serve did not answer at {self.url}:\n{self.log.read_text()}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        if self.url.startswith("https:"):  # up is all this asks; the tests judge the certificate
            try:
                with urllib.request.urlopen(f"{self.url}/_emulator/health", timeout=2,
                                            context=ssl._create_unverified_context()) as answer:
                    return answer.status == 200
            except OSError:
                return False
        try:
            return call("GET", f"{self.url}/_emulator/health", timeout=2).status == 200
        except OSError:
            return False

    def access_log(self) -> str:
        """The server's log, up to a request made now: the server writes an access line just
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

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop it with ``sig`` and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            self._output.close()


@pytest.fixture(scope="session")
def serve_emulator(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Served]]:
    """``serve_emulator(*args, command=None, env=None, workdir=None)``: a Served emulator,
    stopped at the end of the session if the test did not stop it. With ``--store
    postgresql``, a test that serves its own SQLite state is skipped: the SQLite run has it."""
    started: list[Served] = []
    on_postgresql = request.config.getoption("--store") != "sqlite"

    def serve(*args: str, workdir: Path | None = None, **options: Any) -> Served:
        if on_postgresql and not any(arg.startswith(("postgresql://", "postgres://")) for arg in args):
            pytest.skip("serves an SQLite state of its own: run with the SQLite store")
        started.append(Served(workdir or tmp_path_factory.mktemp("served"), *args, **options))
        return started[-1]

    yield serve
    for served in started:
        served.stop()


@pytest.fixture
def unused_url() -> str:
    """A local URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


# -- fuzzing every operation an app serves ----------------------------------------------------


def _blank_fields(schema: dict | None, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """The body fields Cesce answers blank with a documented status (x-cesce-blank-status)."""
    found = {}
    for part in [schema or {}, *(schema or {}).get("allOf", [])]:
        for name, prop in part.get("properties", {}).items():
            if "x-cesce-blank-status" in prop:
                found[(*path, name)] = prop["x-cesce-blank-status"]
            found.update(_blank_fields(prop, (*path, name)))
    return found


def _field_names(schema: dict | None) -> set[str]:
    names = set()
    for part in [schema or {}, *(schema or {}).get("allOf", [])]:
        for name, prop in part.get("properties", {}).items():
            names |= {name, *_field_names(prop)}
    return names


def fuzz(app, examples: int = 100) -> None:
    """Send every operation ``app`` serves (derived from its document, so a new route is fuzzed
    with no one remembering to add it) malformed path parameters, query strings and JSON bodies
    built from its own field names, in the dev and sandbox catalogs, with a valid token; the
    only 5xx allowed is a documented blank field's."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as run
    from hypothesis import strategies as st

    operations = list(app.extensions["cesce"].api.operations.values())
    client = app.test_client()
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": "fuzz", "client_secret": "s",
                                                      "username": "u", "password": "p"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                          max_leaves=12)
    words = st.sampled_from(["Y", "N", " ", "", "0", "100", "1,00", "-1,00", "ES", "20260115", "0,00"])
    segments = st.sampled_from(["10100000001", "10200000002", "77", "0", "1", "300001"]) | st.text(min_size=1, max_size=14)

    def request(operation, data):
        path = operation.path
        for name in operation.params["properties"]:
            path = path.replace("{" + name + "}", urllib.parse.quote(data.draw(segments, name), safe=""))
        names = sorted(_field_names(operation.body) | set(operation.query["properties"])) or ["x"]
        keys = st.sampled_from(names) | st.text(max_size=8)
        query = data.draw(st.dictionaries(keys, st.text(max_size=25) | words, max_size=4), "query")
        body = data.draw(values | st.recursive(st.dictionaries(keys, scalars | words, max_size=6),
                                               lambda inner: st.dictionaries(keys, inner, max_size=3), max_leaves=10), "body")
        catalog = data.draw(st.sampled_from(["dev", "sandbox"]), "catalog")
        raw = data.draw(st.sampled_from(["json", "bytes"]), "encoding")
        payload = json.dumps(body) if raw == "json" else data.draw(st.binary(max_size=64), "bytes")
        return catalog, path, query, body if raw == "json" else None, payload

    @run(max_examples=examples, suppress_health_check=list(HealthCheck), deadline=None)
    @given(data=st.data())
    def each(data):
        operation = data.draw(st.sampled_from(operations), "operation")
        catalog, path, query, body, payload = request(operation, data)
        answer = client.open(f"/{catalog}{path}", method=operation.method, query_string=query, data=payload,
                             content_type="application/json", headers=headers)
        if answer.status_code >= 500:
            blank = [field for field, status in _blank_fields(operation.body).items() if status == answer.status_code
                     and isinstance(_at(body, field), str) and not _at(body, field).strip()]
            assert blank, (operation.operation_id, path, query, payload, answer.get_data(as_text=True))

    each()


def _at(body: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


@pytest.fixture
def fuzzer() -> Callable[..., None]:
    """``fuzzer(app, examples=100)``: fuzz every operation the app serves (see ``fuzz``)."""
    return fuzz
