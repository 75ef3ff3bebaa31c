"""SQLite state: transactions, tenant scoping, the schema's version and its migrations.

All SQL lives in the store: the core's tables here, each area's in its own ``store`` module,
which runs its queries through a ``Tx``. Rules receive a ``Tx`` and read and write plain dicts
keyed by column name; DATE and INSTANT columns come back as ``date`` and ``datetime``. Every
transaction commits as a whole, so an acknowledged write is durable and a failed request leaves
nothing half-written.

Concurrency (emulator.connections): each transaction in progress has a connection of its own to
a WAL database. A read transaction (``write=False``) reads a snapshot and neither waits for a
writer nor holds one up; a write transaction (``BEGIN IMMEDIATE``) holds the database's write
lock until it commits, so writes are serialized by the database itself, which is what lets
several processes share one file (a CLI seeding while the server runs). A read transaction
refuses to write (``WriteNeeded``), so a caller that expected to only read starts again in a
write transaction. A long task written in steps (``Tx.step``: seeding 100,000 debtors) lets
every waiting writer in between its steps.

The schema carries a version (``PRAGMA user_version``): the number of the last migration
applied. Migrations are numbered SQL scripts, the core's in emulator/migrations/ and each
area's in its own migrations/ folder; opening a state file applies those it has not had yet, so
a file made by an older release opens with nothing lost. Table and column lists are read from
the database itself, never kept by hand.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from emulator.clock import format_instant, parse_instant
from emulator.connections import Connections

Row = dict[str, Any]
T = TypeVar("T")

SANDBOX_TENANT = "~sandbox"  # the shared, read-only world of the sandbox catalog (not a client id)
#: The core's tables that hold nothing time-bound: a tenant with rows only there has no history.
_TIMELESS = frozenset({"tenants", "contracts", "counters", "faults", "tenant_settings"})
CORE_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION = re.compile(r"([0-9]{4})_[a-z0-9_]+\.sql")
# The journal's trimming draws from its own generator: the random module's shared one belongs to
# the process (a test drawing examples with Hypothesis sees its state change and fails).
_TRIM = random.Random()


class StoreError(RuntimeError):
    """The state file cannot be used by this release."""


class WriteNeeded(Exception):
    """A read transaction was asked to write: start the work again in a write transaction."""


def migration_files(directory: Path) -> dict[int, str]:
    """The migrations of a folder: {number: SQL} from files named NNNN_what.sql."""
    found = {}
    for path in sorted(directory.glob("*.sql")) if directory.is_dir() else []:
        match = _MIGRATION.fullmatch(path.name)
        if not match:
            raise StoreError(f"{path}: a migration is named NNNN_what.sql")
        found[int(match[1])] = path.read_text("utf-8")
    return found


@dataclass(frozen=True)
class Steps:
    """A write transaction written in steps (``Tx.step``): ``between`` hears how many records
    each step wrote, in no transaction; ``resume`` starts each next step, and raises when the
    task must not go on (what it writes was reset meanwhile, say)."""

    between: Callable[[int], None] = lambda done: None
    resume: Callable[[Tx], None] = lambda tx: None


class Store:
    def __init__(self, path: str = ":memory:", migrations: Mapping[int, tuple[str, str]] | None = None,
                 synchronous: str = "NORMAL") -> None:
        """Open (or create) the state at ``path`` and bring its schema up to date with
        ``migrations`` ({number: (owner, SQL)}; by default the core's and every shipped area's).
        ``synchronous`` is SQLite's: with WAL, NORMAL puts a commit in the log before the
        answer, so it survives a crash or kill of the process, and fsyncs only at checkpoints;
        FULL fsyncs every commit, so it also survives a power loss or an OS crash."""
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous: NORMAL or FULL, not {synchronous!r}")
        self.path = path
        self._connections = Connections(path, synchronous)
        if migrations is None:
            from emulator.areas import discover

            migrations = all_migrations(discover().migrations())
        conn = self._connections.connect()
        try:
            if path == ":memory:":
                _copy_empty(migrations, conn)  # already migrated: a copy costs less than the scripts
            conn.execute("PRAGMA journal_mode=WAL")
            self.version = self._migrate(conn, migrations)
            tables = [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            self._kinds: dict[str, dict[str, str]] = {
                table: {col[1]: col[2] for col in conn.execute(f"PRAGMA table_info({table})")} for table in tables}
        except BaseException:
            conn.close()
            raise
        self._connections.give(conn)
        converters = {"INSTANT": parse_instant, "DATE": date.fromisoformat}
        # The columns read back as Python values: a row converts only these few.
        self._converters = {table: {name: converters[kind] for name, kind in columns.items() if kind in converters}
                            for table, columns in self._kinds.items()}
        self.tenant_tables = tuple(table for table, columns in self._kinds.items() if "tenant" in columns)

    def _migrate(self, conn: sqlite3.Connection, migrations: Mapping[int, tuple[str, str]]) -> int:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        latest = max(migrations, default=0)
        if version > latest:
            raise StoreError(f"{self.path} has schema version {version}, made by a newer cesce-sandbox;"
                             f" this release reads up to version {latest}")
        for number in range(version + 1, latest + 1):
            owner, script = migrations[number]
            try:
                # A migration is one transaction: the file is at one version or the next.
                conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.Error as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: migration {number} ({owner}) failed: {error}") from None
        return latest

    def tables(self) -> list[str]:
        return sorted(self._kinds)

    @contextmanager
    def transaction(self, *, write: bool = True, rollback: bool = False, steps: Steps | None = None) -> Iterator[Tx]:
        """One atomic unit of work. A read transaction (``write=False``) sees one snapshot and
        raises WriteNeeded at its first write. With ``rollback`` nothing written is kept: the
        sandbox catalog runs the same rules that way, so no state leaks between its requests.
        With ``steps`` (a write transaction), ``Tx.step`` commits what is written so far and
        starts again, letting the writers waiting go first."""
        conn = self._connections.take()
        tx = Tx(self, conn, write, steps)
        try:
            if write:
                tx._begin()
            else:
                conn.execute("BEGIN")
            try:
                yield tx
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT" if write and not rollback else "ROLLBACK")
        finally:
            tx._end()
            self._connections.give(conn)

    def view(self, work: Callable[[Tx], T]) -> T:
        """What ``work`` finds, in a read transaction; when it has to write on the way (a view
        works out a world as it would be: a tenant's first contact, work fallen due), again in
        a write transaction rolled back. A view changes nothing, and mostly holds no one up."""
        try:
            with self.transaction(write=False) as tx:
                return work(tx)
        except WriteNeeded:
            with self.transaction(rollback=True) as tx:
                return work(tx)

    def ping(self) -> None:
        """Raise sqlite3.Error if the database does not answer. A read on a connection of its
        own: it waits for no transaction in progress, however long (seeding 100,000 debtors)."""
        conn = self._connections.take()
        try:
            conn.execute("SELECT 1 FROM tenants LIMIT 1").fetchall()
        finally:
            self._connections.give(conn)

    def trace(self, callback: Callable[[str], None] | None) -> None:
        """Hand every SQL statement the store runs to ``callback`` (None: stop); for benchmarks
        that show the statements a request costs."""
        self._connections.trace(callback)

    def close(self) -> None:
        self._connections.close()

    @staticmethod
    def unreadable(path: str) -> str | None:
        """Why ``path`` is not a state file to read, or None when it is one: it does not exist,
        is not an SQLite database, or holds none of the emulator's tables. The file is opened
        read-only, so SQLite neither creates it nor adds tables to someone else's database."""
        if not Path(path).is_file():
            return "no such file"
        try:
            conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tenants'").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError as error:
            return f"not an SQLite database ({error})"
        return None if found else "an SQLite database without the emulator's tables"

    # -- conversions between Python values and columns -------------------------------------

    def _to_db(self, table: str, row: Row) -> Row:
        unknown = row.keys() - self._kinds[table].keys()
        if unknown:
            raise KeyError(f"{table} has no column {min(unknown)}")
        out = dict(row)
        for name in self._converters[table]:  # only DATE and INSTANT columns hold a date or an instant
            value = out.get(name)
            if value is not None:
                out[name] = _param(value)
        return out


_EMPTY: dict[tuple, sqlite3.Connection] = {}
_EMPTY_LOCK = threading.Lock()


def _copy_empty(migrations: Mapping[int, tuple[str, str]], target: sqlite3.Connection) -> None:
    """Make ``target`` an empty database with ``migrations`` applied, as a copy of one made once
    per process in memory: every new :memory: store starts so (the pytest plugin's and the
    tests' apps are many)."""
    key = tuple(sorted(migrations.items()))
    with _EMPTY_LOCK:
        if key not in _EMPTY:
            empty = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            for number, (owner, script) in key:
                try:
                    empty.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
                except sqlite3.Error as error:
                    raise StoreError(f"migration {number} ({owner}) failed: {error}") from None
            _EMPTY[key] = empty
        _EMPTY[key].backup(target)


def all_migrations(areas: Mapping[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
    """The core's migrations with the areas' ({number: (area, SQL)}), checked to share no number."""
    core = {number: ("core", script) for number, script in migration_files(CORE_MIGRATIONS).items()}
    clash = sorted(set(core) & set(areas))
    if clash:
        raise StoreError(f"migration {clash[0]} is claimed by the core and by {areas[clash[0]][0]}")
    merged = {**core, **areas}
    if sorted(merged) != list(range(1, len(merged) + 1)):
        raise StoreError(f"migrations must be numbered 1 to {len(merged)} without a gap: {sorted(merged)}")
    return dict(sorted(merged.items()))


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class Tx:
    """What the rules may do inside one transaction: the core's operations, and the generic
    ones (``all``, ``one``, ``insert``, ``update``, ``delete``, ``execute``) through which each
    area's store module runs its own SQL. In a read transaction every write raises WriteNeeded
    before it reaches the database."""

    def __init__(self, store: Store, conn: sqlite3.Connection, write: bool = True, steps: Steps | None = None) -> None:
        self._store, self._conn = store, conn
        self.write = write
        self._steps = steps
        self._gated = False

    def _begin(self) -> None:
        self._store._connections.gate.acquire()
        self._gated = True
        self._conn.execute("BEGIN IMMEDIATE")

    def _end(self) -> None:
        if self._gated:
            self._gated = False
            self._store._connections.gate.release()

    def _writing(self) -> None:
        if not self.write:
            raise WriteNeeded()

    def step(self, done: int = 0) -> None:
        """A step of a long task is written (``done`` records): in a transaction opened with
        ``steps``, commit it, tell ``steps.between`` (in no transaction), let the writers
        waiting go first and start the next step with ``steps.resume``; otherwise nothing. What
        a step leaves behind must be invisible or whole by itself (a contract being seeded is
        invisible until its last)."""
        if self._steps is None:
            return
        self._conn.execute("COMMIT")
        self._end()
        self._steps.between(done)
        self._begin()
        self._steps.resume(self)

    # -- generic ----------------------------------------------------------------------------

    def all(self, table: str, sql: str, *params: Any) -> list[Row]:
        """The rows a SELECT on ``table`` finds, with its DATE and INSTANT columns converted."""
        cursor = self._conn.execute(sql, [_param(p) for p in params])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        converters = self._store._converters[table]
        convert = [(name, converters[name]) for name in names if name in converters]
        for row in rows if convert else ():
            for name, parse in convert:
                if row[name] is not None:
                    row[name] = parse(row[name])
        return rows

    def one(self, table: str, sql: str, *params: Any) -> Row | None:
        rows = self.all(table, sql, *params)
        return rows[0] if rows else None

    def insert(self, table: str, rows: list[Row]) -> None:
        if not rows:
            return
        self._writing()
        converted = [self._store._to_db(table, row) for row in rows]
        columns = list(converted[0])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self._conn.executemany(sql, [[row[c] for c in columns] for row in converted])

    def update(self, table: str, key: Row, changes: Row) -> None:
        """Set ``changes`` on the rows whose columns equal ``key``."""
        if not changes:
            return
        self._writing()
        values = self._store._to_db(table, changes)
        where = self._store._to_db(table, key)
        self._conn.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE {' AND '.join(f'{c} = ?' for c in where)}",
            [*values.values(), *where.values()],
        )

    def delete(self, table: str, key: Row) -> None:
        self._writing()
        where = self._store._to_db(table, key)
        self._conn.execute(f"DELETE FROM {table} WHERE {' AND '.join(f'{c} = ?' for c in where)}", list(where.values()))

    def execute(self, sql: str, *params: Any) -> int:
        """A statement that changes rows (none are returned); how many it changed."""
        self._writing()
        return self._conn.execute(sql, [_param(p) for p in params]).rowcount

    # -- tenants and clocks -----------------------------------------------------------------

    def tenants(self) -> list[str]:
        """Every tenant the store knows (a row in any table scoped by tenant), the sandbox
        catalog's world aside, in order of name."""
        union = " UNION ".join(f"SELECT tenant FROM {table}" for table in self._store.tenant_tables)
        rows = self._conn.execute(f"{union} ORDER BY tenant").fetchall()
        return [tenant for (tenant,) in rows if tenant != SANDBOX_TENANT]

    def tenant(self, tenant: str) -> Row | None:
        return self.one("tenants", "SELECT * FROM tenants WHERE tenant = ?", tenant)

    def tenant_state(self, tenant: str) -> Row:
        """What every request of a tenant reads first, in one statement: its row of ``tenants``
        (``known``: whether it has one; its clock and where its world starts), whether a fault
        waits for it (``faulty``), the settings it has of its own (``settings``), and the
        instant of its next due work (``next_due``; the work of contracts being seeded waits
        until they are whole)."""
        row = self.one(
            "tenants",
            "SELECT t.tenant IS NOT NULL AS known, t.clock_offset, t.clock_frozen_at, t.born_at,"
            " EXISTS (SELECT 1 FROM faults f WHERE f.tenant = k.tenant AND f.remaining > 0) AS faulty,"
            " (SELECT json_group_object(s.name, json(s.value)) FROM tenant_settings s WHERE s.tenant = k.tenant)"
            " AS settings,"
            f" (SELECT d.due_at FROM due d WHERE d.tenant = k.tenant AND {_WHOLE} ORDER BY d.due_at, d.id LIMIT 1)"
            " AS next_due"
            " FROM (SELECT CAST(? AS TEXT) AS tenant) k LEFT JOIN tenants t ON t.tenant = k.tenant",
            tenant,
        )
        if row["next_due"] is not None:
            row["next_due"] = parse_instant(row["next_due"])
        row["settings"] = json.loads(row["settings"])
        return row

    def save_tenant(self, tenant: str, clock_offset: float, clock_frozen_at: datetime | None,
                    born_at: datetime | None) -> None:
        self._writing()
        self._conn.execute("DELETE FROM tenants WHERE tenant = ?", [tenant])
        self.insert("tenants", [{"tenant": tenant, "clock_offset": clock_offset, "clock_frozen_at": clock_frozen_at,
                                 "born_at": born_at}])

    def reset(self, tenant: str | None = None) -> None:
        """Forget a tenant (or every tenant, the sandbox's world aside): every row of every
        table that is scoped by tenant."""
        self._writing()
        for table in self._store.tenant_tables:
            if tenant is None:
                self._conn.execute(f"DELETE FROM {table} WHERE tenant <> ?", [SANDBOX_TENANT])
            else:
                self._conn.execute(f"DELETE FROM {table} WHERE tenant = ?", [tenant])

    def has_history(self, tenant: str) -> bool:
        """Whether anything of the tenant remembers its time: a row of an area's table (a
        record, a token), a due event or a journal entry. Its clock, its contracts' bare rows
        and counters, its settings and faults waiting to fire do not."""
        return any(self._conn.execute(f"SELECT 1 FROM {table} WHERE tenant = ? LIMIT 1", [tenant]).fetchone()
                   for table in self._store.tenant_tables if table not in _TIMELESS)

    def tenant_settings(self, tenant: str) -> dict[str, Any]:
        """The settings a tenant has of its own, by name (none: the emulator's)."""
        rows = self._conn.execute("SELECT name, value FROM tenant_settings WHERE tenant = ?", [tenant]).fetchall()
        return {name: json.loads(value) for name, value in rows}

    def save_tenant_setting(self, tenant: str, name: str, value: Any) -> None:
        """Give the tenant its own ``value`` of a setting; None takes it back to the emulator's."""
        self._writing()
        if value is None:
            self._conn.execute("DELETE FROM tenant_settings WHERE tenant = ? AND name = ?", [tenant, name])
            return
        self._conn.execute(
            "INSERT INTO tenant_settings (tenant, name, value) VALUES (?, ?, ?)"
            " ON CONFLICT (tenant, name) DO UPDATE SET value = excluded.value",
            [tenant, name, json.dumps(value)],
        )

    # -- contracts and their counters -------------------------------------------------------

    def contract(self, tenant: str, contract_no: str) -> Row | None:
        return self.one("contracts", "SELECT * FROM contracts WHERE tenant = ? AND contract_no = ?", tenant, contract_no)

    def contracts(self, tenant: str) -> list[Row]:
        return self.all("contracts", "SELECT * FROM contracts WHERE tenant = ? ORDER BY contract_no", tenant)

    def insert_contract(self, row: Row) -> None:
        self.insert("contracts", [row])

    def delete_contract(self, tenant: str, contract_no: str) -> None:
        """A contract and everything of it: every table scoped by tenant and contract."""
        self._writing()
        for table in self._store.tenant_tables:
            if "contract_no" in self._store._kinds[table]:
                self._conn.execute(f"DELETE FROM {table} WHERE tenant = ? AND contract_no = ?", [tenant, contract_no])

    def mark_seeding(self, tenant: str, contract_no: str, until: datetime | None, was: datetime) -> bool:
        """Move until when a contract is being seeded (None: it is whole now) from ``was``, the
        lease its seeding holds; whether it still held it (False: the tenant was reset, or the
        lease ran out and the contract was taken over)."""
        self._writing()
        return self._conn.execute(
            "UPDATE contracts SET seeding_until = ? WHERE tenant = ? AND contract_no = ? AND seeding_until = ?",
            [_param(until), tenant, contract_no, _param(was)]).rowcount == 1

    def take_number(self, tenant: str, contract_no: str, name: str, first: int = 1) -> int:
        """The contract's next number of the counter ``name`` (``first`` if it never counted)."""
        self._writing()
        return self._conn.execute(
            "INSERT INTO counters (tenant, contract_no, name, next) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (tenant, contract_no, name) DO UPDATE SET next = counters.next + 1"
            " RETURNING next - 1",
            [tenant, contract_no, name, first + 1],
        ).fetchone()[0]

    def set_number(self, tenant: str, contract_no: str, name: str, value: int) -> None:
        """The number the counter ``name`` gives next."""
        self._writing()
        self._conn.execute(
            "INSERT INTO counters (tenant, contract_no, name, next) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (tenant, contract_no, name) DO UPDATE SET next = excluded.next",
            [tenant, contract_no, name, value],
        )

    def counters(self, tenant: str, contract_no: str) -> dict[str, int]:
        """The contract's counters: the number each gives next, by name."""
        rows = self._conn.execute("SELECT name, next FROM counters WHERE tenant = ? AND contract_no = ? ORDER BY name",
                                  [tenant, contract_no]).fetchall()
        return dict(rows)

    def holds(self, table: str, column: str, values: list[Any]) -> bool:
        """Whether a row of ``table`` has one of ``values`` in ``column``: asked a few hundred
        values at a time, so that 100,000 of them make no statement too long."""
        for start in range(0, len(values), 500):
            chunk = [_param(value) for value in values[start:start + 500]]
            sql = f"SELECT 1 FROM {table} WHERE {column} IN ({', '.join('?' * len(chunk))}) LIMIT 1"
            if self._conn.execute(sql, chunk).fetchone():
                return True
        return False

    # -- the due queue ----------------------------------------------------------------------

    def schedule(self, tenant: str, contract_no: str, at: datetime, area: str, ref: str) -> None:
        self.insert("due", [{"tenant": tenant, "contract_no": contract_no, "due_at": at, "area": area, "ref": ref}])

    def next_due(self, tenant: str, now: datetime) -> Row | None:
        """The earliest row due by ``now`` (the first scheduled, among rows due at one
        instant), contracts being seeded aside."""
        return self.one("due", f"SELECT * FROM due d WHERE tenant = ? AND due_at <= ? AND {_WHOLE}"
                               " ORDER BY due_at, id LIMIT 1", tenant, now)

    def due_rows(self, tenant: str) -> list[Row]:
        """Every row still to fall due, in time order."""
        return self.all("due", "SELECT * FROM due WHERE tenant = ? ORDER BY due_at, id", tenant)

    def due_at(self, tenant: str, contract_no: str, area: str, ref: str) -> datetime | None:
        row = self.one("due", "SELECT * FROM due WHERE tenant = ? AND contract_no = ? AND area = ? AND ref = ?"
                       " ORDER BY due_at LIMIT 1", tenant, contract_no, area, ref)
        return row["due_at"] if row else None

    def unschedule(self, tenant: str, contract_no: str, area: str, ref: str) -> None:
        self._writing()
        self._conn.execute("DELETE FROM due WHERE tenant = ? AND contract_no = ? AND area = ? AND ref = ?",
                           [tenant, contract_no, area, ref])

    def done(self, due_id: int) -> None:
        self._writing()
        self._conn.execute("DELETE FROM due WHERE id = ?", [due_id])

    # -- journal ----------------------------------------------------------------------------

    def append_journal(self, entry: Row, keep: int | None = None) -> None:
        """Add an entry to its tenant's journal. With ``keep``, the tenant keeps about its
        latest ``keep`` entries: one write in a tenth of ``keep`` (drawn at random, so no
        pattern of requests escapes it) drops the older ones, so the journal neither grows
        without limit nor pays for its bound on every write."""
        self.insert("journal", [entry])
        if keep is not None and _TRIM.random() < 10 / keep:
            self._conn.execute(
                "DELETE FROM journal WHERE tenant = ? AND id <= "
                "(SELECT id FROM journal WHERE tenant = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                [entry["tenant"], entry["tenant"], keep],
            )

    def journal(self, tenant: str, after: int = 0, limit: int = 1000) -> list[Row]:
        return self.all("journal", "SELECT * FROM journal WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?",
                        tenant, after, limit)

    # -- faults -----------------------------------------------------------------------------

    def insert_fault(self, row: Row) -> None:
        self.insert("faults", [row])

    def faults(self, tenant: str) -> list[Row]:
        return self.all("faults", "SELECT * FROM faults WHERE tenant = ? AND remaining > 0 ORDER BY id", tenant)

    def take_fault(self, tenant: str, operation: str, method: str) -> Row | None:
        """The oldest fault matching this request, with one use of it consumed; None while it
        still lets matching requests through (its ``skip``)."""
        fault = self.one(
            "faults",
            "SELECT * FROM faults WHERE tenant = ? AND remaining > 0 AND (operation IS NULL OR operation = ?)"
            " AND (method IS NULL OR method = ?) ORDER BY id LIMIT 1",
            tenant, operation, method,
        )
        if fault is None:
            return None
        self._writing()
        if fault["skip"]:
            self._conn.execute("UPDATE faults SET skip = skip - 1 WHERE id = ?", [fault["id"]])
            return None
        self._conn.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", [fault["id"]])
        return fault

    def clear_faults(self, tenant: str) -> None:
        self._writing()
        self._conn.execute("DELETE FROM faults WHERE tenant = ?", [tenant])


#: A due row's contract is whole: not being seeded (its work waits until it is).
_WHOLE = ("NOT EXISTS (SELECT 1 FROM contracts c WHERE c.tenant = d.tenant AND c.contract_no = d.contract_no"
          " AND c.seeding_until IS NOT NULL)")
