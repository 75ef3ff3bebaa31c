"""What IBM API Connect does in front of Cesce's APIs, and the path every API request takes.

Every operation of the OpenAPI document, the token endpoint included, is served at each URL the
document and the catalogs give it, through one pipeline, in order:

1. who calls: the area that guards the API (auth) reads the bearer token, or for the token
   endpoint the client_id (401 when a token is missing or unknown);
2. the tenant's clock and settings, and the oldest injected fault matching the request,
   consumed; a fault may move the tenant's clock first, then carry out Cesce-side events;
3. the token's expiry on the tenant's clock (401) and its scope (403);
4. the fault's latency and answer (a gateway 429, 503...; or Cesce's error envelope; or, for
   a dropped connection, none: the request goes on, and its answer is never sent);
5. the request against the document: path parameters, query, body (400);
6. the operation's handler, in the tenant's world caught up with its clock;
7. the journal entry, with what the emulator noticed in the request, at the instant the request
   arrived (on the tenant's clock), however long it then waited for the store.

Steps 1 to 6 are one transaction, which reads the token and the tenant's clock once. A GET runs
in a read transaction, which neither waits for a writer nor holds one up; when its rules find
something to write (a tenant's first contact, work fallen due, a contract seeded at first use,
a fault to consume) it starts again as a write transaction. A write commits with its journal
entry; a read's entry follows in a short write of its own. A fault's use is committed before
its latency is waited out, outside any transaction; the sandbox catalog's operation runs in a
transaction of its own, rolled back. The request is read against the document (pure work)
before the transaction, its error answered in its turn.

Gateway errors have IBM's shape; business errors have Cesce's envelope, with the HTTP status
errors.py gives them.
"""

from __future__ import annotations

import errno
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from emulator import clock as clocks
from emulator import wire
from emulator.admin import rules as operator
from emulator.api_document import ApiDocument, Operation
from emulator.areas import Handler
from emulator.clock import parse_duration
from emulator.errors import BusinessError, InvalidJson, NotFoundError, SandboxNotFound
from emulator.replay import cases
from emulator.store import Tx, WriteNeeded
from emulator.validation import MULTIPART, NOT_JSON, Finding, Upload, parse_json, read_body, read_multipart, read_path, read_query
from emulator.world import Seeding, TenantState, World, enter, save_clock, tenant_state

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
#: Query parameters whose values the journal never keeps: secrets sent where they do not belong.
SECRET_PARAMETERS = frozenset({"client_secret", "password", "refresh_token", "access_token"})
#: How much of a request body the journal keeps.
JOURNAL_BODY = 65536
DRAIN = 16 * 1024 * 1024  # a larger body refused for its size is not read: the connection closes


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
class Answer:
    """A response before it is sent: the journal keeps a summary of the body as it is. Parts
    of the body may be JSON already encoded (``wire.Encoded``), placed in the response as they
    are."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        data = b"" if self.body is None else wire.dumps(self.body)
        return Response(data, self.status, headers=self.headers, mimetype="application/json")


@dataclass(frozen=True)
class Caller:
    """Who makes a request, as the guard (auth) reads it: the tenant (None when it names
    none), the scopes and expiry of its bearer token (None: not checked, the token endpoint),
    and a short reference to the token for the journal."""

    tenant: str | None
    scopes: frozenset[str] | None = None
    expires_at: datetime | None = None
    token: str | None = None


Guard = Callable[["Tx", "Incoming"], Caller]


class Refused(Exception):
    """The guard refuses a request: no, an unknown or a malformed credential."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass
