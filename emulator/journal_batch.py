"""The journal entries of reads, written with the next write instead of on their own.

A read changes nothing, yet its journal entry is a write: committed on its own, it would make
every GET a second transaction, waiting for the database's write lock and paying for a commit.
The entries of reads (and of refused requests) wait here instead, per tenant, and are written:

- by the next write transaction that locks their tenant (``Tx.lock``), before anything of its
  own, so a tenant's journal keeps the order its requests were answered in and a reset or an
  import finds them already written; no write ever waits for a second transaction;
- before anything is read through a view (the journal, a tenant's state, an export), so an
  operator reading the journal in this process sees every request answered before;
- otherwise at most ``DELAY`` seconds later, a batch for every tenant in one transaction, so
  another replica of a shared database sees them.

A process killed in that window loses those read entries, never a business write: a write's
entry is committed with the write itself (emulator.gateway).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

#: The longest a read's entry waits to be written when nothing else writes it sooner.
DELAY = 0.05

#: A journal row, and the journal's limit (``Tx.append_journal``'s ``keep``).
Entry = tuple[dict[str, Any], "int | None"]

log = logging.getLogger("emulator")


class PendingJournal:
    """Journal entries answered but not yet written, per tenant. Entries a transaction has
    taken are in flight until it ends: written when it commits, back in line (ahead of those
    that came after) when it rolls back."""

    def __init__(self, flush: Callable[[], None]) -> None:
        self._flush = flush
        self._entries: dict[str, list[Entry]] = {}
        self._in_flight = 0
        self._timer: threading.Timer | None = None
        self._changed = threading.Condition()

    def __bool__(self) -> bool:
        """Whether entries wait, or are being written."""
        return bool(self._entries) or self._in_flight > 0

    def add(self, entry: dict[str, Any], keep: int | None) -> None:
        with self._changed:
            self._entries.setdefault(entry["tenant"], []).append((entry, keep))
            if self._timer is None:
                self._timer = threading.Timer(DELAY, self._flush_later)
                self._timer.daemon = True
                self._timer.start()

    def tenants(self) -> list[str]:
        """The tenants with entries waiting, in one order for every writer (so two replicas'
        batches never wait for each other's tenant locks crosswise)."""
        with self._changed:
            return sorted(self._entries)

    def take(self, tenant: str) -> list[Entry]:
        """A tenant's waiting entries, in order, for the transaction that holds its lock."""
        with self._changed:
            taken = self._entries.pop(tenant, [])
            self._in_flight += len(taken)
            return taken

    def settled(self, taken: list[tuple[str, list[Entry]]], written: bool) -> None:
        """The transaction that took ``taken`` committed them (``written``) or rolled back."""
        if not taken:
            return
        with self._changed:
            for tenant, entries in taken:
                self._in_flight -= len(entries)
                if not written:
                    self._entries[tenant] = entries + self._entries.get(tenant, [])
            self._changed.notify_all()

    def wait(self) -> None:
        """Until no transaction is writing entries."""
        with self._changed:
            self._changed.wait_for(lambda: self._in_flight == 0)

    def _flush_later(self) -> None:
        with self._changed:
            self._timer = None
        try:
            self._flush()
        except Exception as error:  # no caller to tell; the next write or view of the tenant writes them
            log.warning("journal entries of reads not written yet: %s", error)
