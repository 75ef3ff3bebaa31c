"""What IBM API Connect does in front of Cesce's APIs, and the path of every business request.

A business request passes, in order: the bearer token (401); the clock jump of an injected
fault, if one asks for it; the token's expiry on the tenant's clock (401) and its scope (403);
the fault's latency and status (429, 503); request validation against the OpenAPI document
(400); then the operation's rules inside one transaction, rolled back in the sandbox catalog. Gateway errors have IBM's shape; business errors have Cesce's envelope. Every
request that names a tenant is written to the journal with what the emulator noticed in it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, request

from emulator import wire
from emulator.api_document import ApiDocument, Operation
from emulator.auth import rules as auth
from emulator.clock import parse_duration
from emulator.errors import BusinessError, InvalidContractNo, NotFoundError, SandboxNotFound
from emulator.history import catch_up
from emulator.replay import cases
from emulator.store import SANDBOX_TENANT
from emulator.validation import Finding, read_body, read_query
from emulator.world import World, clock_of, save_clock

CONTRACT_NO = re.compile(r"[0-9]{1,11}")
_MESSAGES = {
    400: ("Bad Request", "The request could not be understood"),
    401: ("Unauthorized", "Cannot pass the security checks that are required by the target API or operation"),
    403: ("Forbidden", "The client is not allowed to call this operation"),
    404: ("Not Found", "No resources match requested URI"),
    405: ("Method Not Allowed", "The method is not allowed for the requested URL"),
    413: ("Payload Too Large", "The request body is larger than the gateway accepts"),
    429: ("Too Many Requests", "Rate Limit exceeded"),
    500: ("Internal Server Error", "Internal Server Error"),
    503: ("Service Unavailable", "The backend is unavailable; retry later"),
}


class GatewayError(Exception):
    """An answer of the API gateway itself, in IBM API Connect's shape."""

    def __init__(self, status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}

    def body(self) -> dict[str, str]:
        message, more = _MESSAGES.get(self.status, ("Error", "Error"))
        return {"httpCode": str(self.status), "httpMessage": message,
                "moreInformation": f"{more}: {self.detail}" if self.detail else more}

    def answer(self) -> Answer:
        return Answer(self.status, self.body(), dict(self.headers))

    def response(self) -> Response:
        return self.answer().response()


@dataclass
class Call:
    """One business request, as an operation's handler sees it."""

    world: World
    contract_no: str
    query: dict[str, str]
    body: dict[str, Any]
    language: str
    page_size: int

    def client(self, **extra: str) -> dict[str, str]:
        return {"contractNo": self.contract_no, **extra}


Handler = Callable[[Call], "Answer"]