class Call:
    """One request, as an operation's handler sees it."""

    world: World | None  # None for a token request that names no tenant
    operation: Operation
    catalog: str
    params: dict[str, str]
    query: dict[str, Any]
    body: dict[str, Any]
    language: str
    page_size: int | None = None
    #: A full last page points past itself, to an empty page (a tenant's emptyPageAfterFull).
    empty_page_after_full: bool = False

    @property
    def contract_no(self) -> str:
        return self.params["contractNo"]

    @property
    def cursor(self) -> str | None:
        """The page a list request asks for, as its paging declares it (None: the first)."""
        return self.operation.paging.sent(self.query)

    @property
    def size(self) -> int:
        """Records on a page: the setting when given, else what the operation declares."""
        return self.page_size or self.operation.paging.size

    def client(self, **extra: str) -> dict[str, str]:
        return {"contractNo": self.contract_no, **extra}

    def page(self, records: list[dict | wire.Encoded], following: str | None) -> Answer:
        """A list page in Cesce's envelope: the records under the declared entity (null when
        there are none) and the next page's cursor where the declaration puts it (its last
        mark when ``following`` is None, unless the page is full and the tenant's lists end
        with an empty page). A record may be its wire text as its area keeps it
        (``wire.Encoded``): the page is then joined from those texts, not rendered again."""
        paging = self.operation.paging
        if following is None and self.empty_page_after_full and records and len(records) >= self.size:
            last = records[-1]
            following = paging.after(json.loads(last.text) if isinstance(last, wire.Encoded) else last)
        return Answer(200, paging.place(wire.envelope(self.client(), **{paging.entity: records or None}), following))


def services():
    return current_app.extensions["cesce"]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Answer(status, body, headers or {}).response()


def blueprint(name: str, operations: dict[str, Handler], api: ApiDocument, guard: Guard) -> Blueprint:
    """A blueprint routing each operation of an area at every URL the document and the
    catalogs give it."""
    bp = Blueprint(name, __name__)
    for operation_id, handler in operations.items():
        operation = api.operations[operation_id]
        view = _view(operation, handler, guard)
        for rule in operation.flask_rules():
            bp.add_url_rule(rule, operation_id, view, methods=[operation.method])
    return bp


@dataclass
class Exchange:
    """What the journal keeps of a request."""

    catalog: str
    operation: str
    arrived: datetime | None = None  # on the machine's clock
    tenant: str | None = None
    now: datetime | None = None  # on the tenant's clock, as it arrived
    token: str | None = None
    request_text: str | None = None
    findings: list[Finding] = field(default_factory=list)
    recorded: bool = False
    #: A fault drops the connection once the request is carried out.
    dropped: bool = False


@dataclass
class Incoming:
    """The raw request, read once: what the guard and the validation look at."""

    catalog: str
    operation: Operation
    authorization: str | None
    form: dict[str, str] | None
    raw: bytes
    json: Any
    #: The file parts of a multipart/form-data body, by name.
    files: dict[str, Upload] = field(default_factory=dict)

    @cached_property
    def language(self) -> str:
        value = request.args.get("languageCode", "")
        client = self.json.get("client") if isinstance(self.json, dict) else None
        if isinstance(client, dict) and isinstance(client.get("languageCode"), str):
            value = client["languageCode"]
        return "EN" if value.strip().upper() == "EN" else "ES"


def _view(operation: Operation, handler: Handler, guard: Guard) -> Callable[..., Response]:
    def view(catalog: str, **params: str) -> Response:
        exchange = Exchange(catalog, operation.operation_id, arrived=clocks.system_now())
        language = "ES"
        try:
            incoming = _incoming(catalog, operation)
            language = incoming.language
            answer = _serve(incoming, handler, guard, params, exchange)
        except GatewayError as error:
            answer = error.answer()
        except Injected as injected:
            answer = injected.answer
        except BusinessError as error:
            if catalog == "sandbox" and isinstance(error, NotFoundError):
                error = SandboxNotFound()
            answer = business_error_answer(error, language, params.get("contractNo"))
        except Seeding as seeding:
            answer = GatewayError(503, str(seeding), {"Retry-After": "1"}).answer()
        if not exchange.recorded:
            record(exchange, answer)
        return _dropped() if exchange.dropped else answer.response()

    view.__name__ = operation.operation_id
    return view


def _incoming(catalog: str, operation: Operation) -> Incoming:
    if operation.max_body is not None:
        request.max_content_length = operation.max_body
    form, files = None, {}
    try:
        raw = request.get_data(cache=True)
        # A chunked body says no length up front: Werkzeug reads it up to the limit and stops
        # there without a word, so a byte past the limit is what tells an over-long body.
        if request.content_length is None and len(raw) >= request.max_content_length \
                and request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
        if operation.media_type == "application/x-www-form-urlencoded":
            form = request.form.to_dict()
        elif operation.media_type == MULTIPART and request.mimetype == MULTIPART:
            # Parsed from the body read above (Werkzeug keeps it), within the same limit.
            form = request.form.to_dict()
            files = {name: Upload(part.filename or "", part.mimetype or "application/octet-stream", part.read())
                     for name, part in request.files.items()}
    except RequestEntityTooLarge:
        drain()
        raise GatewayError(413) from None
    except (OSError, ValueError):
        # A body the server could not read to its end (a malformed chunked encoding, say).
        raise GatewayError(400, "the request body could not be read") from None
    body = parse_json(raw) if request.mimetype == "application/json" or operation.media_type == "application/json" else None
    return Incoming(catalog, operation, request.headers.get("Authorization"), form, raw, body, files)


