"""Fixtures of this project's own tests: a fresh in-memory emulator per test, driven through
Flask's test client the way a Cesce client drives the real API."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from emulator import Settings, create_app

_tenants = itertools.count(1)


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
        answer = self.client.open(f"/_emulator/{path}", method=method, json=body,
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


@pytest.fixture
def sandbox(client) -> Api:
    return Api(client, f"tenant-{next(_tenants)}", catalog="sandbox")
