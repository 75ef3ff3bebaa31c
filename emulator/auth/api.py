"""HTTP glue of the token endpoint: form parameters in, OAuth2 JSON out."""

from __future__ import annotations

from flask import Blueprint, Response, request

from emulator.api_document import ApiDocument
from emulator.auth import rules
from emulator.clock import ClockState
from emulator.gateway import Answer, Exchange, GatewayError, inject, record, services
from emulator.world import clock_of

_SECRETS = ("client_secret", "password", "refresh_token")


def blueprint(api: ApiDocument) -> Blueprint:
    bp = Blueprint("auth", __name__)
    for rule in api.operations["token"].flask_rules():
        bp.add_url_rule(rule, "token", token, methods=["POST"])
    return bp


def token(catalog: str) -> Response:
    form = request.form.to_dict()
    exchange = Exchange(catalog, "token", tenant=form.get("client_id") or None)
    exchange.request_text = "&".join(f"{k}={'***' if k in _SECRETS else v}" for k, v in form.items()) or None
    try:
        answer = _token(catalog, form, exchange)
    except GatewayError as error:
        answer = error.answer()
    except rules.OAuthError as error:
        headers = {"WWW-Authenticate": 'Basic realm="cesce"'} if error.status == 401 else {}
        answer = Answer(error.status, {"error": error.error, "error_description": error.description}, headers)
    if exchange.tenant and len(exchange.tenant) <= 200:
        record(exchange, answer)
    return answer.response()


def _token(catalog: str, form: dict[str, str], exchange: Exchange) -> Answer:
    cesce = services()
    if not form and request.is_json:
        raise rules.OAuthError("invalid_request", "the token endpoint takes form parameters (application/x-www-form-urlencoded)")
    with cesce.store.transaction() as tx:
        exchange.now = now = clock_of(tx, exchange.tenant).now() if exchange.tenant else ClockState().now()
        fault = tx.take_fault(exchange.tenant, "token", "POST") if exchange.tenant else None
    if fault:
        inject(fault)
    with cesce.store.transaction() as tx:
        pair = rules.token(tx, catalog, form, now)
    body = {
        "token_type": "Bearer",
        "access_token": pair.access_token,
        "expires_in": int(rules.ACCESS_LIFETIME.total_seconds()),
        "consented_on": int(pair.issued_at.timestamp()),
        "scope": pair.scope,
        "refresh_token": pair.refresh_token,
        "refresh_token_expires_in": int(rules.REFRESH_LIFETIME.total_seconds()),
    }
    return Answer(200, body, {"Cache-Control": "no-store"})
