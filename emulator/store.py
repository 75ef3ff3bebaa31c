"""SQLite state: schema, transactions and tenant scoping.

All SQL lives here (the schema in schema.sql), written to stay portable. Rules receive a ``Tx``
and read and write plain dicts keyed by column name; DATE and INSTANT columns come back as
``date`` and ``datetime``. Every transaction holds the store's lock and commits as a whole, so an
acknowledged write is durable and a failed request leaves nothing half-written.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from importlib.resources import files
from typing import Any

from emulator.clock import format_instant, parse_instant

Row = dict[str, Any]

# "ORDER BY +endorsement_no" in the lookups and the movements query: the unary plus (valid in
# any SQL) stops SQLite from walking the primary key in endorsement order to skip a sort, which
# would read every debtor of the contract; it then uses the index on the filtered columns, so
# the cost follows the rows found, not the size of the portfolio.

SANDBOX_TENANT = "~sandbox"  # the shared, read-only world of the sandbox catalog (not a client id)


class Store:
    def __init__(self, path: str = ":memory:", synchronous: str = "NORMAL") -> None:
        """``synchronous`` is SQLite's: with WAL, NORMAL puts a commit in the log before the
        answer, so it survives a crash or kill of the process, and fsyncs only at checkpoints;
        FULL fsyncs every commit, so it also survives a power loss or an OS crash."""
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous: NORMAL or FULL, not {synchronous!r}")
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(f"PRAGMA synchronous={synchronous}")
            self._conn.execute("PRAGMA busy_timeout=10000")
        self._conn.executescript(files("emulator").joinpath("schema.sql").read_text("utf-8"))
        self._kinds = {
            (table, col[1]): col[2]  # (cid, name, type, ...)
            for table in ("tenants", "contracts", "debtors", "tokens", "journal", "faults")
            for col in self._conn.execute(f"PRAGMA table_info({table})")
        }
        # Per table, the columns read back as Python values (a page of 500 rows converts these
        # few, not every column).
        converters = {"INSTANT": parse_instant, "DATE": date.fromisoformat}
        self._converters: dict[str, list[tuple[str, Any]]] = {}
        for (table, column), kind in self._kinds.items():
            self._converters.setdefault(table, [])
            if kind in converters:
                self._converters[table].append((column, converters[kind]))

    @contextmanager
    def transaction(self, *, rollback: bool = False) -> Iterator[Tx]:
        """One atomic unit of work. With ``rollback`` nothing it writes is kept: the sandbox
        catalog runs the same rules that way, so no state leaks between its requests."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("ROLLBACK" if rollback else "COMMIT")

    def ping(self) -> None:
        """Raise sqlite3.Error if the database does not answer. It does not wait behind a
        transaction in progress: a store busy with a long write (seeding 100,000 debtors, say)
        is a working store, and readiness must not wait 15 s for it."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._conn.execute("SELECT 1 FROM tenants LIMIT 1").fetchall()
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- conversions between Python values and columns -------------------------------------

    def _to_db(self, table: str, row: Row) -> Row:
        out = {}
        for key, value in row.items():
            if (table, key) not in self._kinds:
                raise KeyError(f"{table} has no column {key}")
            out[key] = _param(value)
        return out

    def _from_db(self, table: str, row: Row) -> Row:
        for key, convert in self._converters[table]:
            if row.get(key) is not None:
                row[key] = convert(row[key])
        return row


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class Tx:
    """The operations the rules may perform, inside one transaction."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._conn = store._conn

    def _all(self, table: str, sql: str, *params: Any) -> list[Row]:
        cursor = self._conn.execute(sql, [_param(p) for p in params])
        names = [column[0] for column in cursor.description]
        return [self._store._from_db(table, dict(zip(names, row))) for row in cursor.fetchall()]

    def _one(self, table: str, sql: str, *params: Any) -> Row | None:
        rows = self._all(table, sql, *params)
        return rows[0] if rows else None

    def _insert(self, table: str, rows: list[Row]) -> None:
        if not rows:
            return
        converted = [self._store._to_db(table, row) for row in rows]
        columns = list(converted[0])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self._conn.executemany(sql, [[row[c] for c in columns] for row in converted])

    # -- tenants and clocks -----------------------------------------------------------------

    def tenant(self, tenant: str) -> Row | None:
        return self._one("tenants", "SELECT * FROM tenants WHERE tenant = ?", tenant)

    def save_tenant(self, tenant: str, clock_offset: float, clock_frozen_at: datetime | None) -> None:
        self._conn.execute("DELETE FROM tenants WHERE tenant = ?", [tenant])
        self._insert("tenants", [{"tenant": tenant, "clock_offset": clock_offset, "clock_frozen_at": clock_frozen_at}])

    def reset(self, tenant: str | None = None) -> None:
        """Forget a tenant (or every tenant, the sandbox's world aside): world, clock, tokens,
        journal and faults."""
        for table in ("tenants", "contracts", "debtors", "tokens", "journal", "faults"):
            if tenant is None:
                self._conn.execute(f"DELETE FROM {table} WHERE tenant <> ?", [SANDBOX_TENANT])
            else:
                self._conn.execute(f"DELETE FROM {table} WHERE tenant = ?", [tenant])

    # -- contracts --------------------------------------------------------------------------

    def contract(self, tenant: str, contract_no: str) -> Row | None:
        return self._one(
            "contracts", "SELECT * FROM contracts WHERE tenant = ? AND contract_no = ?", tenant, contract_no
        )

    def contracts(self, tenant: str) -> list[Row]:
        return self._all("contracts", "SELECT * FROM contracts WHERE tenant = ? ORDER BY contract_no", tenant)

    def insert_contract(self, row: Row) -> None:
        self._insert("contracts", [row])

    def delete_contract(self, tenant: str, contract_no: str) -> None:
        for table in ("contracts", "debtors"):
            self._conn.execute(f"DELETE FROM {table} WHERE tenant = ? AND contract_no = ?", [tenant, contract_no])

    def take_number(self, tenant: str, contract_no: str, counter: str) -> int:
        """The contract's next number from ``counter`` (next_endorsement_no or next_request_no)."""
        if counter not in ("next_endorsement_no", "next_request_no"):
            raise KeyError(counter)
        row = self._conn.execute(
            f"SELECT {counter} FROM contracts WHERE tenant = ? AND contract_no = ?", [tenant, contract_no]
        ).fetchone()
        self._conn.execute(
            f"UPDATE contracts SET {counter} = {counter} + 1 WHERE tenant = ? AND contract_no = ?",
            [tenant, contract_no],
        )
        return row[0]

    def set_number(self, tenant: str, contract_no: str, counter: str, value: int) -> None:
        if counter not in ("next_endorsement_no", "next_request_no"):
            raise KeyError(counter)
        self._conn.execute(
            f"UPDATE contracts SET {counter} = ? WHERE tenant = ? AND contract_no = ?", [value, tenant, contract_no]
        )

    # -- debtors ----------------------------------------------------------------------------

    def debtor(self, tenant: str, contract_no: str, endorsement_no: int) -> Row | None:
        return self._one(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND contract_no = ? AND endorsement_no = ?",
            tenant, contract_no, endorsement_no,
        )

    def firm_debtor_by_reference(self, tenant: str, contract_no: str, reference: str) -> Row | None:
        return self._one(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND contract_no = ? AND customer_reference = ?"
            " AND pending_of IS NULL ORDER BY +endorsement_no",
            tenant, contract_no, reference,
        )

    def firm_debtor_by_tax_code(self, tenant: str, contract_no: str, country: str, tax_code: str) -> Row | None:
        return self._one(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND contract_no = ? AND country_code = ? AND tax_code = ?"
            " AND pending_of IS NULL ORDER BY +endorsement_no",
            tenant, contract_no, country, tax_code,
        )

    def request_pending_on(self, tenant: str, contract_no: str, endorsement_no: int) -> Row | None:
        return self._one(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND contract_no = ? AND pending_of = ?",
            tenant, contract_no, endorsement_no,
        )

    def portfolio_page(self, tenant: str, contract_no: str, start: int, limit: int) -> list[Row]:
        return self._all(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND contract_no = ? AND endorsement_no >= ?"
            " ORDER BY endorsement_no LIMIT ?",
            tenant, contract_no, start, limit,
        )

    def movements_page(
        self, tenant: str, contract_no: str, since: datetime, until: datetime, start: int, limit: int
    ) -> list[Row]:
        """Firm records changed in (since, until], from endorsement ``start`` on. The range on
        changed_at is what keeps the cost tied to the number of movements, not of debtors."""
        return self._all(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND contract_no = ? AND changed_at > ? AND changed_at <= ?"
            " AND endorsement_no >= ? ORDER BY +endorsement_no LIMIT ?",
            tenant, contract_no, since, until, start, limit,
        )

    def debtors(self, tenant: str, contract_no: str) -> list[Row]:
        return self._all(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND contract_no = ? ORDER BY endorsement_no",
            tenant, contract_no,
        )

    def due_requests(self, tenant: str, now: datetime) -> list[Row]:
        """Pending requests whose decision time has come, oldest first."""
        return self._all(
            "debtors",
            "SELECT * FROM debtors WHERE tenant = ? AND resolve_at <= ? ORDER BY resolve_at, endorsement_no",
            tenant, now,
        )

    def insert_debtors(self, rows: list[Row]) -> None:
        self._insert("debtors", rows)

    def update_debtor(self, tenant: str, contract_no: str, endorsement_no: int, changes: Row) -> None:
        if not changes:
            return
        converted = self._store._to_db("debtors", changes)
        assignments = ", ".join(f"{column} = ?" for column in converted)
        self._conn.execute(
            f"UPDATE debtors SET {assignments} WHERE tenant = ? AND contract_no = ? AND endorsement_no = ?",
            [*converted.values(), tenant, contract_no, endorsement_no],
        )

    def delete_debtor(self, tenant: str, contract_no: str, endorsement_no: int) -> None:
        self._conn.execute(
            "DELETE FROM debtors WHERE tenant = ? AND contract_no = ? AND endorsement_no = ?",
            [tenant, contract_no, endorsement_no],
        )

    # -- tokens -----------------------------------------------------------------------------

    def insert_token(self, row: Row) -> None:
        self._insert("tokens", [row])

    def token(self, value: str) -> Row | None:
        return self._one("tokens", "SELECT * FROM tokens WHERE token = ?", value)

    def revoke_token(self, value: str) -> None:
        self._conn.execute("UPDATE tokens SET revoked = 1 WHERE token = ?", [value])

    # -- journal ----------------------------------------------------------------------------

    def append_journal(self, entry: Row) -> None:
        self._insert("journal", [entry])

    def journal(self, tenant: str, after: int = 0, limit: int = 1000) -> list[Row]:
        return self._all(
            "journal", "SELECT * FROM journal WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?", tenant, after, limit
        )

    # -- faults -----------------------------------------------------------------------------

    def insert_fault(self, row: Row) -> None:
        self._insert("faults", [row])

    def faults(self, tenant: str) -> list[Row]:
        return self._all("faults", "SELECT * FROM faults WHERE tenant = ? AND remaining > 0 ORDER BY id", tenant)

    def take_fault(self, tenant: str, operation: str, method: str) -> Row | None:
        """The oldest fault matching this request, with one use of it consumed; None while it
        still lets matching requests through (its ``skip``)."""
        fault = self._one(
            "faults",
            "SELECT * FROM faults WHERE tenant = ? AND remaining > 0 AND (operation IS NULL OR operation = ?)"
            " AND (method IS NULL OR method = ?) ORDER BY id LIMIT 1",
            tenant, operation, method,
        )
        if fault and fault["skip"]:
            self._conn.execute("UPDATE faults SET skip = skip - 1 WHERE id = ?", [fault["id"]])
            return None
        if fault:
            self._conn.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", [fault["id"]])
        return fault

    def clear_faults(self, tenant: str) -> None:
        self._conn.execute("DELETE FROM faults WHERE tenant = ?", [tenant])
