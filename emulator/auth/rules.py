"""OAuth2 as Cesce's gateway runs it (guide §2, PUBLIC-FACTS §2.1).

The password grant gives an access token (3600 s) and a refresh token (2592000 s); the refresh
grant trades a refresh token for a new pair, and the one traded stops working. Any username and
password are accepted; the client_id names the tenant. Lifetimes run on the tenant's clock, and
a token only works in the catalog that issued it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from emulator.auth import store
from emulator.store import SANDBOX_TENANT, Tx

ACCESS_LIFETIME = timedelta(seconds=3600)
REFRESH_LIFETIME = timedelta(seconds=2592000)
SCOPES = ("create", "read", "update", "delete")  # all four, in the order of Cesce's example
MAX_CLIENT_ID = 200  # the limit the OpenAPI document gives client_id


class OAuthError(Exception):
    """An RFC 6749 error answer of the token endpoint."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    scope: str
    issued_at: datetime


@dataclass(frozen=True)
class Bearer:
    tenant: str
    scopes: frozenset[str]
    expires_at: datetime
    reference: str


class Unknown(Exception):
    """An Authorization header without a token the emulator issued for this catalog."""


def reference(token: str) -> str:
    """A short name for a token that the journal can show without revealing it."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def client_id_problem(client_id: str) -> str | None:
    """Why ``client_id`` cannot name a tenant, or None: the one rule of the token endpoint and
    the operator surface."""
    if len(client_id) > MAX_CLIENT_ID:
        return f"longer than {MAX_CLIENT_ID} characters"
    if not client_id.isprintable():
        return "contains a control character"
    if client_id == SANDBOX_TENANT:
        return "reserved for the sandbox catalog's world"
    return None


def valid_client_id(client_id: str) -> bool:
    """Whether a client id can name a tenant: up to 200 printable characters, not the
    sandbox's own world."""
    return bool(client_id) and client_id_problem(client_id) is None


def client_of(form: dict[str, str]) -> str:
    """The tenant a token request is for: its client_id (invalid_client without one)."""
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not secret:
        raise OAuthError("invalid_client", "client_id and client_secret are required", 401)
    if problem := client_id_problem(client_id):
        raise OAuthError("invalid_client", f"client_id is not a valid client identifier ({problem})", 401)
    if len(secret) > MAX_CLIENT_ID:  # the limit the OpenAPI document gives client_secret, as client_id
        raise OAuthError("invalid_client", "client_secret is not a valid client secret", 401)
    return client_id


def token(tx: Tx, catalog: str, form: dict[str, str], now: datetime) -> TokenPair:
    """POST oauth2/v1/token, either grant."""
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant not in ("password", "refresh_token"):
        raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported; use password or refresh_token")
    tenant = client_of(form)
    if grant == "password":
        for name in ("username", "password"):
            if not form.get(name):
                raise OAuthError("invalid_request", f"{name} is required for the password grant")
        return _issue(tx, tenant, catalog, _scope(form.get("scope")), now)
    value = form.get("refresh_token")
    if not value:
        raise OAuthError("invalid_request", "refresh_token is required for the refresh_token grant")
    row = store.token(tx, value)
    if not row or row["kind"] != "refresh" or row["tenant"] != tenant or row["catalog"] != catalog:
        raise OAuthError("invalid_grant", "the refresh token is not valid for this client")
    if row["revoked"] == store.REVOKED:
        raise OAuthError("invalid_grant", "the refresh token was revoked")
    if row["revoked"]:
        raise OAuthError("invalid_grant", "the refresh token was already used")
    if now >= row["expires_at"]:
        raise OAuthError("invalid_grant", "the refresh token has expired")
    granted = row["scope"].split()
    scope = _scope(form.get("scope")) if form.get("scope") else row["scope"]
    if not set(scope.split()) <= set(granted):
        raise OAuthError("invalid_scope", "a refresh cannot widen the scope granted")
    if not store.revoke(tx, value):
        raise OAuthError("invalid_grant", "the refresh token was already used")
    return _issue(tx, tenant, catalog, scope, now)


def revoke_refresh_tokens(tx: Tx, tenant: str) -> int:
    """Cesce revokes a client's refresh tokens (a credential reset, say): each refresh grant
    that follows is refused with invalid_grant, and the client must sign in again with the
    password grant. Access tokens keep working until they expire."""
    return store.revoke_refresh_tokens(tx, tenant)


def bearer(tx: Tx, authorization: str | None, catalog: str) -> Bearer:
    """The access token of an Authorization header, whoever's clock it runs on (Unknown if
    missing, malformed, unknown, of another catalog or revoked, each saying which; expiry and
    scope are the gateway's to check)."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unknown("no bearer token in the Authorization header")
    row = store.token(tx, value.strip())
    if not row:
        raise Unknown("the access token is unknown: get one from the token endpoint")
    if row["kind"] != "access":
        raise Unknown("this is a refresh token: send the access token of the token response")
    if row["catalog"] != catalog:
        raise Unknown(f"the access token was issued by the {row['catalog']} catalog;"
                      f" it is not valid in this catalog ({catalog})")
    if row["revoked"]:
        raise Unknown("the access token was revoked")
    return Bearer(row["tenant"], frozenset(row["scope"].split()), row["expires_at"], reference(row["token"]))


def _scope(requested: str | None) -> str:
    if requested is None or not requested.strip():
        return " ".join(SCOPES)
    asked = list(dict.fromkeys(requested.split()))
    unknown = [s for s in asked if s not in SCOPES]
    if unknown:
        raise OAuthError("invalid_scope", f"unknown scope {unknown[0]!r}; scopes are {' '.join(SCOPES)}")
    return " ".join(asked)


def _issue(tx: Tx, tenant: str, catalog: str, scope: str, now: datetime) -> TokenPair:
    pair = TokenPair(secrets.token_urlsafe(32), secrets.token_urlsafe(48), scope, now)
    for kind, value, lifetime in (("access", pair.access_token, ACCESS_LIFETIME),
                                  ("refresh", pair.refresh_token, REFRESH_LIFETIME)):
        store.insert(tx, {"token": value, "kind": kind, "tenant": tenant, "catalog": catalog, "scope": scope,
                          "issued_at": now, "expires_at": now + lifetime})
    return pair
