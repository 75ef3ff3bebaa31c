"""The auth area's SQL: issued tokens (table ``tokens``), run through the core's Tx."""

from __future__ import annotations

from emulator.store import Row, Tx


def insert(tx: Tx, row: Row) -> None:
    tx.insert("tokens", [row])


def token(tx: Tx, value: str) -> Row | None:
    return tx.one("tokens", "SELECT * FROM tokens WHERE token = ?", value)


def revoke(tx: Tx, value: str) -> bool:
    """Revoke a token; whether this call did (False when it already was: a concurrent refresh
    of the same refresh token lost the race)."""
    return tx.execute("UPDATE tokens SET revoked = 1 WHERE token = ? AND revoked = 0", value) == 1
