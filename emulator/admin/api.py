"""/_emulator: the operator surface (no business token, never under a catalog). Name the
tenant with the ``client_id`` query parameter or the ``X-Emulator-Tenant`` header.

It answers its operator only. A web page the developer opens must not reset or seed their
emulator: a write takes a JSON body (a browser cannot send one cross-site without a preflight,
which this surface never grants), a cross-site Origin is refused, and so is a Host that is not
a local name, the configured host or one of ``allowed_hosts`` (a page whose name was rebound to
127.0.0.1 sends its own name). With ``admin_token`` every call must carry it, as a bearer token
or in the cookie the dashboard's sign-in sets (a browser opening the dashboard without it gets a
page asking for it). Health stays open to any Host and without the token: container platforms
probe it by address or service name with no credentials, and it shows nothing but readiness and
version.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

import yaml
from flask import Blueprint, Response, request

from emulator import files
from emulator.admin import rules, snapshots, ui
from emulator.areas import SnapshotError
from emulator.auth.rules import client_id_problem
from emulator.errors import BusinessError, operator_status
from emulator.gateway import json_response, services
from emulator.postgresql import is_url
from emulator.settings import Settings
from emulator.store import SANDBOX_TENANT
from emulator.world import Seeding, SeedingLost, clock_of

bp = Blueprint("admin", __name__, url_prefix="/_emulator")
bp.register_blueprint(ui.bp)  # /_emulator/ui, under the same request guards and error handlers
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_YAML = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})
_WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
#: Seconds health waits for a connection to the database before it reports it unreachable.
HEALTH_WAIT = 2


@bp.before_request
def _guard() -> Response | None:
    if request.endpoint == "admin.health":
        return None
    settings = services().settings
    host = request.host.lower()
    if not _answers_to(_hostname(host), settings):
        return json_response(403, {"error": f"the Host {host!r} is not a local name nor the configured host; name it"
                                            " with --allowed-hosts (CESCE_EMULATOR_ALLOWED_HOSTS) to reach the"
                                            " operator surface by it"})
    if settings.admin_token and request.endpoint not in ui.OPEN_ENDPOINTS and not _carries(settings.admin_token):
        if request.endpoint == "admin.ui.dashboard" and _wants_html():
            return ui.sign_in_page()
        return json_response(401, {"error": "this emulator's operator surface needs its admin token:"
                                            " Authorization: Bearer TOKEN (see --admin-token)"},
                             {"WWW-Authenticate": 'Bearer realm="cesce-emulator"'})
    if request.method in _WRITES:
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host:
            return json_response(403, {"error": f"a cross-site request (Origin {origin}) cannot use the operator surface"})
        # No browser sends JSON or YAML cross-site without a preflight, which this surface never
        # grants; YAML is a snapshot's other form (PUT /_emulator/state).
        if not request.is_json and request.mimetype not in _YAML:
            return json_response(415, {"error": "operator writes take Content-Type: application/json (an empty body is"
                                                " fine), or application/yaml for a snapshot"})
    return None


def _hostname(host: str) -> str:
    """The name of a Host header, without its port: "localhost:8080", "[::1]:8080"."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def _answers_to(name: str, settings: Settings) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        if ipaddress.ip_address(name).is_loopback:
            return True
    except ValueError:
        pass
    if settings.host.lower() not in _WILDCARD_ADDRESSES and name == settings.host.lower():
        return True
    for allowed in settings.allowed_hosts:
        if allowed == "*" or name == allowed.lstrip(".") or (allowed.startswith(".") and name.endswith(allowed)):
            return True
    return False


def _carries(token: str) -> bool:
    """Whether the request carries the admin token: as a bearer token, or in the cookie the
    dashboard's sign-in set."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode()):
        return True
    kept = request.cookies.get(ui.TOKEN_COOKIE)
    return kept is not None and hmac.compare_digest(kept.encode(), token.encode())


def _wants_html() -> bool:
    """A browser's navigation (Accept: text/html first), not a script or a client."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


class _NoTenant(Exception):
    pass


