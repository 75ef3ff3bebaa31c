"""HTTP glue of the OAuth product: the token endpoint (form parameters in, OAuth2 JSON out),
and the guard that tells the gateway who calls each operation."""

from __future__ import annotations

from emulator.areas import Operations
from emulator.auth import rules
from emulator.gateway import Answer, Call, Caller, Incoming, Refused
from emulator.store import Tx

operations = Operations()


def guard(tx: Tx, incoming: Incoming) -> Caller:
    """The bearer token's tenant, scopes and expiry; for the token endpoint, the tenant its
    client_id names (None when that is not a valid client id: the token rules refuse it)."""
    if not incoming.operation.secured:
        client_id = (incoming.form or {}).get("client_id", "")
        return Caller(client_id if rules.valid_client_id(client_id) else None)
    try:
        token = rules.bearer(tx, incoming.authorization, incoming.catalog)
    except rules.Unknown as unknown:
        raise Refused(str(unknown)) from None
    return Caller(token.tenant, token.scopes, token.expires_at, token.reference)


@operations("token")
def token(call: Call) -> Answer:
    """POST oauth2/v1/token: the password or refresh_token grant."""
    form = call.body
    try:
        if not form:
            raise rules.OAuthError("invalid_request", "the token endpoint takes form parameters"
                                                      " (application/x-www-form-urlencoded)")
        if call.world is None:
            rules.client_of(form)  # names why the client id is refused
        pair = rules.token(call.world.tx, call.catalog, form, call.world.now)
    except rules.OAuthError as error:
        headers = {"WWW-Authenticate": 'Basic realm="cesce"'} if error.status == 401 else {}
        return Answer(error.status, {"error": error.error, "error_description": error.description}, headers)
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


def summary(body: object) -> dict | None:
    """What the journal keeps of a token answer: which token it issued, never the token."""
    if isinstance(body, dict) and "access_token" in body:
        return {"token": rules.reference(body["access_token"]), "scope": body.get("scope")}
    return None
