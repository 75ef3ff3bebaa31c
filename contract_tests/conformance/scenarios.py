"""The scenarios a client is verified under: what the contract holds, how the list pages, what
goes wrong while the client works, and what Cesce changes while it works and between two runs.

A ``Scenario`` is a small recipe (counts, sizes and flags, so hypothesis can generate and
shrink it); ``contract_tests.conformance.seeding`` turns it into the emulator's scenario
document, tenant settings, faults and events. Each task (``contract_tests.conformance.tasks``)
has a catalogue of named scenarios: the engine's, made from the task's declaration (page
boundaries, pages shorter than the page size, an empty page after a full one, token expiries
and a revoked refresh token, 429/503, Cesce's error envelope on a 200 and on a 4xx, a 500,
slow pages; for a task that reads no list, those that do not page, aimed at the operation it
sends), then the task's own; and a hypothesis strategy that mixes the same ingredients.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from contract_tests import document
from contract_tests.conformance.tasks import Task, changes, task, tasks
from emulator.faults import GATEWAY_STATUSES, TRANSIENT_STATUSES

#: Where each tenant's clock starts unless a scenario says otherwise; it then ticks with real
#: time (never frozen, so the journal's timestamps measure how long a client waited).
START = "2026-01-15T09:00:00Z"
#: The errorCode of the Cesce error answers scenarios inject (mocks/codes/errors.yaml's
#: internal error).
ERROR_CODE = "9000"
#: The statuses Cesce's error envelope may come with in a scenario (200: an answer whose error
#: block says otherwise).
ENVELOPE_STATUSES = (200, 400, 403, 404, 409, 500)
#: The most token expiries a run can meet (one per list page after the first).
MAX_EXPIRIES = 5


def page_size(task_name: str) -> int | None:
    """Records a page of the task's list holds, as the document declares it (Cesce's 500);
    None for a task that reads no list."""
    reads = task(task_name).reads
    return document.paging(reads).size if reads else None


def boundaries(size: int) -> tuple[int, ...]:
    """Record counts around a page size: 0, 1, 499, 500, 501, 1000, 1001."""
    return (0, 1, size - 1, size, size + 1, 2 * size, 2 * size + 1)


@dataclass(frozen=True)
class Fault:
    """Something that goes wrong during the first run. ``operation`` is "list" (the task's
    operation: the list it reads, or what it sends) or "token"; ``skip`` requests of it pass
    (after any earlier fault on the same operation is spent); the next ``times`` then meet it:
    a wait of ``latency_ms``, then the gateway's ``status`` (with Retry-After: ``retry_after``
    when that is not None), or with ``error_code`` Cesce's error envelope at ``status`` (200
    included); ``status`` None: the wait alone, or with ``drop`` the request carried out and
    its connection dropped before the answer."""

    operation: str = "list"
    status: int | None = 503
    skip: int = 0
    times: int = 1
    retry_after: int | None = None
    error_code: str | None = None
    latency_ms: int = 0
    drop: bool = False

    @property
    def transient(self) -> bool:
        """A gateway status that asks the client to try again later."""
        return self.error_code is None and self.status in TRANSIENT_STATUSES

    @property
    def error(self) -> bool:
        """An error a client may end its run on (Cesce's envelope, a gateway 500, a dropped
        connection)."""
        return self.drop or (self.status is not None and not self.transient)

    def describe(self, operation: str | None = None) -> str:
        """The fault in words; ``operation`` names what "list" stands for."""
        after = f" after {self.skip} good request(s)" if self.skip else ""
        wait = f"{self.latency_ms / 1000:g} s wait" if self.latency_ms else ""
        target = operation if operation and self.operation == "list" else self.operation
        if self.drop:
            return f"{wait + ', then ' if wait else ''}connection dropped after the work x{self.times} on {target}{after}"
        if self.status is None:
            return f"{wait} x{self.times} on {target}{after}"
        if self.error_code is not None:
            what = f'{self.status} with errorCode "{self.error_code}"'
        else:
            header = f", Retry-After: {self.retry_after}" if self.retry_after is not None else ", no Retry-After"
            what = f"{self.status}{header if self.transient else ''}"
        return f"{wait + ', then ' if wait else ''}{what} x{self.times} on {target}{after}"

    def problems(self) -> list[str]:
        problems = []
        if self.operation not in ("list", "token"):
            problems.append("operation list|token")
        allowed = ENVELOPE_STATUSES if self.error_code is not None else GATEWAY_STATUSES
        if self.status is not None and self.status not in allowed:
            problems.append(f"status {'|'.join(map(str, allowed))}")
        if self.drop and (self.status is not None or self.operation != "list"):
            problems.append("drop: on list (the task's operation), without a status")
        if self.status is None and not self.drop and (self.error_code is not None or not self.latency_ms):
            problems.append("a status, drop, or latency_ms alone")
        if self.skip < 0 or self.times < 1 or not 0 <= self.latency_ms <= 60000:
            problems.append("skip >= 0, times >= 1, latency_ms from 0 to 60000")
        if self.retry_after is not None and self.retry_after < 0:
            problems.append("retry_after >= 0")
        return problems


@dataclass(frozen=True)
class Scenario:
    """One situation a client must handle.

    - ``records``: how many records of each of the task's kinds the contract holds (see the
      task's ``kinds``), as (kind, count) pairs; ``count(kind)`` reads them.
    - ``page_size``: records a list page holds (None: the declared size, Cesce's 500);
      ``empty_page_after_full``: a full last page points to one more page, empty.
    - ``start``: where the tenant's clock starts.
    - ``faults``: what goes wrong during the first run.
    - ``token_expiries``: at that many list pages after the first, the tenant's clock jumps
      61 minutes, so the token the client holds expires in the middle of its sync;
      ``revoke_refresh``: with the first jump, Cesce revokes the refresh tokens, so the refresh
      that follows is refused (invalid_grant).
    - ``during``: the task's changes Cesce makes as the client asks for its second list page.
    - ``between``: changes between runs; when not empty the client runs twice (it keeps its own
      CESCE_OUTPUT file from one run to the next). "again" changes nothing.
    """

    name: str
    task: str
    records: tuple[tuple[str, int], ...] = ()
    page_size: int | None = None
    empty_page_after_full: bool = False
    start: str = START
    faults: tuple[Fault, ...] = ()
    token_expiries: int = 0
    revoke_refresh: bool = False
    during: tuple[str, ...] = ()
    between: tuple[str, ...] = ()
    description: str = field(default="", compare=False)

    def count(self, kind: str) -> int:
        return dict(self.records).get(kind, 0)

    @property
    def declared(self) -> Task:
        return task(self.task)

    @property
    def runs(self) -> int:
        return 2 if self.between else 1

    @property
    def operation(self) -> str:
        """The operation its faults and token expiries aim at: the list the task reads, or
        what it sends."""
        return self.declared.operation

    @property
    def size(self) -> int | None:
        """Records a page of the list holds in this scenario (None: the task reads no list)."""
        return self.page_size or page_size(self.task)

    @property
    def listed(self) -> int:
        """Records the contract's list holds at most (a pending request's pair counts two)."""
        kinds = self.declared.kinds
        return sum(count * kinds[kind].listed for kind, count in self.records if kind in kinds)

    @property
    def waits(self) -> float:
        """Seconds a careful client spends waiting in it, at least (latency, Retry-After)."""
        return sum(f.times * (f.latency_ms / 1000 + (f.retry_after or 0)) for f in self.faults)

    @property
    def may_fail(self) -> bool:
        """Whether a run may end in an error: it meets an error answer it need not get past."""
        return any(fault.error for fault in self.faults)

    def summary(self) -> str:
        """A one-line account of the recipe, for reports."""
        kinds = self.declared.kinds
        parts = [f"{count} {kinds[kind].wording}" for kind, count in self.records if count and kind in kinds]
        parts = [("records: " + ", ".join(parts)) if parts else "no records"]
        if self.page_size:
            parts.append(f"pages of {self.page_size}")
        if self.empty_page_after_full:
            parts.append("an empty page after a full one")
        if self.start != START:
            parts.append(f"clock from {self.start}")
        parts += [f"fault {fault.describe(self.operation)}" for fault in self.faults]
        if self.token_expiries:
            parts.append(f"token expires {_times(self.token_expiries)} mid-{'sync' if self.declared.reads else 'run'}"
                         + (", refresh tokens revoked" if self.revoke_refresh else ""))
        if self.during:
            parts.append("Cesce changes mid-sync: " + ", ".join(self.during))
        if self.between:
            parts.append("run, " + ", ".join(self.between) + ", run again")
        return "; ".join(parts)

    def to_document(self) -> dict[str, Any]:
        """The recipe as JSON-ready data (what ``--scenario-file`` reads back)."""
        doc = asdict(self)
        doc["records"] = dict(self.records)
        doc["faults"] = [asdict(fault) for fault in self.faults]
        doc["during"], doc["between"] = list(self.during), list(self.between)
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Scenario:
        """Read a recipe written by ``to_document`` (ValueError when it is not one)."""
        if not isinstance(doc, dict):
            raise ValueError("a scenario is a JSON object")
        unknown = sorted(set(doc) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown scenario field {unknown[0]!r}")
        try:
            counts = doc.get("records", {})
            if not isinstance(counts, dict):
                raise ValueError("records: an object of counts by kind")
            scenario = cls(**{**doc, "records": tuple(counts.items()),
                              "faults": tuple(Fault(**fault) for fault in doc.get("faults", [])),
                              "during": tuple(doc.get("during", [])), "between": tuple(doc.get("between", []))})
        except TypeError as error:
            raise ValueError(str(error)) from None
        scenario.check()
        return scenario

    def check(self) -> None:
        """ValueError when the recipe cannot be staged."""
        if self.task not in tasks():
            raise ValueError(f"task must be one of {', '.join(tasks())}, not {self.task!r}")
        declared = self.declared
        for kind, count in self.records:
            if kind not in declared.kinds:
                raise ValueError(f"records: {kind!r} is not a kind of {self.task}; kinds: {', '.join(declared.kinds)}")
            if not isinstance(count, int) or not 0 <= count <= 20000:
                raise ValueError(f"records: {kind}: a count from 0 to 20000")
        if self.page_size is not None and not (isinstance(self.page_size, int) and 1 <= self.page_size <= 100000):
            raise ValueError("page_size: from 1 to 100000, or null for the declared size")
        if not 0 <= self.token_expiries <= MAX_EXPIRIES:
            raise ValueError(f"token_expiries: from 0 to {MAX_EXPIRIES}")
        if self.revoke_refresh and not self.token_expiries:
            raise ValueError("revoke_refresh: the refresh tokens are revoked with a token expiry; give token_expiries")
        known = changes(declared)
        for change in (*self.during, *self.between):
            if change not in known:
                raise ValueError(f"during/between: {change!r} is not one of {', '.join(known)}")
        for fault in self.faults:
            problems = fault.problems()
            if problems:
                raise ValueError(f"fault {fault}: {'; '.join(problems)}")

    def dumps(self) -> str:
        return json.dumps(self.to_document(), indent=2)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def define(task_name: str, name: str, description: str, records: Mapping[str, int] = (), **recipe: Any) -> Scenario:
    """A named scenario of a task (what a task's declaration lists among its own)."""
    counts = tuple((kind, count) for kind, count in dict(records).items() if count)
    return Scenario(name=name, task=task_name, records=counts, description=description, **recipe)


def catalogue(task_name: str) -> list[Scenario]:
    """The named scenarios of a task: the page boundaries and the engine's other scenarios,
    made from its declaration, then its own. Every verify run goes through all of them before
    any generated one."""
    declared = task(task_name)
    if declared.reads is None:
        return _unpaged(declared)
    size, prefix, paged = page_size(task_name), declared.prefix, declared.paged
    wording = declared.kinds[paged].wording

    def some(n: int) -> dict[str, int]:
        return {**declared.beside, paged: n}

    def again(name: str, description: str, **recipe: Any) -> Scenario:
        return define(task_name, f"{prefix}-{name}", f"{description}; run again", some(150), page_size=100,
                      between=("again",), **recipe)

    beside = "".join(f", {n} {declared.kinds[k].wording}" for k, n in declared.beside.items())
    typical = dict(declared.typical)
    return [
        *(define(task_name, f"{prefix}-{n}", f"{n} {wording}{beside}", some(n)) for n in boundaries(size)),
        define(task_name, f"{prefix}-short-pages",
               f"pages of 137 (Cesce sends up to {size}): two pages short of {size} that are not the last",
               some(300), page_size=137),
        define(task_name, f"{prefix}-empty-page-after-full",
               'pages of 50, the second full; the list ends with a third page, empty ("null")',
               some(100), page_size=50, empty_page_after_full=True),
        *declared.scenarios(),
        define(task_name, f"{prefix}-token-expires-mid-sync",
               "the access token expires while the client reads the first of three pages",
               some(2 * size + 1), token_expiries=1),
        define(task_name, f"{prefix}-token-expires-twice", "the access token expires at pages 2 and 3 of 4 (pages of 100)",
               some(350), page_size=100, token_expiries=2),
        define(task_name, f"{prefix}-token-expires-three-times",
               "the access token expires at pages 2, 3 and 4 of 4 (pages of 100)",
               some(350), page_size=100, token_expiries=3),
        define(task_name, f"{prefix}-refresh-token-revoked",
               "the token expires at page 2 and Cesce has revoked the refresh token: its refresh is refused "
               "(invalid_grant), the password grant works", some(150), page_size=100, token_expiries=1,
               revoke_refresh=True),
        define(task_name, f"{prefix}-slow-pages",
               "each of three pages takes 2 s to answer: the run outlasts 3.6 s (an hour read as milliseconds)",
               some(250), page_size=100, faults=(Fault("list", None, times=3, latency_ms=2000),)),
        define(task_name, f"{prefix}-503-mid-sync", "the second page answers 503 once, without Retry-After",
               some(150), page_size=100, faults=(Fault("list", 503, skip=1),)),
        define(task_name, f"{prefix}-429-retry-after", "the first page answers 429 twice with Retry-After: 2",
               typical, faults=(Fault("list", 429, times=2, retry_after=2),)),
        define(task_name, f"{prefix}-token-503", "the token endpoint answers 503 once with Retry-After: 2",
               typical, faults=(Fault("token", 503, retry_after=2),)),
        again("error-in-200", f'the second page answers 200 with errorCode "{ERROR_CODE}": not a page, an error',
              faults=(Fault("list", 200, skip=1, error_code=ERROR_CODE),)),
        again("error-in-400", f'the second page answers 400 with errorCode "{ERROR_CODE}"',
              faults=(Fault("list", 400, skip=1, error_code=ERROR_CODE),)),
        again("500-mid-sync", "the second page answers the gateway's 500", faults=(Fault("list", 500, skip=1),)),
    ]


#: How many records of its main kind the catalogue of a task without a list counts.
UNPAGED_COUNTS = (0, 1, 40)


def _unpaged(declared: Task) -> list[Scenario]:
    """The engine's scenarios for a task that reads no list (it sends ``declared.operation``,
    once a record): its counts, then the task's own, then token expiries, transient faults and
    error answers at its second request."""
    name, prefix, paged, op = declared.name, declared.prefix, declared.paged, declared.operation
    wording = declared.kinds[paged].wording
    typical = dict(declared.typical)

    def some(n: int) -> dict[str, int]:
        return {**declared.beside, paged: n}

    def again(suffix: str, description: str, **recipe: Any) -> Scenario:
        return define(name, f"{prefix}-{suffix}", f"{description}; run again", typical, between=("again",), **recipe)

    return [
        *(define(name, f"{prefix}-{n}", f"{n} {wording}", some(n)) for n in UNPAGED_COUNTS),
        *declared.scenarios(),
        define(name, f"{prefix}-token-expires-mid-run", f"the access token expires at the second {op}", typical,
               token_expiries=1),
        define(name, f"{prefix}-token-expires-twice", f"the access token expires at the second and third {op}",
               typical, token_expiries=2),
        define(name, f"{prefix}-refresh-token-revoked",
               f"the token expires at the second {op} and Cesce has revoked the refresh token: its refresh is "
               "refused (invalid_grant), the password grant works", typical, token_expiries=1, revoke_refresh=True),
        define(name, f"{prefix}-slow-answers",
               f"each of the first three {op} takes 2 s to answer: the run outlasts 3.6 s (an hour read as "
               "milliseconds)", typical, faults=(Fault("list", None, times=3, latency_ms=2000),)),
        define(name, f"{prefix}-503-mid-run", f"the second {op} answers 503 once, without Retry-After", typical,
               faults=(Fault("list", 503, skip=1),)),
        define(name, f"{prefix}-429-retry-after", f"the first {op} answers 429 twice with Retry-After: 2", typical,
               faults=(Fault("list", 429, times=2, retry_after=2),)),
        define(name, f"{prefix}-token-503", "the token endpoint answers 503 once with Retry-After: 2",
               typical, faults=(Fault("token", 503, retry_after=2),)),
        again("error-in-200", f'the second {op} answers 200 with errorCode "{ERROR_CODE}": not done, an error',
              faults=(Fault("list", 200, skip=1, error_code=ERROR_CODE),)),
        again("error-in-400", f'the second {op} answers 400 with errorCode "{ERROR_CODE}"',
              faults=(Fault("list", 400, skip=1, error_code=ERROR_CODE),)),
        again("500-mid-run", f"the second {op} answers the gateway's 500", faults=(Fault("list", 500, skip=1),)),
    ]


def strategy(task_name: str):
    """A hypothesis strategy of scenarios for a task: counts around the page boundaries, page
    sizes, every kind of record, transient faults and error answers, token expiries and
    revocations, and Cesce's changes while the client works and between runs, all shrinking
    toward the empty contract read in one go. Imports hypothesis when called."""
    from hypothesis import strategies as st

    declared = task(task_name)
    size = page_size(task_name)
    paged = size is not None

    def count(kind: str):
        if kind == declared.paged:
            return st.one_of(st.sampled_from(boundaries(size)), st.integers(0, 1100)) if paged else st.integers(0, 30)
        return st.integers(0, declared.kinds[kind].most)

    transient = st.builds(Fault, operation=st.sampled_from(["list", "token"]), status=st.sampled_from([503, 429]),
                          skip=st.integers(0, 2), times=st.integers(1, 2),
                          retry_after=st.one_of(st.none(), st.integers(0, 2)))
    errors = st.one_of(
        st.builds(Fault, operation=st.just("list"), status=st.sampled_from([200, 400, 500]), skip=st.integers(0, 2),
                  error_code=st.just(ERROR_CODE)),
        st.builds(Fault, operation=st.just("list"), status=st.just(500), skip=st.integers(0, 2)),
        *([] if paged else [st.builds(Fault, operation=st.just("list"), status=st.none(), skip=st.integers(0, 2),
                                      drop=st.just(True))]),
    )
    known = sorted(changes(declared))
    built = st.builds(
        Scenario,
        name=st.just("generated"),
        task=st.just(task_name),
        records=st.fixed_dictionaries({kind: count(kind) for kind in declared.kinds})
                  .map(lambda counts: tuple((k, n) for k, n in counts.items() if n)),
        page_size=st.one_of(st.none(), st.sampled_from([50, 137])) if paged else st.none(),
        empty_page_after_full=st.booleans() if paged else st.just(False),
        faults=st.lists(st.one_of(transient, errors), max_size=2).map(tuple),
        token_expiries=st.integers(0, 3),
        revoke_refresh=st.booleans(),
        during=st.lists(st.sampled_from(known), max_size=1).map(tuple),
        between=st.lists(st.sampled_from(known), max_size=2).map(tuple),
    )
    return built.map(lambda s: replace(s, revoke_refresh=s.revoke_refresh and s.token_expiries > 0))


def named(scenario: Scenario, name: str) -> Scenario:
    """The same recipe under another name."""
    return replace(scenario, name=name)
