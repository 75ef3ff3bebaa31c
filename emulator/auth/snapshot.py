"""The tokens of a tenant in a snapshot of its world, and back.

A token names its client id: the bearer token tells the gateway whose world a request is for.
So a world restored under the client id it was taken of gets its tokens back, and a client's
tokens keep working, refresh tokens included; one restored under another client id gets none
(the first world may still hold them in the same emulator, and one token cannot name two
tenants), and its client takes its own from the token endpoint, as any new client does.
"""

from __future__ import annotations

from emulator.areas import SnapshotError
from emulator.auth import store
from emulator.clock import format_instant, parse_instant
from emulator.sandbox_model import schema_problem
from emulator.world import World

_TOKEN = {
    "type": "object",
    "required": ["token", "kind", "catalog", "scope", "issuedAt", "expiresAt", "revoked"],
    "additionalProperties": False,
    "properties": {
        "token": {"type": "string", "minLength": 1},
        "kind": {"enum": ["access", "refresh"]},
        "catalog": {"type": "string", "minLength": 1},
        "scope": {"type": "string"},
        "issuedAt": {"type": "string"},
        "expiresAt": {"type": "string"},
        "revoked": {"type": "boolean"},
        "revokedByCesce": {"const": True, "description": "revoked by a Cesce-side event, not used by a refresh"},
    },
}


def view(world: World) -> dict[str, list]:
    """The tenant's tokens, the used and expired ones too (a refresh token used once answers
    "already used" after a restore as before it, one Cesce revoked "revoked")."""
    return {"tokens": [{"token": row["token"], "kind": row["kind"], "catalog": row["catalog"], "scope": row["scope"],
                        "issuedAt": format_instant(row["issued_at"]), "expiresAt": format_instant(row["expires_at"]),
                        "revoked": bool(row["revoked"]),
                        **({"revokedByCesce": True} if row["revoked"] == store.REVOKED else {})}
                       for row in store.tokens(world.tx, world.tenant)]}


def restore(world: World, part: dict[str, list], taken_of: str) -> None:
    """The inverse of ``view``, under the client id the snapshot was taken of only (checked
    under any: a malformed snapshot is refused wherever it goes)."""
    rows, seen = [], set()
    for index, token in enumerate(part["tokens"]):
        where = f"tokens/{index}"
        problem = schema_problem(token, _TOKEN)
        if problem is not None:
            raise SnapshotError("/".join(filter(None, [where, problem[0]])), problem[1])
        issued, expires = _instant(token, "issuedAt", where), _instant(token, "expiresAt", where)
        if token["token"] in seen:
            raise SnapshotError(f"{where}/token", "the same token twice")
        seen.add(token["token"])
        rows.append({"token": token["token"], "kind": token["kind"], "tenant": world.tenant, "catalog": token["catalog"],
                     "scope": token["scope"], "issued_at": issued, "expires_at": expires,
                     "revoked": store.REVOKED if token.get("revokedByCesce") else int(token["revoked"])})
    if world.tenant != taken_of:
        return
    if store.held(world.tx, list(seen)):
        raise SnapshotError("tokens", "a token of the snapshot is issued to another tenant of this emulator")
    store.insert_many(world.tx, rows)


def _instant(token: dict, key: str, where: str):
    try:
        return parse_instant(token[key])
    except ValueError:
        raise SnapshotError(f"{where}/{key}", f"not an ISO 8601 instant: {token[key]!r}") from None
