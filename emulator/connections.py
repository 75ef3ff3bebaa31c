"""How the store's SQLite connections are shared: a pool of them to one WAL database, and a fair
gate for the writers of this process.

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
from collections.abc import Callable
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

    def __init__(self, path: str, synchronous: str) -> None:
        self.file, self._synchronous = path, synchronous
        if path == ":memory:":
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
