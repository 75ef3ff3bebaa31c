"""The scenarios a client is verified under: what the contract holds, what goes wrong while the
client works, and what Cesce changes between two runs of it.

A ``Scenario`` is a small recipe (counts and flags, so hypothesis can generate and shrink it);
``contract_tests.conformance.seeding`` turns it into the emulator's scenario document, faults
and events. Each task has a catalogue of named scenarios at the boundaries that break clients
(page sizes, empty pages, 300xxx pairs, token expiry, 429/503), and a hypothesis strategy that
mixes the same ingredients at random.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from contract_tests import document
from emulator.faults import TRANSIENT_STATUSES

#: What a client is asked to do, and the list operation it must read for it.
TASKS = {"portfolio-sync": "getPortfolio", "movements-sync": "getMovements"}

#: Records a page of the lists holds, as the document declares it (Cesce's 500).
PAGE_SIZE = document.paging(TASKS["portfolio-sync"]).size
#: Record counts around the page size: 0, 1, 499, 500, 501, 1000, 1001.
BOUNDARIES = (0, 1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE, 2 * PAGE_SIZE + 1)

#: What Cesce may do between two runs of the client (applied in order):
CHANGES = {
    "resolve": "the Risk Committee decides every pending request (300xxx and new debtors) as it would",
    "reject": "the Risk Committee rejects every pending request",
    "reduce": "Cesce halves the limit of the first debtor in force (its risk worsened)",
    "cancel": "Cesce cancels the limit of the last debtor in force",
    "advance": "26 hours pass: pending requests fall due and are decided at their own moment",
}


@dataclass(frozen=True)
class Fault:
    """A transient gateway error. ``operation`` is "list" (the task's list operation) or
    "token"; ``skip`` requests of that operation pass before it (after any earlier fault on the
    same operation); it then answers ``status`` ``times`` times, with a Retry-After header of
    ``retry_after`` seconds when that is not None."""

    operation: str = "list"
    status: int = 503
    skip: int = 0
    times: int = 1
    retry_after: int | None = None

    def describe(self) -> str:
        after = f" after {self.skip} good request(s)" if self.skip else ""
        header = f", Retry-After: {self.retry_after}" if self.retry_after is not None else ", no Retry-After"
        return f"{self.status} x{self.times} on {self.operation}{after}{header}"


@dataclass(frozen=True)
class Scenario:
    """One situation a client must handle. Records are generated in a fixed order (pending
    requests' debtors, new pending debtors, rejections, cancellations, then the ``old`` and
    ``recent`` debtors in force), so the same recipe always gives the same endorsementNos.

    - ``old``: debtors in force whose last change is days old (in the portfolio, not in movements).
    - ``recent``: debtors granted two hours ago (in the portfolio and in movements).
    - ``rejected``: debtors rejected three hours ago; ``cancelled``: limits cancelled ten days ago.
    - ``pending_new``: new debtors EN TRÁMITE (statusCode "1"), decided a day after seeding.
    - ``pending_requests``: debtors in force with a second, pending 300xxx request for a higher
      limit, decided a day after seeding.
    - ``faults``: transient errors during the first run.
    - ``expire_token``: as the client asks for its second list page, the tenant's clock jumps
      61 minutes, so the token it holds expires in the middle of its sync.
    - ``between``: keys of ``CHANGES``; when not empty the client runs twice, with these
      changes in between (it keeps its own CESCE_OUTPUT file from one run to the next).
    """

    name: str
    task: str
    old: int = 0
    recent: int = 0
    rejected: int = 0
    cancelled: int = 0
    pending_new: int = 0
    pending_requests: int = 0
    faults: tuple[Fault, ...] = ()
    expire_token: bool = False
    between: tuple[str, ...] = ()
    description: str = field(default="", compare=False)

    @property
    def runs(self) -> int:
        return 2 if self.between else 1

    @property
    def operation(self) -> str:
        """The list operation the task reads (getPortfolio or getMovements)."""
        return TASKS[self.task]

    def summary(self) -> str:
        """A one-line account of the recipe, for reports."""
        wording = {"old": "in force for days", "recent": "granted in the last 48 h", "rejected": "rejected",
                   "cancelled": "cancelled", "pending_new": "new EN TRÁMITE",
                   "pending_requests": "in force with a pending 300xxx request"}
        parts = [f"{value} {text}" for name, text in wording.items() if (value := getattr(self, name))]
        parts = [("debtors: " + ", ".join(parts)) if parts else "no debtors"]
        parts += [f"fault {fault.describe()}" for fault in self.faults]
        if self.expire_token:
            parts.append("token expires mid-sync")
        if self.between:
            parts.append("run, " + ", ".join(self.between) + ", run again")
        return "; ".join(parts)

    def to_document(self) -> dict[str, Any]:
        """The recipe as JSON-ready data (what ``--scenario-file`` reads back)."""
        doc = asdict(self)
        doc["faults"] = [asdict(fault) for fault in self.faults]
        doc["between"] = list(self.between)
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Scenario:
        """Read a recipe written by ``to_document`` (ValueError when it is not one)."""
        if not isinstance(doc, dict):
            raise ValueError("a scenario is a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise ValueError(f"unknown scenario field {unknown[0]!r}")
        try:
            faults = tuple(Fault(**fault) for fault in doc.get("faults", []))
            scenario = cls(**{**doc, "faults": faults, "between": tuple(doc.get("between", []))})
        except TypeError as error:
            raise ValueError(str(error)) from None
        scenario.check()
        return scenario

    def check(self) -> None:
        """ValueError when the recipe cannot be staged."""
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, not {self.task!r}")
        for name in ("old", "recent", "rejected", "cancelled", "pending_new", "pending_requests"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 20000:
                raise ValueError(f"{name}: a count from 0 to 20000")
        for change in self.between:
            if change not in CHANGES:
                raise ValueError(f"between: {change!r} is not one of {', '.join(CHANGES)}")
        for fault in self.faults:
            if fault.operation not in ("list", "token") or fault.status not in TRANSIENT_STATUSES:
                statuses = "|".join(map(str, TRANSIENT_STATUSES))
                raise ValueError(f"fault {fault}: operation list|token, status {statuses}")
            if fault.skip < 0 or fault.times < 1 or (fault.retry_after is not None and fault.retry_after < 0):
                raise ValueError(f"fault {fault}: skip >= 0, times >= 1, retry_after >= 0")

    def dumps(self) -> str:
        return json.dumps(self.to_document(), indent=2)


def catalogue(task: str) -> list[Scenario]:
    """The named scenarios of a task, boundaries first. Every verify run goes through all of
    them before any generated one."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")
    if task == "portfolio-sync":
        # Page boundaries are counted in portfolio records: the old debtors in force.
        pages = [_s(task, f"portfolio-{n}", old=n, description=f"{n} debtors in force") for n in BOUNDARIES]
        big, two_pages = {"old": 2 * PAGE_SIZE + 1}, {"old": PAGE_SIZE + 1}
    else:
        # Page boundaries are counted in movements; a few old debtors stay in the client's file.
        pages = [_s(task, f"movements-{n}", old=3, recent=n, description=f"{n} movements, 3 older debtors")
                 for n in BOUNDARIES]
        big, two_pages = {"old": 3, "recent": 2 * PAGE_SIZE + 1}, {"old": 3, "recent": PAGE_SIZE + 1}
    prefix = task.split("-")[0]
    mixed = {"old": 3, "recent": 2, "rejected": 1, "cancelled": 1, "pending_new": 1, "pending_requests": 2}
    return pages + [
        _s(task, f"{prefix}-every-status", **mixed,
           description="every status, new pending debtors and 300xxx pending requests"),
        _s(task, f"{prefix}-resolved-between-runs", **mixed, between=("resolve",),
           description="run; the committee decides the pending requests; run again"),
        _s(task, f"{prefix}-rejected-between-runs", **mixed, between=("reject",),
           description="run; the committee rejects the pending requests; run again"),
        _s(task, f"{prefix}-cesce-changes-between-runs", **mixed, between=("reduce", "cancel"),
           description="run; Cesce reduces one limit and cancels another; run again"),
        _s(task, f"{prefix}-clock-between-runs", **mixed, between=("advance",),
           description="run; 26 hours pass and pending requests are decided on their own; run again"),
        _s(task, f"{prefix}-token-expires-mid-sync", **big, expire_token=True,
           description="the access token expires while the client reads the first of three pages"),
        _s(task, f"{prefix}-503-mid-sync", **two_pages, faults=(Fault("list", 503, skip=1),),
           description="the second page answers 503 once, without Retry-After"),
        _s(task, f"{prefix}-429-retry-after", **mixed, faults=(Fault("list", 429, times=2, retry_after=1),),
           description="the first page answers 429 twice with Retry-After: 1"),
        _s(task, f"{prefix}-token-503", **mixed, faults=(Fault("token", 503, retry_after=1),),
           description="the token endpoint answers 503 once with Retry-After: 1"),
    ]