class Operations(dict[str, Handler]):
    """An area's handlers, by the operationId the OpenAPI document gives them."""

    def __call__(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self[operation_id] = handler
            return handler

        return register


def blueprint(name: str, operations: Operations, api: ApiDocument) -> Blueprint:
    """A blueprint routing each operation at every URL the document and the catalogs give it."""
    bp = Blueprint(name, __name__)
    for operation_id, handler in operations.items():
        operation = api.operations[operation_id]
        view = business_view(operation, handler)
        for rule in operation.flask_rules():
            bp.add_url_rule(rule, operation_id, view, methods=[operation.method])
    return bp


@dataclass
class Exchange:
    """What the journal keeps of a request."""

    catalog: str
    operation: str
    tenant: str | None = None
    now: datetime | None = None
    token: str | None = None
    request_text: str | None = None
    findings: list[Finding] = field(default_factory=list)


def services():
    return current_app.extensions["cesce"]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Answer(status, body, headers or {}).response()


@dataclass
class Answer:
    """A response before it is sent: the journal keeps a summary of the body as it is."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        data = b"" if self.body is None else wire.dumps(self.body)
        return Response(data, self.status, headers=self.headers, mimetype="application/json")


def business_view(operation: Operation, handler: Handler) -> Callable[..., Response]:
    def view(catalog: str, contractNo: str) -> Response:  # noqa: N803 (the path's own name)
        exchange = Exchange(catalog, operation.operation_id)
        language = _language()
        try:
            answer = _serve(operation, handler, catalog, contractNo, exchange, language)
        except GatewayError as error:
            answer = error.answer()
        except BusinessError as error:
            if catalog == "sandbox" and isinstance(error, NotFoundError):
                error = SandboxNotFound()
            answer = business_error_answer(error, language, contractNo)
        record(exchange, answer)
        return answer.response()

    view.__name__ = operation.operation_id
    return view


def _serve(op: Operation, handler: Handler, catalog: str, contract_no: str, exchange: Exchange, language: str) -> Answer:
    cesce = services()
    with cesce.store.transaction() as tx:
        try:
            token = auth.bearer(tx, request.headers.get("Authorization"), catalog)
        except auth.Unauthorized as refused:
            raise _unauthorized(refused) from None
        exchange.tenant, exchange.token = token.tenant, token.reference
        clock = clock_of(tx, token.tenant)
        fault = tx.take_fault(token.tenant, op.operation_id, op.method)
        if fault and fault["advance"]:
            clock = clock.shift(parse_duration(fault["advance"]))
            save_clock(tx, token.tenant, clock)
        exchange.now = now = clock.now()
    try:
        auth.admit(token, now, op.scopes)
    except auth.Unauthorized as refused:
        raise _unauthorized(refused) from None
    if fault:
        inject(fault)
    exchange.request_text = request.get_data(as_text=True)[:65536] or None
    if catalog == "sandbox" and cesce.replay:
        replayed = _replay(cesce.replay, catalog)
        if replayed is not None:
            return replayed
    if not CONTRACT_NO.fullmatch(contract_no):
        raise InvalidContractNo(contractNo=contract_no)
    strict = cesce.settings.strict
    query, findings = read_query(op.query, request.args.to_dict(flat=False), strict)
    body = {}
    if op.body is not None:
        body, more = read_body(op.body, request.get_data(), strict)
        findings += more
    exchange.findings = findings
    sandbox = catalog == "sandbox"
    if sandbox:
        cesce.sandbox.ensure()
    with cesce.store.transaction(rollback=sandbox) as tx:
        world = World(
            tx, cesce.model,
            SANDBOX_TENANT if sandbox else token.tenant,
            cesce.model.sandbox_now if sandbox else now,
            sandbox=sandbox,
        )
        catch_up(world)
        return handler(Call(world, contract_no, query, body, language, cesce.settings.page_size))


def _unauthorized(refused: auth.Unauthorized) -> GatewayError:
    return GatewayError(refused.status, refused.reason, {"WWW-Authenticate": 'Bearer realm="cesce"'})


def _replay(replay: list, catalog: str) -> Answer | None:
    below = request.path.split(f"/{catalog}", 1)[1]
    body = request.get_json(silent=True) if request.get_data() else None
    case = cases.find(replay, request.method, below, request.args.to_dict(), body)
    return None if case is None else Answer(case.status, case.response, dict(case.headers))


def inject(fault: dict) -> None:
    """Apply an injected fault: wait its latency, then fail with its status if it has one."""
    if fault["latency_ms"]:
        time.sleep(fault["latency_ms"] / 1000)
    if fault["status"]:
        headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
        raise GatewayError(fault["status"], "injected fault", headers)


def business_error_answer(error: BusinessError, language: str, contract_no: str | None) -> Answer:
    code, text = services().model.error_text(error.key, language, error.params)
    client = {"contractNo": contract_no} if contract_no else {}
    return Answer(error.status, wire.error_envelope(code, text, client))


def record(exchange: Exchange, answer: Answer) -> None:
    """Write the journal entry of a request that named a tenant."""
    if exchange.tenant is None:
        return
    entry = {
        "tenant": exchange.tenant,
        "at": exchange.now,
        "catalog": exchange.catalog,
        "operation": exchange.operation,
        "method": request.method,
        "path": request.path,
        "query": json.dumps(request.args.to_dict(flat=False)),
        "request": exchange.request_text,
        "status": answer.status,
        "response": json.dumps(_summary(answer)),
        "token": exchange.token,
        "findings": json.dumps([f.to_dict() for f in exchange.findings]),
    }
    with services().store.transaction() as tx:
        tx.append_journal(entry)


def _summary(answer: Answer) -> dict[str, Any]:
    """What the journal keeps of a response: the error with its text, Retry-After, the paging
    field, how many records a page had (full pages of 500 records would make the journal
    heavier than the state), the key fields of a single record, and which token a token call
    issued."""
    body = answer.body
    if not isinstance(body, dict):
        return {}
    if "access_token" in body:
        return {"token": auth.reference(body["access_token"]), "scope": body.get("scope")}
    if "httpCode" in body or "error_description" in body:
        keep = ("httpCode", "httpMessage", "moreInformation", "error", "error_description")
        summary = {k: body[k] for k in keep if k in body}
        if "Retry-After" in answer.headers:
            summary["retryAfter"] = answer.headers["Retry-After"]
        return summary
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    summary = {"errorCode": error.get("errorCode")}
    if error.get("errorCode") not in (None, "0"):
        summary["errorDescription"] = error.get("errorDescription")
    client = body.get("client") or {}
    if "nextEndorsementNo" in client:
        summary["nextEndorsementNo"] = client["nextEndorsementNo"]
    for key, value in body.items():
        if isinstance(value, list):
            summary[key] = len(value)  # the records on the page
        elif key not in ("error", "client"):
            keep = ("endorsementNo", "statusCode", "creditLimitGranted")
            summary[key] = {k: value.get(k) for k in keep} if isinstance(value, dict) else value
    return summary


def _language() -> str:
    value = request.args.get("languageCode", "")
    if request.is_json:
        client = (request.get_json(silent=True) or {})
        client = client.get("client") if isinstance(client, dict) else None
        if isinstance(client, dict) and isinstance(client.get("languageCode"), str):
            value = client["languageCode"]
    return "EN" if value.strip().upper() == "EN" else "ES"
