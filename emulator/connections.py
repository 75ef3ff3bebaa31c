"""How the store's SQLite connections are shared: a pool of them to one WAL database, and a fair
gate for the writers of this process; with what the store does on SQLite that PostgreSQL does
otherwise (emulator.postgresql has the same methods).

Each transaction in progress has a connection of its own, taken from the pool and given back
when it ends, so a read never waits for a write (WAL gives it a snapshot) and never holds one
up. SQLite serializes writes itself (one write lock per database, across processes); the gate
puts this process's writers in the order they asked, so a long task written in steps lets the
writers waiting in between (threading.Lock promises no order). ``:memory:`` is a private file in
a temporary directory with nothing fsynced, removed at close: SQLite's shared in-memory
databases have no WAL, so their readers and writers would block each other.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

#: Idle connections the pool keeps open; more are opened while more transactions run at once.
IDLE = 32


class FairGate:
    """A lock taken in the order it was asked for: one that lets go and asks again queues
    behind those already waiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self) -> None:
        with self._lock:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder handing the gate over

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()  # still held, by the next in line
            else:
                self._held = False


class Connections:
    """The pool of connections to the database at ``path`` (``:memory:``: a private file)."""

    kind = "sqlite"
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, path: str, synchronous: str) -> None:
        self.file, self._synchronous = path, synchronous
        self.memory = path == ":memory:"
        if self.memory:
            folder = tempfile.mkdtemp(prefix="cesce-emulator-")
            self.file, self._synchronous = str(Path(folder) / "state.sqlite3"), "OFF"
            self._removal = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        self.gate = FairGate()
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._trace: Callable[[str], None] | None = None

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.file, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.set_trace_callback(self._trace)
        return conn

    def take(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()  # the most recently used: its cache is the warmest
        return self.connect()

    def give(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                conn.close()
                return
        with self._lock:
            if len(self._idle) < IDLE:
                self._idle.append(conn)
                return
        conn.close()

    # -- transactions and statements -------------------------------------------------------

    def begin(self, conn: sqlite3.Connection, write: bool) -> None:
        """A read transaction reads a snapshot; a write one holds the database's write lock
        (after this process's writers that asked first) until ``end``."""
        if not write:
            conn.execute("BEGIN")
            return
        self.gate.acquire()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.gate.release()
            raise

    def end(self, write: bool) -> None:
        if write:
            self.gate.release()

    @staticmethod
    def in_transaction(conn: sqlite3.Connection) -> bool:
        return conn.in_transaction

    @staticmethod
    def run(conn: sqlite3.Connection, sql: str, params: list | tuple = ()) -> sqlite3.Cursor:
        return conn.execute(sql, params)

    @staticmethod
    def run_many(conn: sqlite3.Connection, sql: str, rows: list) -> None:
        conn.executemany(sql, rows)

    def lock(self, conn: sqlite3.Connection, tenant: str) -> None:
        """Every write transaction already holds the one write lock."""

    def identities_taken(self, conn: sqlite3.Connection, table: str) -> None:
        """AUTOINCREMENT moves past ids given explicitly by itself."""

    @staticmethod
    def json_object(name: str, value: str) -> str:
        """SQL of a JSON object (as text) built of the rows' ``name`` and ``value`` (JSON text)."""
        return f"json_group_object({name}, json({value}))"

    def ping(self, timeout: float) -> None:
        conn = self.take()
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        finally:
            self.give(conn)

    # -- the schema ------------------------------------------------------------------------

    def migrate(self, migrations: Mapping[int, tuple[str, str]], error: Callable[[str], Exception]) -> tuple[int, int]:
        """Bring the schema up to date (``PRAGMA user_version``: the last migration applied),
        each migration its own transaction. The version found and the version now."""
        conn = self.take()
        try:
            if self.memory:
                _copy_empty(migrations, conn, error)  # already migrated: a copy costs less than the scripts
            conn.execute("PRAGMA journal_mode=WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            latest = max(migrations, default=0)
            if version > latest:
                raise error(f"schema version {version}, made by a newer cesce-sandbox; this release reads up to"
                            f" version {latest}")
            for number in range(version + 1, latest + 1):
                owner, script = migrations[number]
                try:
                    # A migration is one transaction: the file is at one version or the next.
                    conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
                except sqlite3.Error as failure:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise error(f"migration {number} ({owner}) failed: {failure}") from None
        except BaseException:
            conn.close()
            raise
        self.give(conn)
        return version, latest

    def kinds(self) -> dict[str, dict[str, str]]:
        """Each table's columns and their declared kinds (INSTANT, DATE, TEXT...)."""
        conn = self.take()
        try:
            tables = [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {table: {col[1]: col[2] for col in conn.execute(f"PRAGMA table_info({table})")} for table in tables}
        finally:
            self.give(conn)

    def trace(self, callback: Callable[[str], None] | None) -> None:
        self._trace = callback
        with self._lock:
            for conn in self._idle:
                conn.set_trace_callback(callback)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        if hasattr(self, "_removal"):
            self._removal()


_EMPTY: dict[tuple, sqlite3.Connection] = {}
_EMPTY_LOCK = threading.Lock()


def _copy_empty(migrations: Mapping[int, tuple[str, str]], target: sqlite3.Connection,
                error: Callable[[str], Exception]) -> None:
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
                except sqlite3.Error as failure:
                    raise error(f"migration {number} ({owner}) failed: {failure}") from None
            _EMPTY[key] = empty
        _EMPTY[key].backup(target)