def _s(task: str, name: str, **recipe: Any) -> Scenario:
    return Scenario(name=name, task=task, **recipe)


def strategy(task: str):
    """A hypothesis strategy of scenarios for ``task``: counts around the page boundaries,
    pending requests, transient faults, token expiry and changes between runs, all shrinking
    toward the empty contract. Imports hypothesis when called."""
    from hypothesis import strategies as st

    def count(upper: int):
        return st.one_of(st.sampled_from(BOUNDARIES), st.integers(0, upper))

    faults = st.builds(
        Fault,
        operation=st.sampled_from(["list", "token"]),
        status=st.sampled_from([503, 429]),
        skip=st.integers(0, 2),
        times=st.integers(1, 2),
        retry_after=st.one_of(st.none(), st.integers(0, 1)),
    )
    small = st.integers(0, 3)
    return st.builds(
        Scenario,
        name=st.just("generated"),
        task=st.just(task),
        old=count(1100) if task == "portfolio-sync" else st.integers(0, 5),
        recent=count(1100) if task == "movements-sync" else st.integers(0, 5),
        rejected=small,
        cancelled=small,
        pending_new=small,
        pending_requests=small,
        faults=st.lists(faults, max_size=2).map(tuple),
        expire_token=st.booleans(),
        between=st.lists(st.sampled_from(sorted(CHANGES)), max_size=2).map(tuple),
    )


def named(scenario: Scenario, name: str) -> Scenario:
    """The same recipe under another name."""
    return replace(scenario, name=name)
