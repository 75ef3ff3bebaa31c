"""The operator dashboard at /_emulator/ui: one tenant's world on a page, and buttons that call
the operator API (clock, Cesce-side events, faults, scenarios, reset).

The page is rendered on the server from the same views the operator API answers with
(``rules.state``, ``rules.journal``, ``rules.fault_view``), and a few lines of JavaScript
(static/ui.js) send the buttons' requests to /_emulator/* and reload it: no build step, nothing
fetched from elsewhere, so it works offline.

How an area's records appear: every list of records a contract carries in /_emulator/state
(``debtors``, and each list another area's state view adds) becomes a table of its own, with no
change to the template:

- its title and the columns worth a glance are what the area's ``ListView`` of that list says
  (the key itself and every field filled in some record, when it says nothing; a field named
  ``...At`` is shown as an instant); each row unfolds to the whole record;
- a record with ``pendingOf`` is shown right under the record it is pending on (a 300xxx
  request under its debtor), so pairs read as pairs;
- a record whose ``resolveAt`` is set is due work: the earliest of them is where the clock's
  "next committee decision" button goes, and the row offers the Cesce-side ``resolve`` events;
  a firm record with an ``endorsementNo`` offers ``reduce`` and ``cancel``;
- a firm record whose ``changedAt`` falls in the list's ``recent`` window of the tenant's clock
  (the risk movements' 48 hours) is listed among its recent changes.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup, escape

from emulator.admin import rules
from emulator.areas import ListView
from emulator.clock import format_instant, parse_instant
from emulator.faults import GATEWAY_STATUSES
from emulator.gateway import json_response, services
from emulator.store import SANDBOX_TENANT

bp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates", static_folder="static")
#: Where the dashboard's sign-in keeps the admin token: a browser sends no Authorization header
#: by itself, but it sends this cookie with the page's own calls (HttpOnly, SameSite=Strict: no
#: script and no other site gets it).
TOKEN_COOKIE = "cesce_emulator_admin"
#: Endpoints the admin token does not guard: the page that asks for it, its script and style.
OPEN_ENDPOINTS = frozenset({"admin.ui.sign_in", "admin.ui.static"})

JOURNAL_SHOWN = 100  # the latest entries on the page; /_emulator/journal has them all
ROWS_SHOWN = 50  # the first records of a list on the page; /_emulator/state has them all
_BLANK = (None, "", "0")


@dataclass
class Row:
    record: dict[str, Any]
    #: Pending on the record just above it (a 300xxx request under its debtor).
    paired: bool = False
    due: bool = False

    @property
    def firm(self) -> bool:
        return self.record.get("pendingOf") is None and not self.due


@dataclass
class RecordList:
    key: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    limit_events: bool = True

    @property
    def shown(self) -> list[Row]:
        """The rows the page shows: a portfolio of thousands is for /_emulator/state, not a page."""
        return self.rows[:ROWS_SHOWN]

    @property
    def hidden(self) -> int:
        return max(len(self.rows) - ROWS_SHOWN, 0)

    @property
    def numbered(self) -> bool:
        """Whether its rows offer the Cesce-side events on the limits their endorsementNo names."""
        return self.limit_events and any(row.record.get("endorsementNo") for row in self.rows)


@dataclass
class ContractView:
    contract_no: str
    details: dict[str, Any]
    lists: list[RecordList]


def record_lists(contract: dict[str, Any], views: dict[str, ListView]) -> list[RecordList]:
    """Every list of records a contract of /_emulator/state carries, ready to show."""
    found = []
    for key, value in contract.items():
        if isinstance(value, list) and all(isinstance(record, dict) for record in value):
            view = views.get(key, ListView(key))
            found.append(RecordList(key, view.title, _columns(view, value), _paired(value), view.limit_events))
    return found


def _columns(view: ListView, records: list[dict]) -> list[str]:
    return [name for name in view.columns if any(name in record for record in records)] or _filled(records)


def _filled(records: list[dict]) -> list[str]:
    names = dict.fromkeys(name for record in records for name in record)
    return [name for name in names if any(_shown(record.get(name)) for record in records)]


def _shown(value: Any) -> bool:
    return value not in _BLANK and not isinstance(value, dict | list)


def _paired(records: list[dict]) -> list[Row]:
    """Records in their order, each pending one moved right under the record it is pending on."""
    pending: dict[str, list[dict]] = {}
    for record in records:
        if record.get("pendingOf") is not None:
            pending.setdefault(str(record["pendingOf"]), []).append(record)
    anchors = {str(record.get("endorsementNo")) for record in records}
    rows = []
    for record in records:
        if record.get("pendingOf") is not None and str(record["pendingOf"]) in anchors:
            continue
        rows.append(Row(record, due=record.get("resolveAt") is not None))
        for waiting in pending.get(str(record.get("endorsementNo")), []):
            rows.append(Row(waiting, paired=True, due=waiting.get("resolveAt") is not None))
    return rows


def next_decision(contracts: list[ContractView]) -> str | None:
    """The earliest ``resolveAt`` among the tenant's records: when the committee next decides."""
    due = [row.record["resolveAt"] for c in contracts for rl in c.lists for row in rl.rows if row.due]
    return min(due, key=parse_instant) if due else None