@bp.before_request
def _read_body() -> None:
    if request.method == "PUT" and request.endpoint == "admin.restore_state":
        request.max_content_length = snapshots.MAX_BODY
    # The whole body is in hand before a route takes the store's lock: a client that stalls
    # while sending it then holds only its own connection.
    request.get_data()


@bp.errorhandler(rules.OperatorError)
def _operator_error(error: rules.OperatorError) -> Response:
    return json_response(400, {"error": str(error)})


@bp.errorhandler(BusinessError)
def _business_error(error: BusinessError) -> Response:
    code, text = services().model.error_text(error.key, "EN", error.params)
    return json_response(operator_status(error), {"error": text, "errorCode": code})


@bp.errorhandler(Seeding)
@bp.errorhandler(SeedingLost)
def _seeding(error: Exception) -> Response:
    return json_response(409, {"error": str(error)}, {"Retry-After": "1"} if isinstance(error, Seeding) else None)


@bp.errorhandler(_NoTenant)
def _no_tenant(_: _NoTenant) -> Response:
    return json_response(400, {"error": "name the tenant: ?client_id=... or the X-Emulator-Tenant header"})


def _tenant(required: bool = True) -> str | None:
    tenant = request.args.get("client_id") or request.headers.get("X-Emulator-Tenant")
    if required and not tenant:
        raise _NoTenant()
    if tenant == SANDBOX_TENANT:
        raise rules.OperatorError("the sandbox catalog's world cannot be changed; it is the Sandbox Model")
    if tenant and (problem := client_id_problem(tenant)):
        raise rules.OperatorError(f"client_id: {problem}")
    return tenant


def _body():
    if not request.get_data():
        raise rules.OperatorError("the body must be JSON")
    try:
        return files.parse_json(request.get_data(), "body")
    except files.FileError as error:
        raise rules.OperatorError(str(error)) from None


@bp.get("/health")
def health() -> Response:
    cesce = services()
    state = cesce.settings.state
    # Never the path nor the URL: health is open.
    store = "memory" if state == ":memory:" else "postgresql" if is_url(state) else "sqlite-file"
    try:
        cesce.store.ping(HEALTH_WAIT)
        reachable = True
    except cesce.store.errors:
        reachable = False
    return json_response(200 if reachable else 503, {
        "status": "ok" if reachable else "unavailable", "version": _installed(), "strict": cesce.settings.strict,
        "store": store, "database": {"kind": cesce.store.kind, "reachable": reachable},
        "pageSize": cesce.settings.page_size})


@cache
def _installed() -> str:
    # Looked up once: reading the installed distributions costs more than the rest of a health check.
    try:
        return version("cesce-sandbox")
    except PackageNotFoundError:
        return "unknown"


@bp.get("/tenants")
def tenants() -> Response:
    return json_response(200, {"tenants": services().store.view(lambda tx: tx.tenants())})


@bp.post("/reset")
def reset() -> Response:
    tenant = _tenant(required=False)
    with services().store.transaction() as tx:
        tx.reset(tenant)
    return json_response(200, {"reset": tenant or "all"})


@bp.route("/clock", methods=["GET", "POST"])
def clock() -> Response:
    tenant = _tenant()
    if request.method == "POST":
        change = _body()
        with services().store.transaction() as tx:
            state = rules.change_clock(tx, tenant, change)
    else:
        state = services().store.view(lambda tx: clock_of(tx, tenant))
    return json_response(200, {"tenant": tenant, **rules.clock_view(state)})


@bp.get("/state")
def state() -> Response:
    """The tenant's whole world as a snapshot (what PUT takes back); with ``contractNo``, the
    view of that one contract. JSON, or YAML with ``format=yaml``."""
    cesce = services()
    contract_no = request.args.get("contractNo")
    if contract_no is not None and not (contract_no.isdigit() and len(contract_no) <= 11):
        raise rules.OperatorError("contractNo: up to 11 digits")
    form = request.args.get("format", "json")
    if form not in snapshots.FORMATS:
        raise rules.OperatorError(f"format: one of {', '.join(snapshots.FORMATS)}")
    tenant = _tenant()
    # A view changes nothing: what it works out (the Sandbox Model's contracts written as of the
    # world's start, work fallen due) happens again, the same, at the tenant's next contact.
    if contract_no is None:
        world = cesce.store.view(lambda tx: snapshots.take(tx, cesce.model, tenant))
    else:
        world = cesce.store.view(lambda tx: rules.state(tx, cesce.model, tenant, contract_no))
    if form == "yaml":
        return Response(snapshots.dump(world, "yaml"), 200, mimetype="application/yaml")
    return json_response(200, world)