def drain() -> None:
    """Read and drop the body of a request refused for its size, up to DRAIN bytes: a client
    still sending it reads no answer until it has sent it, so it would see a broken connection
    where it should see the 413."""
    stream, left = request.environ["wsgi.input"], min(request.content_length or 0, DRAIN)
    while left > 0:
        chunk = stream.read(min(65536, left))
        if not chunk:
            return
        left -= len(chunk)


@dataclass
class _Read:
    """A request read against the document: its values, what was noticed, or why it fails."""

    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    problem: BusinessError | None = None


def _read(incoming: Incoming, params: dict[str, str], strict: bool) -> _Read:
    op = incoming.operation
    try:
        read_path(op.params, params)
        query, findings = read_query(op.query, request.args.to_dict(flat=False), strict)
        body: dict[str, Any] = incoming.form or {}
        if op.media_type == MULTIPART:
            body, more = read_multipart(op.body, incoming.form, incoming.files, strict)
            findings += more
        elif op.body is not None and incoming.form is None:
            if incoming.json is NOT_JSON:
                raise InvalidJson()
            body, more = read_body(op.body, incoming.json, request.content_type, strict)
            findings += more
    except BusinessError as problem:
        return _Read(problem=problem)
    return _Read(query, body, findings)


@dataclass
class _Admitted:
    """Who calls and when, as the first steps found them; ``fault``: one fired."""

    caller: Caller
    state: TenantState | None = None
    now: datetime | None = None
    fault: dict | None = None


def _serve(incoming: Incoming, handler: Handler, guard: Guard, params: dict[str, str], exchange: Exchange) -> Answer:
    cesce = services()
    op, catalog = incoming.operation, incoming.catalog
    sandbox = catalog == "sandbox" and op.secured
    exchange.request_text = _journal_text(incoming)
    replayed = _replay(cesce.replay, catalog, incoming) if sandbox and cesce.replay else None
    read = _read(incoming, params, cesce.settings.strict and op.secured)  # the token endpoint answers OAuth2 errors itself
    # A GET reads; so do the first steps of a sandbox operation, which runs in a transaction of its own.
    reads = op.method == "GET" or sandbox
    reading, faulted = reads, False
    while True:
        try:
            with cesce.store.transaction(write=not reading) as tx:
                admitted = _admit(tx, incoming, guard, exchange, faulted)
                if admitted.fault is None and not sandbox:
                    _allow(admitted, op, exchange)
                    return _operate(tx, incoming, handler, params, exchange, read, admitted)
        except WriteNeeded:
            reading = False
            continue
        if admitted.fault is not None:
            # Its use is committed; now its events, then its latency and answer, in no transaction.
            if admitted.fault["events"]:
                _fault_events(admitted.caller.tenant, admitted.fault)
            exchange.dropped = bool(admitted.fault["drop_connection"])  # whatever the answer
            _allow(admitted, op, exchange)
            inject(admitted.fault, incoming.language, params.get("contractNo"))
            faulted, reading = True, reads
            continue
        _allow(admitted, op, exchange)
        if replayed is not None:
            return replayed
        if read.problem is not None:
            raise read.problem
        cesce.sandbox.ensure()
        return _in_sandbox(incoming, handler, params, exchange, read, admitted)


def _in_sandbox(incoming: Incoming, handler: Handler, params: dict[str, str], exchange: Exchange, read: _Read,
                admitted: _Admitted) -> Answer:
    """The operation in the sandbox catalog's world, in a transaction rolled back: its rules
    run, nothing they write is kept."""
    cesce = services()
    reading = incoming.operation.method == "GET"
    while True:
        try:
            with cesce.store.transaction(write=not reading, rollback=True) as tx:
                return _operate(tx, incoming, handler, params, exchange, read, admitted, cesce.sandbox.world(tx))
        except WriteNeeded:
            reading = False