def movements(contracts: list[ContractView], now: datetime, views: dict[str, ListView]) -> list[tuple[str, str, RecordList]]:
    """Per contract and list with a window of recent changes (the risk movements' 48 hours),
    the firm records changed in it on the tenant's clock, as the list operation counts them:
    (contractNo, the listing's title, the records)."""
    found = []
    for contract in contracts:
        for listed in contract.lists:
            view = views.get(listed.key)
            if view is None or view.recent is None:
                continue
            since = now - view.recent if isinstance(view.recent, timedelta) else view.recent(now)
            moved = [row for row in listed.rows
                     if row.record.get("pendingOf") is None and row.record.get("changedAt")
                     and since < parse_instant(row.record["changedAt"]) <= now]
            if moved:
                found.append((contract.contract_no, view.recent_title,
                              RecordList(listed.key, listed.title, listed.columns, moved, listed.limit_events)))
    return found


def shown_instant(value: str | None) -> str:
    """An instant of the operator API as people read it: "2026-01-21 09:00:00 UTC" (anything
    else as it is)."""
    if not value:
        return ""
    try:
        return format_instant(parse_instant(value))[:19].replace("T", " ") + " UTC"
    except (TypeError, ValueError):
        return str(value)


@bp.app_template_filter("instant")
def _instant_filter(value: str | None) -> str:
    return shown_instant(value)


@bp.app_template_filter("camel_breaks")
def _camel_breaks(name: str) -> Markup:
    """A field name that may wrap between its words: creditLimit<wbr>Granted."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[a-z])(?=[A-Z])", name))


@bp.get("")
def dashboard() -> str:
    """The dashboard of the tenant named by ``?client_id=`` (a picker when none is named)."""
    cesce = services()
    views = {key: view for area in cesce.areas.values() for key, view in area.lists.items()}
    tenant = request.args.get("client_id") or request.headers.get("X-Emulator-Tenant") or None
    problem = "the sandbox catalog's world is the Sandbox Model; pick a tenant" if tenant == SANDBOX_TENANT else None
    page: dict[str, Any] = {"tenant": None if problem else tenant, "problem": problem,
                            "scenarios": rules.scenarios(cesce.settings.fixtures_dir),
                            "operations": sorted(cesce.api.operations), "statuses": GATEWAY_STATUSES}

    def view(tx) -> None:  # a view changes nothing (as /_emulator/state)
        page["tenants"] = tx.tenants()
        if page["tenant"]:
            state = rules.state(tx, cesce.model, tenant, None)
            contracts = [ContractView(c["contractNo"], {k: v for k, v in c.items() if not isinstance(v, list)},
                                      record_lists(c, views)) for c in state["contracts"]]
            page.update(
                now=state["now"], frozen=state["frozen"], contracts=contracts,
                next_decision=next_decision(contracts),
                movements=movements(contracts, parse_instant(state["now"]), views),
                faults=[rules.fault_view(row) for row in tx.faults(tenant)],
                journal=_latest_journal(tx, tenant),
            )

    cesce.store.view(view)
    return render_template("dashboard.html", **page)


def sign_in_page() -> Response:
    """What a browser opening the dashboard without the admin token gets: a page asking for it."""
    return Response(render_template("sign_in.html"), 401, {"WWW-Authenticate": 'Bearer realm="cesce-emulator"'},
                    mimetype="text/html")


@bp.post("/sign-in")
def sign_in() -> Response:
    """Take the admin token once (``{"token": ...}``) and keep it in the browser's cookie."""
    token = services().settings.admin_token
    body = request.get_json(silent=True)
    given = body.get("token") if isinstance(body, dict) else None
    if not token:
        return json_response(400, {"error": "this emulator has no admin token: its dashboard is open"})
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), token.encode()):
        return json_response(401, {"error": "that is not this emulator's admin token (see --admin-token)"})
    answer = json_response(200, {"signedIn": True})
    answer.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", secure=request.is_secure, path="/_emulator")
    return answer


def _latest_journal(tx, tenant: str) -> list[dict]:
    """The tenant's latest journal entries, newest first. The store pages from the oldest, so
    the ids are walked to find where the last ones start; only those are read in full."""
    after, ids = 0, []
    while page := tx.journal(tenant, after, 5000):
        ids.extend(row["id"] for row in page)
        after = page[-1]["id"]
    start = ids[-JOURNAL_SHOWN - 1] if len(ids) > JOURNAL_SHOWN else 0
    return list(reversed(rules.journal(tx, tenant, start, JOURNAL_SHOWN)))
