"""What a client can be asked to do, each task declared in one place.

A task is a ``Task`` in a module of this package that lists it in ``TASKS``: the list operation
it reads (or the operation it sends, for a task that writes), the records it keeps (their key
and the fields judged), the kinds of record a scenario counts and how they are seeded, what the
client should hold after a run, what it starts from (CESCE_OUTPUT) and what it is given
(CESCE_INPUT), what Cesce may change while it works, and the named scenarios of its own. The engine (scenarios, runner, judge, report, search) reads
declarations and nothing else, so a new task is a new module here (or a ``register(task)``
from elsewhere), not edits across the kit; ``contract_tests/conformance/tasks/risks.py``
declares portfolio-sync and movements-sync, ``sales.py`` sales-sync, ``sales_declare.py``
sales-declare and ``claims.py`` claims-follow.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contract_tests.conformance.scenarios import Scenario

Records = list[dict[str, Any]]
#: A task's records by their key.
Keyed = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """A kind of record a scenario counts ("debtors in force for days"): how a report words it,
    how many records of the list one of it makes (a debtor with a pending request is two), and
    how many at most a generated scenario draws when it is not the paged kind."""

    wording: str
    listed: int = 1
    most: int = 3


@dataclass(frozen=True)
class Change:
    """Something Cesce does while a client works (between two of its runs, or between two of
    its list pages): ``plan`` works out, from the task's records in the tenant's state, the
    events to post (POST /_emulator/events) and the clock move (an ISO 8601 duration or None)."""

    description: str
    plan: Callable[[Records], tuple[list[dict[str, Any]], str | None]]


@dataclass(frozen=True)
class Context:
    """What a task's ``explain`` sees of a run: the task's records in the tenant's state at its
    end, what the client output by key, and what it should have held before the run."""

    records: Records
    got: Keyed
    before: Keyed


@dataclass(frozen=True)
class Task:
    """A task a client is verified for.

    - ``reads``: the operationId of the list it reads (its paging is the declared one), None for
      a task that reads no list; ``writes``: the operations it may send that change something
      (none for a sync); ``acts``: the operation a scenario's faults and token expiries aim at
      when it is not ``reads`` (sales-declare: createSale). A task without a list meets the
      engine's scenarios that do not page.
    - ``polls``: it reads its lists again as it polls (claims-follow): each reading from the first
      page is a new one, not a page after the last.
    - ``refusals``: the errorCodes Cesce may refuse its requests with in a correct run
      (sales-declare: a duplicate), left to its own ``checks`` rather than failed as refusals.
    - ``description``: what the client is asked to do; ``rule``: what its records are judged
      against, in a sentence or two (``verify-client --help`` prints both).
    - ``key``: the field that names a record in CESCE_OUTPUT; ``noun`` how a report names one
      ("endorsement 501"); ``judged``: the fields compared (amounts by value); ``short``: the
      first word of its named scenarios, when not the first word of its name.
    - ``kinds``: what a scenario counts; ``paged``, the kind the page-boundary scenarios count,
      with ``beside`` beside it; ``typical``, the contents of the scenarios that vary something
      else.
    - ``seed(scenario)``: the contract document of the emulator's scenario (POST
      /_emulator/scenarios) holding those records; ``records(contract)``: the task's records in
      a contract of /_emulator/state.
    - ``expected(records, now, before, given)``: what the client should hold at the end of a
      run that ended at ``now`` (records by key), ``before`` being what it should have held
      before and ``given`` what CESCE_INPUT held (None for a task without input).
    - ``starting(records, now)``: the records the client holds before its first run, written
      to CESCE_OUTPUT (None: no file); ``input(scenario, records)``: what CESCE_INPUT holds
      (None: the task takes no input).
    - ``changes``: what Cesce may do while the client works, by name.
    - ``explain(situation, key, have, want, context)``: a task's own words on a wrong record
      ("missing", "unexpected" or "wrong"); "" when it has none. For "unexpected" it replaces
      the message, otherwise it is appended.
    - ``checks``: rules of its own on a run, beside the engine's (each takes the run's
      ``RunEvidence`` and ``Labels`` and returns ``Finding``s): "every invoice declared once".
    - ``scenarios()``: the task's own named scenarios, after the engine's.
    """

    name: str
    description: str
    rule: str
    reads: str | None
    key: str
    noun: str
    judged: tuple[str, ...]
    kinds: Mapping[str, Kind]
    paged: str
    typical: Mapping[str, int]
    seed: Callable[[Scenario], dict[str, Any]]
    records: Callable[[dict[str, Any]], Records]
    expected: Callable[[Records, datetime, Keyed, Records | None], Keyed]
    beside: Mapping[str, int] = field(default_factory=dict)
    starting: Callable[[Records, datetime], Records | None] = lambda records, now: None
    input: Callable[[Scenario, Records], Records | None] | None = None
    writes: frozenset[str] = frozenset()
    acts: str | None = None
    refusals: frozenset[str] = frozenset()
    polls: bool = False
    short: str = ""
    changes: Mapping[str, Change] = field(default_factory=dict)
    explain: Callable[[str, str, dict | None, dict | None, Context], str] = lambda *args: ""
    checks: tuple[Callable[[Any, Any], list[Any]], ...] = ()
    scenarios: Callable[[], list[Scenario]] = list

    @property
    def prefix(self) -> str:
        """What its named scenarios start with: ``short``, else the first word of its name
        ("portfolio")."""
        return self.short or self.name.split("-")[0]

    @property
    def operation(self) -> str:
        """The operation a scenario's faults and token expiries aim at."""
        return self.acts or self.reads


#: Changes the engine knows for every task.
AGAIN = Change("nothing changes: the client runs again, as its scheduler would", lambda records: ([], None))


@cache
def tasks() -> dict[str, Task]:
    """Every declared task by name: each module of this package listing ``TASKS``."""
    found: dict[str, Task] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for task in getattr(module, "TASKS", ()):
            if task.name in found:
                raise RuntimeError(f"two tasks are called {task.name!r}")
            found[task.name] = task
    return found


def register(declared: Task) -> None:
    """Add a task declared elsewhere (a user's own, a test's) to the registry."""
    if declared.name in tasks():
        raise RuntimeError(f"two tasks are called {declared.name!r}")
    tasks()[declared.name] = declared


def task(name: str) -> Task:
    """The task called ``name`` (KeyError names the known ones)."""
    try:
        return tasks()[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}: use one of {', '.join(tasks())}") from None


def changes(declared: Task) -> dict[str, Change]:
    """What may happen while a client of the task works: the task's changes and the engine's."""
    return {**declared.changes, "again": AGAIN}