def _admit(tx: Tx, incoming: Incoming, guard: Guard, exchange: Exchange, faulted: bool) -> _Admitted:
    """Who calls (401 when the guard refuses), the tenant's clock and, unless one already
    fired for this request, the fault it consumes (which may move its clock)."""
    try:
        caller = guard(tx, incoming)
    except Refused as refused:
        raise _unauthorized(refused) from None
    exchange.tenant, exchange.token = caller.tenant, caller.token
    if caller.tenant is None:
        return _Admitted(caller)
    state = tenant_state(tx, caller.tenant)
    clock, fault = state.clock, None
    if state.faulty and not faulted:
        op = incoming.operation
        fault = tx.take_fault(caller.tenant, op.operation_id, op.method)
        if fault and fault["advance"]:
            clock = clock.shift(parse_duration(fault["advance"]))
            save_clock(tx, caller.tenant, clock)
    now = clock.now()
    if not faulted:
        exchange.now = clock.at(exchange.arrived)
    return _Admitted(caller, state, now, fault)


def _allow(admitted: _Admitted, op: Operation, exchange: Exchange) -> None:
    """The token's expiry on the tenant's clock (as the request found it) and its scopes."""
    caller = admitted.caller
    if caller.expires_at is not None and exchange.now >= caller.expires_at:
        raise _unauthorized(Refused("the access token has expired"))
    missing = [scope for scope in op.scopes if caller.scopes is not None and scope not in caller.scopes]
    if missing:
        raise _unauthorized(Refused(f"the access token lacks the {' '.join(missing)} scope", 403))


def _operate(tx: Tx, incoming: Incoming, handler: Handler, params: dict[str, str], exchange: Exchange, read: _Read,
             admitted: _Admitted, world: World | None = None) -> Answer:
    """The operation's handler in the tenant's world (or ``world``, the sandbox's), after the
    request's own problem if it has one; a write's journal entry goes in its transaction."""
    cesce = services()
    if read.problem is not None:
        raise read.problem
    exchange.findings = read.findings
    if world is None and admitted.caller.tenant is not None:
        world = enter(tx, cesce.model, admitted.caller.tenant, admitted.state, admitted.now)
    own = admitted.state.settings if admitted.state is not None else {}
    call = Call(world, incoming.operation, incoming.catalog, params, read.query, read.body, incoming.language,
                own.get("pageSize") or cesce.settings.page_size, bool(own.get("emptyPageAfterFull")))
    answer = handler(call)
    if world is not None and not world.sandbox and answer.status < 400 and tx.write:
        tx.append_journal([journal_entry(exchange, answer)], cesce.settings.journal_limit)  # one commit for both
        exchange.recorded = True
    return answer


def _journal_text(incoming: Incoming) -> str | None:
    if incoming.form is not None:
        secrets = SECRET_PARAMETERS
        fields = [f"{k}={'***' if k in secrets else v}" for k, v in incoming.form.items()]
        fields += [f"{name}=<{part.file_name} {part.content_type}, {len(part.data)} bytes>" for name, part in incoming.files.items()]
        return "&".join(fields) or None
    return incoming.raw[:JOURNAL_BODY].decode("utf-8", "replace") or None


def _unauthorized(refused: Refused) -> GatewayError:
    return GatewayError(refused.status, refused.reason, {"WWW-Authenticate": 'Bearer realm="cesce"'})


def _replay(replay: list, catalog: str, incoming: Incoming) -> Answer | None:
    below = request.path.split(f"/{catalog}", 1)[1]
    body = incoming.json if incoming.json is not NOT_JSON else None
    case = cases.find(replay, request.method, below, request.args.to_dict(), body)
    return None if case is None else Answer(case.status, case.response, dict(case.headers))


