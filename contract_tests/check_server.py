"""cesce-contract check-server: does a server answer as Cesce's API Market does?

Schemathesis runs over the emulator's bundled OpenAPI document (product segments from
mocks/products.yaml, exactly as the emulator serves it at /_emulator/openapi.yaml) against any
Cesce-compatible server: the emulator, a team's own mock, or Cesce's catalogs. Every operation
gets the document's examples, boundary values and generated requests, and, with links, whole
sequences (classify a debtor, read it back, find it in the portfolio, cancel it, declare a sale
on it; read a sale back, find it among its debtor's sales, modify, extend and collect on it;
declare a non-payment, then read its dossier, the non-payment and the documents it asks for;
page after page). Each answer is held to the document (status, content type, body) and to Cesce's wire
format (contract_tests.checks: envelope, strings only, "1234,56" amounts, "yyyyMMdd" dates,
the chain of list pages, ...). The report says how many requests each link made and how many
were answered with a 2xx.

A link starts from a 2xx, and a declaration gets one only on a sale Cesce takes a claim on
(rated, matured, unpaid), never a drawn one: with --contract-no 10600000008 the document's
example (sale 8000009 of the Sandbox Model's claims contract, dossierNo 0) gets it in the
examples phase. The link scenarios start from drawn requests, so the run ends with a walk
(contract_tests.link_walk) following each link no scenario followed to a 2xx once, from the
first 2xx its source got in any phase: given that contract, every run reads the dossier it
declared.

A finding is the server's fault and makes the command exit with 1. A base URL that is missing,
malformed or unreachable, credentials the token endpoint refuses, or an --operation the
document does not have, are usage errors (exit 2): nothing was checked.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import click

from contract_tests.extra import require_kit
from emulator.api_document import CATALOGS
from emulator.auth.rules import SCOPES

#: Statuses with which a schema-valid request may be answered. Cesce refuses well-formed
#: requests on business grounds with 400 (NO EXISTE LIMITE A PARTIR DE LOS DATOS
#: INTRODUCIDOS, a policy that does not allow the operation), so 400 is among them.
ACCEPTED_FOR_VALID_DATA = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


@click.command("check-server")
@click.option("--base-url", required=True, metavar="URL",
              help="The server's root, without the catalog: http://127.0.0.1:8080, or "
                   "https://api-qun.eu-central-a.apiconnect.ibmappdomain.cloud/cesceapiconnect.")
@click.option("--catalog", type=click.Choice(CATALOGS), default="dev", show_default=True,
              help="The catalog to check; requests go to URL/CATALOG/... and the token to URL/CATALOG/oauth2/v1/token.")
@click.option("--client-id", default="cesce-contract", show_default=True, envvar="CESCE_CLIENT_ID",
              help="OAuth2 client id (the emulator's tenant).  [env CESCE_CLIENT_ID]")
@click.option("--client-secret", default="secret", envvar="CESCE_CLIENT_SECRET",
              help="OAuth2 client secret.  [env CESCE_CLIENT_SECRET]")
@click.option("--username", default="user", envvar="CESCE_USERNAME", help="Password-grant username.  [env CESCE_USERNAME]")
@click.option("--password", default="password", envvar="CESCE_PASSWORD", help="Password-grant password.  [env CESCE_PASSWORD]")
@click.option("--contract-no", metavar="N",
              help="Use this contract in every request (the sandbox catalog answers only for its mock "
                   "contracts, such as 10100000001); generated numbers otherwise.")
@click.option("--operation", "operations", multiple=True, metavar="OPERATION_ID",
              help="Check only this operation (an operationId of the document, such as declareNonPayment); "
                   "repeat it for several. The links between them are followed.")
@click.option("--max-examples", type=click.IntRange(min=1), default=20, show_default=True,
              help="Generated requests per operation, and link scenarios.")
@click.option("--stateful/--no-stateful", default=True, show_default=True,
              help="Follow the document's links: classify, then read back, find and cancel; declare a sale,"
                   " then read it back, modify, extend and collect on it; declare a non-payment (the document's"
                   " example, on the claims contract 10600000008), then read its dossier, the non-payment and its"
                   " documents; page after page. Each link no scenario followed to a 2xx is then walked once"
                   " from an earlier 2xx of its source.")
@click.option("--invalid-data/--no-invalid-data", default=False, show_default=True,
              help="Also send schema-violating requests and expect them refused. Only a strict server "
                   "refuses them all (Cesce, or cesce-emulator serve --strict).")
@click.option("--seed", type=int, help="Seed of the generated data, to repeat a run.")
def check_server(base_url: str, catalog: str, client_id: str, client_secret: str, username: str, password: str,
                 contract_no: str | None, operations: tuple[str, ...], max_examples: int, stateful: bool,
                 invalid_data: bool, seed: int | None) -> None:
    """Check a Cesce-compatible server against the OpenAPI document and Cesce's wire format.

    Exits 0 when nothing was found, 1 on findings (each named by the rule it breaks, with the
    answer and a curl command to reproduce it), 2 when the server cannot be checked at all.
    """
    require_kit("check-server", ("schemathesis", "hypothesis"))
    from schemathesis import engine

    from contract_tests import link_walk

    root = _root(base_url)
    _known(operations)
    api_base = f"{root}/{catalog}"
    token = _token(api_base, client_id, client_secret, username, password)
    click.echo(f"Checking {api_base} as client {client_id!r}"
               f" ({'valid and invalid' if invalid_data else 'valid'} data, {max_examples} examples per operation"
               f"{', links followed' if stateful else ''})\n")
    run = Run()
    started = time.monotonic()
    checked = schema(api_base, catalog, token, contract_no, max_examples, stateful, invalid_data, seed, operations)
    for event in engine.from_schema(checked).execute():
        progress = run.add(event)
        if progress:
            click.echo(f"{progress} ({time.monotonic() - started:.1f} s)")
    if stateful and not run.stop:
        for step in link_walk.walk(checked, run.answers, run.followed, {"Authorization": f"Bearer {token}"}):
            run.walked(step)
        click.echo(f"{run.progress('links walked')} ({time.monotonic() - started:.1f} s)")
    run.elapsed = time.monotonic() - started
    click.echo(run.render())
    if not run.passed:
        raise SystemExit(1)


def _root(base_url: str) -> str:
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{base_url!r} is not an http(s) URL", param_hint="--base-url")
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if last in CATALOGS:
        raise click.BadParameter(f"{base_url!r} ends with the catalog {last!r}; give the server's root"
                                 f" ({base_url.rstrip('/').rsplit('/', 1)[0]}) and --catalog {last}", param_hint="--base-url")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _known(operations: tuple[str, ...]) -> None:
    from contract_tests import document

    unknown = [name for name in operations if name not in document.operation_ids()]
    if unknown:
        raise click.BadParameter(f"{', '.join(map(repr, unknown))} is not an operationId of the document; it has "
                                 f"{', '.join(document.operation_ids())}", param_hint="--operation")


def _token(api_base: str, client_id: str, client_secret: str, username: str, password: str) -> str:
    from emulator.control import call

    url = f"{api_base}/oauth2/v1/token"
    form = {"grant_type": "password", "client_id": client_id, "client_secret": client_secret,
            "scope": " ".join(SCOPES), "username": username, "password": password}
    try:
        answer = call("POST", url, form=form, timeout=30)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise click.UsageError(f"cannot reach {url}: {reason}") from None
    token = answer.body.get("access_token") if isinstance(answer.body, dict) else None
    if answer.status != 200 or not isinstance(token, str):
        raise click.UsageError(f"the token endpoint {url} gave no token for these credentials:"
                               f" HTTP {answer.status} {json.dumps(answer.body)[:300]}")
    return token


def schema(api_base: str, catalog: str, token: str, contract_no: str | None = None, max_examples: int = 20,
           stateful: bool = True, invalid_data: bool = False, seed: int | None = None, operations: tuple[str, ...] = ()):
    """The schemathesis schema a run checks the server at ``api_base`` with: the document, the
    run's settings and Cesce's checks; the given operations only, when some are."""
    import schemathesis

    import contract_tests.checks  # noqa: F401 (registers Cesce's wire-format checks)
    from contract_tests import document

    config: dict[str, Any] = {
        "base-url": api_base,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"mode": "all" if invalid_data else "positive", "max-examples": max_examples},
        "phases": {"stateful": {"enabled": stateful}},
        "checks": {
            # contract_tests.checks.server_errors_only_on_blank_fields takes its place: Cesce
            # documents HTTP 500 for a blank nonPaymentInd.
            "not_a_server_error": {"enabled": False},
            "positive_data_acceptance": {"expected-statuses": ACCEPTED_FOR_VALID_DATA},
        },
    }
    if catalog == "sandbox":
        # The sandbox keeps nothing a request does (Cesce's sandbox neither): a debtor a
        # classification answer names is unknown to the next request.
        config["checks"]["ensure_resource_availability"] = {"enabled": False}
    if contract_no is not None:
        config["parameters"] = {"contractNo": contract_no}
    if seed is not None:
        # Hypothesis's example database would replay what earlier runs saved: a seed repeats a
        # run only without it.
        config["seed"] = seed
        config["generation"]["database"] = "none"
    loaded = schemathesis.openapi.from_dict(document.document(), config=schemathesis.Config.from_dict(config))
    return loaded.include(operation_id=list(operations)) if operations else loaded


@dataclass
class Finding:
    check: str
    operation: str
    message: str
    example: str
    answer: str
    count: int = 1


@dataclass
class Run:
    """What a run found, gathered from schemathesis's engine events."""

    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)
    requests: Counter = field(default_factory=Counter)
    links: Counter = field(default_factory=Counter)  # link name -> requests made through it
    linked: Counter = field(default_factory=Counter)  # link name -> those answered with a 2xx
    # What the closing link walk starts from: operation label -> its first (case, 2xx answer),
    # and the (source label, link name) pairs a scenario already followed to a 2xx.
    answers: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    followed: set[tuple[str, str]] = field(default_factory=set)
    walks: int = 0
    phases: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    scenarios: int = 0
    stop: str = ""
    elapsed: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.findings and not self.errors

    def add(self, event: Any) -> str | None:
        """Take in an engine event; a progress line when it ends a phase."""
        from schemathesis.engine import events

        if isinstance(event, events.ScenarioFinished):
            self._scenario(event)
        elif isinstance(event, events.PhaseFinished) and event.phase.name.value in ("examples", "coverage", "fuzzing", "stateful"):
            skipped = event.phase.skip_reason
            state = f"skipped ({skipped.value})" if skipped else "done"
            self.phases.append((event.phase.name.value, state))
            return self.progress(f"{event.phase.name.value} {state}")
        elif isinstance(event, events.NonFatalError):
            self.errors.append(f"{event.label}: {event.info.title}: {event.value}")
        elif isinstance(event, events.FatalError):
            self.errors.append(f"the run stopped: {event.exception}")
        elif isinstance(event, events.EngineFinished) and event.stop_reason.value != "completed":
            self.stop = event.stop_reason.value
        return None

    def progress(self, done: str) -> str:
        found = len(self.findings)
        return f"{done}: {sum(self.requests.values())} requests so far, {found} finding{'' if found == 1 else 's'}"

    def _scenario(self, event: Any) -> None:
        from contract_tests.link_walk import transition_link

        recorder = event.recorder
        if event.phase.value == "stateful":
            self.scenarios += 1
        for case_id, interaction in recorder.interactions.items():
            node = recorder.cases.get(case_id)
            self.requests[node.value.operation.label if node else "?"] += 1
            answered = interaction.response is not None and interaction.response.status_code < 300
            if node is not None and answered and node.value.method.upper() == node.value.operation.method.upper():
                # (the coverage phase also sends other methods: an OPTIONS answered 200 starts no link)
                self.answers.setdefault(node.value.operation.label, (node.value, interaction.response))
            if node is not None and node.transition is not None and node.is_transition_applied:
                source, link = transition_link(node.transition.id)
                self.links[link] += 1
                if answered:
                    self.linked[link] += 1
                    self.followed.add((source, link))
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                if node.failure_info is None:
                    continue
                failure = node.failure_info.failure
                operation = failure.operation or recorder.label or "?"
                interaction = recorder.interactions.get(failure.case_id or case_id)
                self._found(node.name, operation, failure, node.failure_info.code_sample,
                            interaction.response if interaction else None)

    def walked(self, step: Any) -> None:
        """Take in a link the closing walk followed (contract_tests.link_walk.Step)."""
        from contract_tests.link_walk import check_name

        self.walks += 1
        if step.error:
            self.errors.append(f"{step.link.name}: {step.error}")
            return
        self.requests[step.label] += 1
        self.links[step.link.name] += 1
        self.linked[step.link.name] += step.response.status_code < 300
        for failure in step.failures:
            self._found(check_name(failure), step.label, failure, step.curl, step.response)

    def _found(self, check: str, operation: str, failure: Any, example: str, response: Any) -> None:
        message = failure.message.strip() or failure.title
        key = (check, operation, message.splitlines()[0] if message else "")
        if key in self.findings:
            self.findings[key].count += 1
        else:
            self.findings[key] = Finding(check, operation, message, example, _answer(response))

    def render(self) -> str:
        lines = ["Phases: " + ", ".join(f"{name} {state}" for name, state in self.phases)]
        if self.scenarios or self.walks:
            lines[0] += f" ({self.scenarios} link scenarios, {self.walks} links walked)"
        lines += ["", "Operations:"]
        failing = Counter(finding.operation for finding in self.findings.values())
        for operation in sorted(self.requests, key=_by_path):
            mark = "FAIL" if failing[operation] else " ok "
            found = f", {failing[operation]} finding{'s' if failing[operation] > 1 else ''}" if failing[operation] else ""
            lines.append(f"  [{mark}] {operation}  ({self.requests[operation]} requests{found})")
        if self.links:
            lines += ["", "Links followed (requests answered 2xx of those made):"] + [
                f"  {link}  {self.linked[link]} of {self.links[link]}" for link in sorted(self.links)]
        for number, finding in enumerate(self.findings.values(), 1):
            lines += ["", f"{number}. {finding.check}: {finding.operation}"
                          f"{f'  ({finding.count} times)' if finding.count > 1 else ''}"]
            lines += [f"   {line}" for line in finding.message.splitlines() if line.strip()][:12]
            if finding.answer:
                lines.append(f"   Answer: {finding.answer}")
            lines += ["   Reproduce:"] + [f"     {line}" for line in finding.example.splitlines()]
        if self.findings:
            broken = {}
            for finding in self.findings.values():
                broken.setdefault(finding.check, set()).add(finding.operation)
            width = max(map(len, broken))
            lines += ["", "Rules broken:"] + [
                f"  {check.ljust(width)}  {len(operations)} operation{'s' if len(operations) > 1 else ''}"
                for check, operations in sorted(broken.items())]
        if self.errors:
            lines += ["", "Errors (the run could not check everything):"] + [f"  - {error}" for error in self.errors[:20]]
        if self.stop:
            lines += ["", f"The run stopped early: {self.stop.replace('_', ' ')}."]
        total = sum(self.requests.values())
        verdict = "no findings" if self.passed else (
            f"{len(self.findings)} finding{'s' if len(self.findings) != 1 else ''}"
            f"{f' and {len(self.errors)} errors' if self.errors else ''}")
        lines += ["", f"{verdict}: {total} requests to {len(self.requests)} operations in {self.elapsed:.1f} s"]
        return "\n".join(lines)


def _answer(response: Any) -> str:
    if response is None:
        return ""
    text = (response.content or b"").decode("utf-8", "replace")
    return f"HTTP {response.status_code} {text[:240]}{'...' if len(text) > 240 else ''}"


def _by_path(label: str) -> tuple[str, str]:
    method, _, path = label.partition(" ")
    return path, method
