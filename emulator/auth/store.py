"""The auth area's SQL: issued tokens (table ``tokens``), run through the core's Tx."""

from __future__ import annotations

from emulator.store import Row, Tx

#: Why a token stopped working (its ``revoked`` column): traded in by a refresh, or revoked by
#: Cesce (a Cesce-side event).
USED, REVOKED = 1, 2


def insert(tx: Tx, row: Row) -> None:
    tx.insert("tokens", [row])


def token(tx: Tx, value: str) -> Row | None:
    return tx.one("tokens", "SELECT * FROM tokens WHERE token = ?", value)


def revoke(tx: Tx, value: str) -> bool:
    """Revoke a token; whether this call did (False when it already was: a concurrent refresh
    of the same refresh token lost the race)."""
    return tx.execute("UPDATE tokens SET revoked = ? WHERE token = ? AND revoked = 0", USED, value) == 1


def revoke_refresh_tokens(tx: Tx, tenant: str) -> int:
    """Revoke every refresh token of a tenant still in use; how many there were."""
    return tx.execute("UPDATE tokens SET revoked = ? WHERE tenant = ? AND kind = 'refresh' AND revoked = 0",
                      REVOKED, tenant)


def tokens(tx: Tx, tenant: str) -> list[Row]:
    """Every token issued to a tenant, in the order they were issued."""
    return tx.all("tokens", "SELECT * FROM tokens WHERE tenant = ? ORDER BY issued_at, kind, token", tenant)


def insert_many(tx: Tx, rows: list[Row]) -> None:
    tx.insert("tokens", rows)


def held(tx: Tx, values: list[str]) -> bool:
    """Whether any of these tokens is already issued (to any tenant)."""
    return tx.holds("tokens", "token", values)