class Injected(Exception):
    """A fault's answer in Cesce's envelope, given instead of the operation's."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def inject(fault: dict, language: str = "ES", contract_no: str | None = None) -> None:
    """Apply an injected fault: wait its latency, then answer as it says if it says anything:
    Cesce's error envelope with its errorCode, or the gateway's error with its status."""
    if fault["latency_ms"]:
        time.sleep(fault["latency_ms"] / 1000)
    if fault["error_code"]:
        text = fault["error_description"] or services().model.error_text_of(fault["error_code"], language)
        client = {"contractNo": contract_no} if contract_no else {}
        raise Injected(Answer(fault["status"], wire.error_envelope(fault["error_code"], text, client)))
    if fault["status"]:
        headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
        raise GatewayError(fault["status"], "injected fault", headers)


#: The WSGI environ key that marks a request whose connection a fault drops.
DROP = "cesce.drop_connection"


def _dropped() -> Response:
    """The answer of a request whose connection a fault drops: marked, for ``dropping``."""
    request.environ[DROP] = True
    return Response(b"", 500)


def dropping(wsgi_app: Callable) -> Callable:
    """The WSGI app around ``wsgi_app`` that drops the connections a fault marked: it raises a
    ConnectionResetError before the server has sent a byte, which Werkzeug's server and
    cheroot both take for a client gone, closing the connection without a status line."""

    def app(environ: dict, start_response: Callable) -> Any:
        body = wsgi_app(environ, start_response)
        if environ.get(DROP):
            getattr(body, "close", lambda: None)()
            raise ConnectionResetError(errno.ECONNRESET, "injected fault: the connection drops before the answer")
        return body

    return app


def _fault_events(tenant: str, fault: dict) -> None:
    """Carry out the Cesce-side events a fault holds, in a transaction of their own: the fault
    stays consumed even when one of them cannot happen (a limit no longer in force), and the
    request is then answered with the gateway's 500, saying why."""
    cesce = services()
    try:
        with cesce.store.transaction() as tx:
            operator.apply_events(tx, cesce.model, tenant, json.loads(fault["events"]))
    except BusinessError as error:
        reason = cesce.model.error_text(error.key, "EN", error.params)[1]
    except operator.OperatorError as error:
        reason = str(error)
    else:
        return
    raise GatewayError(500, f"the injected fault's events could not be carried out: {reason}")


def business_error_answer(error: BusinessError, language: str, contract_no: str | None) -> Answer:
    code, text = services().model.error_text(error.key, language, error.params)
    client = {"contractNo": contract_no} if contract_no else {}
    return Answer(error.status, wire.error_envelope(code, text, client))


def record(exchange: Exchange, answer: Answer) -> None:
    """Journal a request that named a tenant and wrote nothing (a read, a refusal): with the
    next batch of such entries, not a commit of its own per request."""
    if exchange.tenant is None:
        return
    cesce = services()
    cesce.store.journal_later(journal_entry(exchange, answer), cesce.settings.journal_limit)


def journal_entry(exchange: Exchange, answer: Answer) -> dict:
    query = {name: ["***"] * len(values) if name in SECRET_PARAMETERS else values
             for name, values in request.args.to_dict(flat=False).items()}
    return {
        "tenant": exchange.tenant,
        "at": exchange.now,
        "catalog": exchange.catalog,
        "operation": exchange.operation,
        "method": request.method,
        "path": request.path,
        "query": json.dumps(query),
        "request": exchange.request_text,
        "status": answer.status,
        "response": json.dumps(_summary(exchange.operation, answer)),
        "token": exchange.token,
        "findings": json.dumps([f.to_dict() for f in exchange.findings]),
    }


def _summary(operation_id: str, answer: Answer) -> dict[str, Any]:
    """What the journal keeps of a response: what its area says of it (which token a token
    call issued), else the error with its text, Retry-After, the next page's cursor (as the
    operation's paging declares it), how many records a page had (full pages of 500 records
    would make the journal heavier than the state), the key fields of a single record (as its
    area declares them)."""
    body = answer.body
    if not isinstance(body, dict):
        return {}
    area = services().area_of[operation_id]
    special = area.summary(body) if area.summary else None
    if special is not None:
        return special
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
    paging = services().api.operations[operation_id].paging
    if paging is not None and paging.following(body) is not None:
        summary["next"] = paging.following(body)
    for key, value in body.items():
        if isinstance(value, list):
            summary[key] = len(value)  # the records on the page
        elif key not in ("error", "client"):
            kept = area.journal_fields.get(key)
            summary[key] = {k: value.get(k) for k in kept} if kept and isinstance(value, dict) else value
    return summary
