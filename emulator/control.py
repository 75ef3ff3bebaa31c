"""A small client for a running emulator, standard library only: tokens, business calls and
the operator surface, for one tenant. The pytest plugin and the contract kit drive the emulator
through it, whether it runs in-process or in a container."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any


class EmulatorError(RuntimeError):
    """The emulator answered an operator request with an error."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         form: dict[str, str] | None = None, timeout: float = 60) -> Answer:
    """One HTTP exchange; any status comes back as an Answer (never raises on 4xx/5xx)."""
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, raw, head = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, head = error.code, error.read(), dict(error.headers)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return Answer(status, parsed, head)


ADMIN_TOKEN_VARIABLE = "CESCE_EMULATOR_ADMIN_TOKEN"


class Control:
    """One tenant (client id) of an emulator at ``url``. ``admin_token`` is the emulator's
    ``--admin-token``, sent on every operator call; CESCE_EMULATOR_ADMIN_TOKEN when not given."""

    def __init__(self, url: str, client_id: str, catalog: str = "dev", admin_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.client_id = client_id
        self.catalog = catalog
        self.admin_token = admin_token if admin_token is not None else os.environ.get(ADMIN_TOKEN_VARIABLE) or None

    # -- the API, as a client sees it --------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The catalog base a Cesce client is configured with, e.g. http://host:port/dev."""
        return f"{self.url}/{self.catalog}"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth2/v1/token"

    def token(self, scope: str | None = None, client_secret: str = "secret") -> dict:
        form = {"grant_type": "password", "client_id": self.client_id, "client_secret": client_secret,
                "username": "user", "password": "password"}
        if scope is not None:
            form["scope"] = scope
        answer = call("POST", self.token_url, form=form)
        if answer.status != 200:
            raise EmulatorError(answer.status, answer.body)
        return answer.body

    def request(self, method: str, path: str, token: str | None = None, body: Any = None,
                query: dict[str, str] | None = None) -> Answer:
        """A business call: ``path`` below the catalog base, e.g.
        "portfolio/v1/contracts/10100000001/portfolio"."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": f"Bearer {token or self.token()['access_token']}"}
        return call(method, url, body=body, headers=headers)

    # -- the operator surface ------------------------------------------------------------------

    def _operator(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        params = {"client_id": self.client_id, **{k: v for k, v in query.items() if v is not None}}
        # Every operator write is JSON, a body-less one too: the surface refuses any other.
        headers = {"Content-Type": "application/json"} if method != "GET" else {}
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        answer = call(method, f"{self.url}/_emulator/{path}?{urllib.parse.urlencode(params)}", body=body, headers=headers)
        if answer.status != 200:
            raise EmulatorError(answer.status, answer.body)
        return answer.body

    def reset(self) -> None:
        self._operator("POST", "reset")

    def clock(self) -> dict:
        return self._operator("GET", "clock")

    def advance(self, duration: str) -> dict:
        """Move the tenant's clock forward by an ISO 8601 duration ("PT49H", "P7D")."""
        return self._operator("POST", "clock", {"advance": duration})

    def set_clock(self, instant: str, freeze: bool | None = None) -> dict:
        body: dict[str, Any] = {"set": instant}
        if freeze is not None:
            body["freeze"] = freeze
        return self._operator("POST", "clock", body)

    def freeze(self, frozen: bool = True) -> dict:
        return self._operator("POST", "clock", {"freeze": frozen})

    def seed(self, scenario: str | dict) -> dict:
        """Seed a scenario: a name in fixtures/, or a scenario document."""
        if isinstance(scenario, str):
            return self._operator("POST", f"scenarios/{urllib.parse.quote(scenario)}")
        return self._operator("POST", "scenarios", scenario)

    def events(self, *events: dict) -> list[dict]:
        return self._operator("POST", "events", list(events))["results"]

    def fault(self, **fault: Any) -> list[dict]:
        """Inject a fault: status=503, times=2, operation="getPortfolio", skip=1, latencyMs=...,
        advanceClock="PT61M", errorCode="9000" (with status), events=[...]. Returns the tenant's
        faults still to fire."""
        return self._operator("POST", "faults", fault)["faults"]

    def settings(self, **settings: Any) -> dict:
        """Give the tenant its own settings (pageSize=137, emptyPageAfterFull=True); returns them."""
        return self._operator("POST", "settings", settings)

    def faults(self) -> list[dict]:
        return self._operator("GET", "faults")["faults"]

    def clear_faults(self) -> None:
        self._operator("DELETE", "faults")

    def journal(self, after: int = 0) -> list[dict]:
        return self._operator("GET", "journal", after=after, limit=10000)["entries"]

    def state(self, contract_no: str | None = None) -> dict:
        """The tenant's whole world as a snapshot (what ``restore`` takes back), or the view of
        one contract."""
        return self._operator("GET", "state", contractNo=contract_no)

    def restore(self, snapshot: dict) -> dict:
        """Replace the tenant's world with a snapshot; what was restored."""
        return self._operator("PUT", "state", snapshot)
