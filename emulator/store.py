"""The state, in SQLite or PostgreSQL: transactions, tenant scoping, the schema's version and
its migrations.

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

On PostgreSQL (emulator.postgresql, the one place its SQL differs) several processes share one
database the same way: a read transaction reads a snapshot, and a write transaction holds the
lock of each tenant whose work it does (``Tx.lock``), so one tenant's writes run one at a time,
as on SQLite, and different tenants' side by side. The SQL here and in the areas' stores is
written once, in what both share: ``?`` placeholders, standard SQL, ``ON CONFLICT`` upserts,
``RETURNING``; NULLs ordered explicitly where a column may hold one (``NULLS FIRST``).

The schema carries a version (``PRAGMA user_version``; on PostgreSQL a table): the number of
the last migration applied. Migrations are numbered SQL scripts, the core's in emulator/migrations/ and each
area's in its own migrations/ folder; opening a state file applies those it has not had yet, so
a file made by an older release opens with nothing lost. Table and column lists are read from
the database itself, never kept by hand.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from emulator import postgresql
from emulator.clock import format_instant, parse_instant
from emulator.connections import Connections
from emulator.journal_batch import Entry, PendingJournal

Row = dict[str, Any]
T = TypeVar("T")

SANDBOX_TENANT = "~sandbox"  # the shared, read-only world of the sandbox catalog (not a client id)
#: The core's tables that hold nothing time-bound: a tenant with rows only there has no history.
_TIMELESS = frozenset({"tenants", "contracts", "counters", "faults", "tenant_settings"})
#: The journal's draws (Tx.append_journal), apart from the random module's own state, which a
#: user's seeded tests (Hypothesis's among them) may rely on.
_DRAW = random.Random()
CORE_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION = re.compile(r"([0-9]{4})_[a-z0-9_]+\.sql")


def database_errors() -> tuple[type[BaseException], ...]:
    """What either database raises when it cannot do what it is asked (unreachable, full,
    locked...)."""
    return (sqlite3.Error, *postgresql.errors())


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
        """Open (or create) the state at ``path`` (an SQLite file, ``:memory:``, or a
        ``postgresql://`` URL) and bring its schema up to date with ``migrations`` ({number:
        (owner, SQL)}; by default the core's and every shipped area's). ``synchronous`` is
        SQLite's: with WAL, NORMAL puts a commit in the log before the answer, so it survives a
        crash or kill of the process, and fsyncs only at checkpoints; FULL fsyncs every commit,
        so it also survives a power loss or an OS crash (PostgreSQL's durability is its own
        server's setting)."""
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous: NORMAL or FULL, not {synchronous!r}")
        self.path = path
        if postgresql.is_url(path):
            self._connections: Connections | postgresql.PostgreSQL = postgresql.PostgreSQL(path)
        else:
            self._connections = Connections(path, synchronous)
        self.kind = self._connections.kind
        #: What the database raises when it cannot do what it is asked (unreachable, full...).
        self.errors = self._connections.errors
        if migrations is None:
            from emulator.areas import discover

            migrations = all_migrations(discover().migrations())
        where = postgresql.redacted(path)
        try:
            #: The schema's version as the state was found (0: new) and as it is now.
            self.found, self.version = self._connections.migrate(
                migrations, lambda problem: StoreError(f"{where}: {problem}"))
            self._kinds: dict[str, dict[str, str]] = self._connections.kinds()
        except BaseException:
            self._connections.close()
            raise
        converters = {"INSTANT": parse_instant, "DATE": date.fromisoformat}
        # The columns read back as Python values: a row converts only these few.
        self._converters = {table: {name: converters[kind] for name, kind in columns.items() if kind in converters}
                            for table, columns in self._kinds.items()}
        self.tenant_tables = tuple(table for table, columns in self._kinds.items() if "tenant" in columns)
        self._settings_json = self._connections.json_object("s.name", "s.value")
        self._reads = PendingJournal(self.write_journal)

    def tables(self) -> list[str]:
        return sorted(self._kinds)

    @contextmanager
    def transaction(self, *, write: bool = True, rollback: bool = False, steps: Steps | None = None) -> Iterator[Tx]:
        """One atomic unit of work. A read transaction (``write=False``) sees one snapshot and
        raises WriteNeeded at its first write. With ``rollback`` nothing written is kept: the
        sandbox catalog runs the same rules that way, so no state leaks between its requests.
        With ``steps`` (a write transaction), ``Tx.step`` commits what is written so far and
        starts again, letting the writers waiting go first."""
        connections = self._connections
        conn = connections.take()
        keeps = write and not rollback
        tx = Tx(self, conn, write, steps, keeps)
        try:
            tx._begin()
            try:
                yield tx
                conn.execute("COMMIT" if keeps else "ROLLBACK")
            except BaseException:
                if connections.in_transaction(conn):
                    conn.execute("ROLLBACK")
                tx._settle(written=False)
                raise
            tx._settle(written=True)
        finally:
            tx._end()
            connections.give(conn)

    def view(self, work: Callable[[Tx], T]) -> T:
        """What ``work`` finds, in a read transaction; when it has to write on the way (a view
        works out a world as it would be: a tenant's first contact, work fallen due), again in
        a write transaction rolled back. A view changes nothing, and mostly holds no one up;
        it sees every request answered before it in this process, its journal entry included."""
        if self._reads:
            self.write_journal()
            self._reads.wait()
        try:
            with self.transaction(write=False) as tx:
                return work(tx)
        except WriteNeeded:
            with self.transaction(rollback=True) as tx:
                return work(tx)

    def ping(self, timeout: float = 5) -> None:
        """Raise one of ``errors`` if the database does not answer (within ``timeout`` seconds
        for a connection to PostgreSQL). A read on a connection of its own: it waits for no
        transaction in progress, however long (seeding 100,000 debtors)."""
        self._connections.ping(timeout)

    def trace(self, callback: Callable[[str], None] | None) -> None:
        """Hand every SQL statement the store runs to ``callback`` (None: stop); for benchmarks
        that show the statements a request costs."""
        self._connections.trace(callback)

    def journal_later(self, entry: Row, keep: int | None = None) -> None:
        """Add a read's entry to its tenant's journal (``Tx.append_journal``) with the next
        write of its tenant, not in a transaction of its own (emulator.journal_batch)."""
        self._reads.add(entry, keep)

    def write_journal(self) -> None:
        """Write every journal entry of reads still waiting, in one transaction."""
        tenants = self._reads.tenants()
        if not tenants:
            return
        with self.transaction() as tx:
            for tenant in tenants:
                tx.lock(tenant)  # which writes the tenant's entries

    def close(self) -> None:
        try:
            self.write_journal()
        finally:
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

    def __init__(self, store: Store, conn: Any, write: bool = True, steps: Steps | None = None,
                 keeps: bool = True) -> None:
        self._store, self._conn = store, conn
        self._db = store._connections
        self.write = write
        #: Whether what it writes is committed (a write transaction not rolled back).
        self._keeps = keeps
        self._steps = steps
        self._open = False
        #: The tenants whose write lock this transaction holds (emulator.postgresql).
        self._locked: set[str] = set()
        #: The journal entries of reads it writes (emulator.journal_batch), by tenant.
        self._taken: list[tuple[str, list[Entry]]] = []

    def _begin(self) -> None:
        self._db.begin(self._conn, self.write)
        self._open = True
        for tenant in self._locked:
            self._db.lock(self._conn, tenant)

    def _end(self) -> None:
        if self._open:
            self._open = False
            self._db.end(self.write)

    def _run(self, sql: str, params: list | tuple = ()) -> Any:
        return self._db.run(self._conn, sql, params)

    def lock(self, tenant: str) -> None:
        """In a write transaction, wait for the tenant's other writers and keep them waiting
        until this one ends (on SQLite every writer does already). A tenant's work locks it
        before it reads anything of it: its state, its clock, its reset."""
        if self.write and tenant not in self._locked:
            self._db.lock(self._conn, tenant)
            self._locked.add(tenant)
            # The tenant's reads answered before this write are journaled before it; one rolled
            # back would only write them to drop them, so it leaves them waiting.
            pending = self._store._reads.take(tenant) if self._keeps else None
            if pending:
                self._taken.append((tenant, pending))
                self.append_journal([entry for entry, _ in pending], pending[-1][1])

    def _settle(self, written: bool) -> None:
        taken, self._taken = self._taken, []
        self._store._reads.settled(taken, written)

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
        self._settle(written=True)
        self._end()
        self._steps.between(done)
        self._begin()
        self._steps.resume(self)

    # -- generic ----------------------------------------------------------------------------

    def all(self, table: str, sql: str, *params: Any) -> list[Row]:
        """The rows a SELECT on ``table`` finds, with its DATE and INSTANT columns converted."""
        cursor = self._run(sql, [_param(p) for p in params])
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
        self._db.run_many(self._conn, sql, [[row[c] for c in columns] for row in converted])
        if "id" in columns:
            self._db.identities_taken(self._conn, table)

    def update(self, table: str, key: Row, changes: Row) -> None:
        """Set ``changes`` on the rows whose columns equal ``key``."""
        if not changes:
            return
        self._writing()
        values = self._store._to_db(table, changes)
        where = self._store._to_db(table, key)
        self._run(
            f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE {' AND '.join(f'{c} = ?' for c in where)}",
            [*values.values(), *where.values()],
        )

    def delete(self, table: str, key: Row) -> None:
        self._writing()
        where = self._store._to_db(table, key)
        self._run(f"DELETE FROM {table} WHERE {' AND '.join(f'{c} = ?' for c in where)}", list(where.values()))

    def execute(self, sql: str, *params: Any) -> int:
        """A statement that changes rows (none are returned); how many it changed."""
        self._writing()
        return self._run(sql, [_param(p) for p in params]).rowcount

    # -- tenants and clocks -----------------------------------------------------------------

    def tenants(self) -> list[str]:
        """Every tenant the store knows (a row in any table scoped by tenant), the sandbox
        catalog's world aside, in order of name."""
        union = " UNION ".join(f"SELECT tenant FROM {table}" for table in self._store.tenant_tables)
        rows = self._run(f"{union} ORDER BY tenant").fetchall()
        return [tenant for (tenant,) in rows if tenant != SANDBOX_TENANT]

    def tenant(self, tenant: str) -> Row | None:
        self.lock(tenant)
        return self.one("tenants", "SELECT * FROM tenants WHERE tenant = ?", tenant)

    def tenant_state(self, tenant: str) -> Row:
        """What every request of a tenant reads first, in one statement: its row of ``tenants``
        (``known``: whether it has one; its clock and where its world starts), whether a fault
        waits for it (``faulty``), the settings it has of its own (``settings``), and the
        instant of its next due work (``next_due``; the work of contracts being seeded waits
        until they are whole)."""
        self.lock(tenant)
        row = self.one(
            "tenants",
            "SELECT t.tenant IS NOT NULL AS known, t.clock_offset, t.clock_frozen_at, t.born_at,"
            " EXISTS (SELECT 1 FROM faults f WHERE f.tenant = k.tenant AND f.remaining > 0) AS faulty,"
            f" (SELECT {self._store._settings_json} FROM tenant_settings s WHERE s.tenant = k.tenant)"
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
        self.lock(tenant)
        self._run("DELETE FROM tenants WHERE tenant = ?", [tenant])
        self.insert("tenants", [{"tenant": tenant, "clock_offset": clock_offset, "clock_frozen_at": clock_frozen_at,
                                 "born_at": born_at}])

    def reset(self, tenant: str | None = None) -> None:
        """Forget a tenant (or every tenant, the sandbox's world aside): every row of every
        table that is scoped by tenant."""
        self._writing()
        if tenant is not None:
            self.lock(tenant)
        for table in self._store.tenant_tables:
            if tenant is None:
                self._run(f"DELETE FROM {table} WHERE tenant <> ?", [SANDBOX_TENANT])
            else:
                self._run(f"DELETE FROM {table} WHERE tenant = ?", [tenant])

    def has_history(self, tenant: str) -> bool:
        """Whether anything of the tenant remembers its time: a row of an area's table (a
        record, a token), a due event or a journal entry. Its clock, its contracts' bare rows
        and counters, its settings and faults waiting to fire do not."""
        return any(self._run(f"SELECT 1 FROM {table} WHERE tenant = ? LIMIT 1", [tenant]).fetchone()
                   for table in self._store.tenant_tables if table not in _TIMELESS)

    def tenant_settings(self, tenant: str) -> dict[str, Any]:
        """The settings a tenant has of its own, by name (none: the emulator's)."""
        rows = self._run("SELECT name, value FROM tenant_settings WHERE tenant = ?", [tenant]).fetchall()
        return {name: json.loads(value) for name, value in rows}

    def save_tenant_setting(self, tenant: str, name: str, value: Any) -> None:
        """Give the tenant its own ``value`` of a setting; None takes it back to the emulator's."""
        self._writing()
        if value is None:
            self._run("DELETE FROM tenant_settings WHERE tenant = ? AND name = ?", [tenant, name])
            return
        self._run(
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
                self._run(f"DELETE FROM {table} WHERE tenant = ? AND contract_no = ?", [tenant, contract_no])

    def mark_seeding(self, tenant: str, contract_no: str, until: datetime | None, was: datetime) -> bool:
        """Move until when a contract is being seeded (None: it is whole now) from ``was``, the
        lease its seeding holds; whether it still held it (False: the tenant was reset, or the
        lease ran out and the contract was taken over)."""
        self._writing()
        self.lock(tenant)
        return self._run(
            "UPDATE contracts SET seeding_until = ? WHERE tenant = ? AND contract_no = ? AND seeding_until = ?",
            [_param(until), tenant, contract_no, _param(was)]).rowcount == 1

    def take_number(self, tenant: str, contract_no: str, name: str, first: int = 1) -> int:
        """The contract's next number of the counter ``name`` (``first`` if it never counted)."""
        self._writing()
        return self._run(
            "INSERT INTO counters (tenant, contract_no, name, next) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (tenant, contract_no, name) DO UPDATE SET next = counters.next + 1"
            " RETURNING next - 1",
            [tenant, contract_no, name, first + 1],
        ).fetchone()[0]

    def set_number(self, tenant: str, contract_no: str, name: str, value: int) -> None:
        """The number the counter ``name`` gives next."""
        self._writing()
        self._run(
            "INSERT INTO counters (tenant, contract_no, name, next) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (tenant, contract_no, name) DO UPDATE SET next = excluded.next",
            [tenant, contract_no, name, value],
        )

    def counters(self, tenant: str, contract_no: str) -> dict[str, int]:
        """The contract's counters: the number each gives next, by name."""
        rows = self._run("SELECT name, next FROM counters WHERE tenant = ? AND contract_no = ? ORDER BY name",
                                  [tenant, contract_no]).fetchall()
        return dict(rows)

    def holds(self, table: str, column: str, values: list[Any]) -> bool:
        """Whether a row of ``table`` has one of ``values`` in ``column``: asked a few hundred
        values at a time, so that 100,000 of them make no statement too long."""
        for start in range(0, len(values), 500):
            chunk = [_param(value) for value in values[start:start + 500]]
            sql = f"SELECT 1 FROM {table} WHERE {column} IN ({', '.join('?' * len(chunk))}) LIMIT 1"
            if self._run(sql, chunk).fetchone():
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
        self._run("DELETE FROM due WHERE tenant = ? AND contract_no = ? AND area = ? AND ref = ?",
                           [tenant, contract_no, area, ref])

    def done(self, due_id: int) -> None:
        self._writing()
        self._run("DELETE FROM due WHERE id = ?", [due_id])

    # -- journal ----------------------------------------------------------------------------

    def append_journal(self, entries: list[Row], keep: int | None = None) -> None:
        """Add entries, in order, to their tenant's journal (one tenant's). Their ids are taken
        under the tenant's lock, so ids follow the order entries are committed in, and a reader
        paging ``after`` an id misses none. With ``keep``, the tenant keeps about its latest
        ``keep`` entries: about one entry in a tenth of ``keep`` (drawn at random, so no pattern
        of requests escapes it) drops the older ones, so the journal neither grows without
        limit nor pays for its bound on every write."""
        self._writing()
        tenant = entries[0]["tenant"]
        self.lock(tenant)
        self.insert("journal", entries)
        if keep is not None and _DRAW.random() < 10 * len(entries) / keep:
            self._run("DELETE FROM journal WHERE tenant = ? AND id <= "
                      "(SELECT id FROM journal WHERE tenant = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                      [tenant, tenant, keep])

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
        self.lock(tenant)
        if fault["skip"]:
            self._run("UPDATE faults SET skip = skip - 1 WHERE id = ?", [fault["id"]])
            return None
        self._run("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", [fault["id"]])
        return fault

    def clear_faults(self, tenant: str) -> None:
        self._writing()
        self.lock(tenant)
        self._run("DELETE FROM faults WHERE tenant = ?", [tenant])


#: A due row's contract is whole: not being seeded (its work waits until it is).
_WHOLE = ("NOT EXISTS (SELECT 1 FROM contracts c WHERE c.tenant = d.tenant AND c.contract_no = d.contract_no"
          " AND c.seeding_until IS NOT NULL)")
