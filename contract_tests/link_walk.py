"""The last part of a check-server run: each link of the document followed once, from an answer
the run already got.

Schemathesis's link scenarios start from a drawn request, and a chain can start only from a
request the server takes: a declaration gets its 201 only on a sale Cesce takes a claim on,
which the document's example names and no drawn body does, so a drawn scenario seldom declares,
and "declare, then read the dossier" was followed now and then. After the generated phases,
each link that no scenario followed to a 2xx is followed here once, from the first 2xx its
source operation got in any phase (the examples phase's declaration, for the claims links). The
target's parameters the link does not give take their simplest valid values, and its answer is
held to the run's checks, as a scenario's would be.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.core.transforms import UNRESOLVABLE
from schemathesis.generation.stateful.state_machine import StepOutput
from schemathesis.specs.openapi import expressions

from contract_tests import document


#: Seconds a walked request may take: a server that stops answering ends the walk's step, not the run.
TIMEOUT = 30


@dataclass(frozen=True)
class Link:
    """A link of the document: from a status of one operation to another operation."""

    name: str  # "ReadTheDossier"
    source: str  # operationId
    status: str  # "201"
    target: str  # operationId
    parameters: dict[str, str]  # target parameter -> runtime expression
    body: Any = None  # the target's request body, runtime expressions inside, laid over a drawn one


@dataclass
class Step:
    """A link followed: the request made, its answer, what the checks found in it."""

    link: Link
    label: str  # the target operation, "GET /claims/v1/contracts/{contractNo}/dossiers/{dossierNo}"
    case: Any
    response: Any = None
    failures: tuple[Failure, ...] = ()
    error: str = ""  # why the request could not be made
    curl: str = ""


def links(doc: dict) -> Iterator[Link]:
    """Every link an OpenAPI document declares, in the document's order."""
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for status, response in operation.get("responses", {}).items():
                for name, link in (response.get("links") or {}).items():
                    yield Link(name, operation["operationId"], str(status), link["operationId"],
                               dict(link.get("parameters", {})), link.get("requestBody"))


def walk(schema: Any, answers: dict[str, tuple[Any, Any]], followed: set[tuple[str, str]],
         headers: dict[str, str]) -> Iterator[Step]:
    """Follow, once each, the links of the document between operations ``schema`` (the run's
    schemathesis schema) includes, but not those in ``followed`` ((source label, link name)
    pairs), from ``answers``: operation label -> the first (case, response) it was answered
    with a 2xx. A walked link's 2xx is an answer too, so chains are walked to their end
    (classify, declare a sale on the debtor, read the sale back)."""
    answers = dict(answers)
    selected = {result.ok().label for result in schema.get_all_operations() if isinstance(result, Ok)}
    pending = []
    for link in links(document.document()):
        source, target = schema.find_operation_by_id(link.source), schema.find_operation_by_id(link.target)
        if target.label in selected and (source.label, link.name) not in followed:
            pending.append((link, source.label, target))
    while True:
        ready = [(link, source, target) for link, source, target in pending
                 if source in answers and str(answers[source][1].status_code) == link.status]
        if not ready:
            return
        for link, source, target in ready:
            pending.remove((link, source, target))
            case, response = answers[source]
            step = _follow(link, target, StepOutput(response=response, case=case), headers)
            if step.response is not None and step.response.status_code < 300:
                answers.setdefault(step.label, (step.case, step.response))
            yield step


def _follow(link: Link, target: Any, output: StepOutput, headers: dict[str, str]) -> Step:
    step = Step(link, target.label, None)
    answer = f"the {output.response.status_code} of {output.case.operation.label}"
    try:
        values = {name: expressions.evaluate(expression, output) for name, expression in link.parameters.items()}
        body = None if link.body is None else expressions.evaluate(link.body, output, evaluate_nested=True)
    except (NotImplementedError, ValueError) as error:  # an answer that is not JSON, or not the JSON it says
        step.error = f"{answer} cannot be read: {error}"
        return step
    missing = [link.parameters[name] for name, value in values.items() if value is None or value is UNRESOLVABLE]
    if missing or _unresolved(body):
        step.error = f"{answer} has no {', '.join(missing) or 'value for the request body ' + json.dumps(link.body)}"
        return step
    path_names = {parameter.name for parameter in target.path_parameters}
    path = {name: value for name, value in values.items() if name in path_names}
    query = {name: value for name, value in values.items() if name not in path_names}
    try:
        # The simplest request the target's schema allows, with the link's values: one that
        # repeats from run to run, not a drawn one.
        step.case = hypothesis.find(target.as_strategy(path_parameters=path, query=query or None), lambda _: True,
                                    settings=hypothesis.settings(database=None, derandomize=True, phases=[hypothesis.Phase.generate]))
    except (hypothesis.errors.NoSuchExample, hypothesis.errors.Unsatisfiable):
        step.error = f"no valid request to {target.label} takes {values}"
        return step
    if body is not None:
        step.case.body = _laid_over(step.case.body, body)
    step.curl = step.case.as_curl_command(headers=headers)
    try:
        step.response = step.case.call(headers=headers, timeout=TIMEOUT)
    except OSError as error:  # requests' connection errors and timeouts are OSErrors
        step.error = f"{target.label}: {error}"
        return step
    try:
        step.case.validate_response(step.response, headers=headers)
    except FailureGroup as group:
        step.failures = tuple(group.exceptions)
    return step


def transition_link(transition_id: str) -> tuple[str, str]:
    """The source operation and the link's name of a schemathesis transition:
    "POST /... -> [201] ReadTheDossier -> GET /..." gives ("POST /...", "ReadTheDossier")."""
    source, rest = transition_id.split(" -> [", 1)
    return source, rest.split("] ", 1)[1].split(" -> ")[0]


def _unresolved(value: Any) -> bool:
    if isinstance(value, dict):
        return any(map(_unresolved, value.values()))
    if isinstance(value, list):
        return any(map(_unresolved, value))
    return value is UNRESOLVABLE


def _laid_over(drawn: Any, linked: Any) -> Any:
    """The link's body over the drawn one: its fields replace the drawn ones, objects merged."""
    if isinstance(drawn, dict) and isinstance(linked, dict):
        return {**drawn, **{key: _laid_over(drawn.get(key), value) for key, value in linked.items()}}
    return linked


def check_name(failure: Failure) -> str:
    """The check a failure comes from, as the engine's reports name it: a built-in check's name,
    or the name a custom check's title quotes ("Custom check failed: `envelope_is_present`")."""
    if failure.checks:
        return failure.checks[0]
    quoted = failure.title.split("`")
    return quoted[1] if len(quoted) > 2 else failure.title