@bp.put("/state")
def restore_state() -> Response:
    """Replace the tenant's world with a snapshot, all or nothing."""
    cesce = services()
    tenant = _tenant()
    try:
        # JSON or YAML whatever the Content-Type says: unlike a form POST, a web page of another
        # origin cannot send a PUT without a CORS preflight, which the emulator never grants.
        snapshot = snapshots.load(request.get_data(as_text=True))
        with cesce.store.transaction() as tx:
            restored = snapshots.restore(tx, cesce.model, tenant, snapshot)
    except SnapshotError as error:
        return json_response(400, {"error": f"snapshot: {error}"})
    return json_response(200, restored)


@bp.get("/scenarios")
def list_scenarios() -> Response:
    return json_response(200, {"scenarios": rules.scenarios(services().settings.fixtures_dir)})


@bp.post("/scenarios", defaults={"name": None})
@bp.post("/scenarios/<name>")
def seed_scenario(name: str | None) -> Response:
    cesce = services()
    tenant = _tenant()
    if name is None:
        scenario, source = _body(), "posted scenario"
        if isinstance(scenario, dict) and "snapshot" in scenario:
            raise rules.OperatorError("this is a snapshot of a whole world, not a scenario: restore it with"
                                      " PUT /_emulator/state (or `cesce-emulator import`)")
    else:
        try:
            scenario, source = rules.load_scenario(name, cesce.settings.fixtures_dir), name
        except LookupError:
            return json_response(404, {"error": f"no scenario {name!r} in fixtures/"})
        except files.FileError as error:
            raise rules.OperatorError(str(error)) from None
    return json_response(200, rules.seed_scenario(cesce.store, cesce.model, tenant, scenario, source))


@bp.get("/journal")
def journal() -> Response:
    try:
        after = int(request.args.get("after", 0))
        limit = min(int(request.args.get("limit", 1000)), 10000)
    except ValueError:
        raise rules.OperatorError("after and limit are integers") from None
    tenant = _tenant()
    return json_response(200, {"entries": services().store.view(lambda tx: rules.journal(tx, tenant, after, limit))})


@bp.post("/events")
def events() -> Response:
    cesce = services()
    tenant, body = _tenant(), _body()
    with cesce.store.transaction() as tx:
        return json_response(200, {"results": rules.apply_events(tx, cesce.model, tenant, body)})


@bp.route("/faults", methods=["GET", "POST", "DELETE"])
def faults() -> Response:
    tenant = _tenant()
    cesce = services()
    if request.method == "GET":
        found = cesce.store.view(lambda tx: tx.faults(tenant))
        return json_response(200, {"faults": [rules.fault_view(row) for row in found]})
    body = _body() if request.method == "POST" else None
    with cesce.store.transaction() as tx:
        if request.method == "POST":
            rules.add_fault(tx, cesce.model, tenant, body, cesce.api.operations)
        else:
            tx.clear_faults(tenant)
        return json_response(200, {"faults": [rules.fault_view(row) for row in tx.faults(tenant)]})


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Response:
    tenant = _tenant()
    cesce = services()
    if request.method == "GET":
        return json_response(200, cesce.store.view(lambda tx: rules.settings_view(tx, tenant)))
    body = _body()
    with cesce.store.transaction() as tx:
        return json_response(200, rules.change_settings(tx, tenant, body))


@bp.get("/openapi.yaml")
def openapi() -> Response:
    return Response(_served(services().api), 200, mimetype="application/yaml")


@cache
def _served(api) -> str:
    # The document does not change while the process serves it: written once, not per request.
    return yaml.safe_dump(api.document, sort_keys=False, allow_unicode=True)
