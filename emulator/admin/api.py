"""/_emulator: the operator surface (no token, never under a catalog). Name the tenant with
the ``client_id`` query parameter or the ``X-Emulator-Tenant`` header."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import yaml
from flask import Blueprint, Response, request

from emulator.admin import rules, ui
from emulator.errors import BusinessError, operator_status
from emulator.gateway import json_response, services
from emulator.store import SANDBOX_TENANT
from emulator.world import clock_of

bp = Blueprint("admin", __name__, url_prefix="/_emulator")
bp.register_blueprint(ui.bp)  # /_emulator/ui, under the same request guards and error handlers


class _NoTenant(Exception):
    pass


@bp.before_request
def _read_body() -> None:
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


@bp.errorhandler(_NoTenant)
def _no_tenant(_: _NoTenant) -> Response:
    return json_response(400, {"error": "name the tenant: ?client_id=... or the X-Emulator-Tenant header"})


def _tenant(required: bool = True) -> str | None:
    tenant = request.args.get("client_id") or request.headers.get("X-Emulator-Tenant")
    if required and not tenant:
        raise _NoTenant()
    if tenant == SANDBOX_TENANT:
        raise rules.OperatorError("the sandbox catalog's world cannot be changed; it is the Sandbox Model")
    return tenant


def _body():
    body = request.get_json(silent=True)
    if body is None:
        raise rules.OperatorError("the body must be JSON")
    return body


@bp.get("/health")
def health() -> Response:
    cesce = services()
    cesce.store.ping()
    try:
        installed = version("cesce-sandbox")
    except PackageNotFoundError:
        installed = "unknown"
    return json_response(200, {"status": "ok", "version": installed, "strict": cesce.settings.strict,
                               "state": cesce.settings.state, "pageSize": cesce.settings.page_size})


@bp.get("/tenants")
def tenants() -> Response:
    with services().store.transaction(rollback=True) as tx:
        return json_response(200, {"tenants": tx.tenants()})


@bp.post("/reset")
def reset() -> Response:
    tenant = _tenant(required=False)
    with services().store.transaction() as tx:
        tx.reset(tenant)
    return json_response(200, {"reset": tenant or "all"})


@bp.route("/clock", methods=["GET", "POST"])
def clock() -> Response:
    tenant = _tenant()
    with services().store.transaction() as tx:
        state = rules.change_clock(tx, tenant, _body()) if request.method == "POST" else clock_of(tx, tenant)
    return json_response(200, {"tenant": tenant, **rules.clock_view(state)})


@bp.get("/state")
def state() -> Response:
    cesce = services()
    contract_no = request.args.get("contractNo")
    if contract_no is not None and not (contract_no.isdigit() and len(contract_no) <= 11):
        raise rules.OperatorError("contractNo: up to 11 digits")
    # A view changes nothing: what it works out (the Sandbox Model's contracts written as of the
    # world's start, work fallen due) happens again, the same, at the tenant's next contact.
    with cesce.store.transaction(rollback=True) as tx:
        return json_response(200, rules.state(tx, cesce.model, _tenant(), contract_no))


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
    else:
        try:
            scenario, source = rules.load_scenario(name, cesce.settings.fixtures_dir), name
        except LookupError:
            return json_response(404, {"error": f"no scenario {name!r} in fixtures/"})
    with cesce.store.transaction() as tx:
        return json_response(200, rules.seed_scenario(tx, cesce.model, tenant, scenario, source))


@bp.get("/journal")
def journal() -> Response:
    try:
        after = int(request.args.get("after", 0))
        limit = min(int(request.args.get("limit", 1000)), 10000)
    except ValueError:
        raise rules.OperatorError("after and limit are integers") from None
    with services().store.transaction(rollback=True) as tx:
        return json_response(200, {"entries": rules.journal(tx, _tenant(), after, limit)})


@bp.post("/events")
def events() -> Response:
    cesce = services()
    with cesce.store.transaction() as tx:
        return json_response(200, {"results": rules.apply_events(tx, cesce.model, _tenant(), _body())})


@bp.route("/faults", methods=["GET", "POST", "DELETE"])
def faults() -> Response:
    tenant = _tenant()
    cesce = services()
    with cesce.store.transaction() as tx:
        if request.method == "POST":
            rules.add_fault(tx, cesce.model, tenant, _body(), cesce.api.operations)
        elif request.method == "DELETE":
            tx.clear_faults(tenant)
        return json_response(200, {"faults": [rules.fault_view(row) for row in tx.faults(tenant)]})


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Response:
    tenant = _tenant()
    with services().store.transaction() as tx:
        if request.method == "POST":
            return json_response(200, rules.change_settings(tx, tenant, _body()))
        return json_response(200, rules.settings_view(tx, tenant))


@bp.get("/openapi.yaml")
def openapi() -> Response:
    document = yaml.safe_dump(services().api.document, sort_keys=False, allow_unicode=True)
    return Response(document, 200, mimetype="application/yaml")
