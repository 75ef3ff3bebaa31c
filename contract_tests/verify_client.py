"""cesce-contract verify-client: run YOUR client against the emulator under every scenario of a
task and say, per scenario, whether it got the records right and used the API as Cesce expects."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click
from click.core import ParameterSource

from contract_tests.conformance.errors import KitUsageError
from contract_tests.conformance.scenarios import catalogue
from contract_tests.conformance.tasks import tasks
from contract_tests.conformance.tasks.claims import BACKOFF_STREAK, POLL_CEILING, POLL_FLOOR
from contract_tests.conformance.traffic import MIN_BACKOFF, RETRY_AFTER_SHARE
from contract_tests.conformance.verification import REPORT_DIR, reproduction, verify
from contract_tests.extra import require_kit


def _tasks() -> str:
    lines = []
    for name, declared in tasks().items():
        lines += textwrap.wrap(f"{declared.description}. Judged: {declared.rule}.", 80,
                               initial_indent=f"  {name:<17}", subsequent_indent=" " * 19)
    return "\n".join(lines)


_EPILOG = f"""\b
Tasks (--task), and what a client's records are judged against:
{_tasks()}

\b
The command runs through the shell once per scenario run, with these variables set:
  CESCE_BASE_URL       catalog base, e.g. http://127.0.0.1:8080/dev
  CESCE_TOKEN_URL      {{CESCE_BASE_URL}}/oauth2/v1/token
  CESCE_CLIENT_ID, CESCE_CLIENT_SECRET, CESCE_USERNAME, CESCE_PASSWORD
  CESCE_CONTRACT_NO    the contract to work on
  CESCE_TASK           the task's name
  CESCE_OUTPUT         a file: write there, as a JSON list, the records the client now
                       believes current (for the risk tasks, debtor records with at least
                       endorsementNo, statusCode, creditLimitGranted; for sales-sync, sales
                       with saleCesceReferenceNo, statusCode, reasonStatusCode, currencyAmount,
                       accruedPremium; for sales-declare, one record per invoice with
                       invoiceNo, saleCesceReferenceNo, statusCode, reasonStatusCode; for
                       claims-follow, one record per dossier with dossierNo, endorsementNo,
                       indemnifiedAmount, paymentDate). For movements-sync and sales-sync it
                       already holds the records the client had: merge the movements into
                       them. For sales-declare, a second run finds there what the first one
                       wrote.
  CESCE_INPUT          for a task that gives the client input, a file holding it (JSON); for
                       sales-declare the ERP's invoices: invoiceNo, invoiceDate and
                       maturityDate ("2026-01-10"), amount ("1234.56"), currency, and the
                       debtor's endorsementNo and customerReference (send one of them); for
                       claims-follow the non-payments: saleCesceReferenceNo, invoiceNo,
                       maturityDate (yyyyMMdd), the debtor's endorsementNo and
                       customerReference, and unpaidAmount ("1234,56")

\b
Each run is judged on
  records   CESCE_OUTPUT against the emulator's state, as the task says above; amounts
            compare by value, to the cent.
  requests  the emulator's journal: requests Cesce would take; one token reused until it
            expires, renewed with the latest refresh token, or the password grant when the
            refresh is refused (invalid_grant); every page read until its cursor says
            the last (nextEndorsementNo "0", initialValue ""), however short, and none after; 429/503 retried after at least {RETRY_AFTER_SHARE:.0%} of
            Retry-After, or {MIN_BACKOFF:g} s without one; nothing but what the task does.
  errors    an answer whose errorCode is not "0" (even on a 200), a 500 or a dropped
            connection may end a run in error, leaving CESCE_OUTPUT as it was; exiting 0
            with part of a list fails.
  polls     for a task that polls (claims-follow), the same read sent again no sooner than
            {POLL_FLOOR:g} s after the last, and polls backing off while nothing changes: once the
            same read has had the same answer for {BACKOFF_STREAK} pauses running, each pause is
            twice the first of them, or {POLL_CEILING:g} s or more.

\b
Exit status: 0 every scenario passed; 1 a scenario failed (the report says which, the first
wrong request or record, and how to reproduce it); 2 the verification could not run as asked.
"""


class _CannotRun(click.ClickException):
    """The verification could not run as asked (not a verdict on the client)."""

    exit_code = 2


@click.command("verify-client", epilog=_EPILOG)
@click.option("--cmd", "command", metavar="COMMAND", help="Shell command that runs your client once.")
@click.option("--task", type=click.Choice(list(tasks())), help="What the client is asked to do.")
@click.option("--emulator-url", metavar="URL", help="A running emulator to use instead of one started in-process.")
@click.option("--catalog", type=click.Choice(["dev", "pre", "pro"]), default="dev", show_default=True,
              help="Catalog the client is pointed at.")
@click.option("--scenario", "scenarios", multiple=True, metavar="NAME",
              help="Run only this named scenario (repeatable; see --list).")
@click.option("--scenario-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Run only the scenario saved in this file by an earlier report.")
@click.option("--examples", type=click.IntRange(min=0), default=3, show_default=True,
              help="Scenarios generated by hypothesis after the named ones (0: none).")
@click.option("--seed", type=int, help="Seed of the generated scenarios (random by default; the report prints it).")
@click.option("--shrink-budget", type=click.IntRange(min=0), default=25, show_default=True,
              help="Extra client runs hypothesis may spend shrinking a failing generated scenario "
                   "(2 once a run has hung).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds one run of the client may take before it is stopped as hanging.")
@click.option("--jobs", type=click.IntRange(min=1), default=4, show_default=True,
              help="Named scenarios run at a time (each is its own tenant).")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), default=REPORT_DIR,
              show_default=True, help="Where failing scenarios are saved for --scenario-file.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON to this file.")
@click.option("--list", "list_only", is_flag=True, help="List the named scenarios of --task (or of every task) and exit.")
@click.pass_context
def verify_client(ctx, command, task, emulator_url, catalog, scenarios, scenario_file, examples, seed, shrink_budget,
                  timeout, jobs, report_dir, json_path, list_only) -> None:
    """Verify YOUR client against the emulator: for each scenario a fresh tenant is seeded,
    COMMAND runs (twice when Cesce changes something between runs), and the records it writes
    and the requests it sent are judged. A row is printed as each scenario ends. A client that
    hangs is stopped after --timeout; one that crashes is reported with the line that says what
    failed and its last output lines."""
    if list_only:
        for name in [task] if task else list(tasks()):
            click.echo(f"{name}:")
            for scenario in catalogue(name):
                click.echo(f"  {scenario.name:<40} {scenario.description}")
        return
    require_kit("verify-client", ("hypothesis",))
    if not command:
        raise click.UsageError("--cmd is required: the shell command that runs your client")
    if not task:
        raise click.UsageError(f"--task is required: one of {', '.join(tasks())}")
    if scenarios and scenario_file:
        raise click.UsageError("give --scenario or --scenario-file, not both")
    try:
        report = verify(command, task, emulator_url=emulator_url, catalog=catalog,
                        scenarios=list(scenarios) or None, scenario_file=scenario_file, examples=examples,
                        seed=seed, timeout=timeout, shrink_budget=shrink_budget, jobs=jobs,
                        report_dir=report_dir, raise_on_failure=False, progress=click.echo,
                        reproduce=_reproduction(ctx, command, task))
    except KitUsageError as error:
        raise _CannotRun(str(error)) from None
    click.echo("\n" + report.render(table=False))
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    ctx.exit(0 if report.passed else 1)


#: The options a reproduction repeats when they were given: they change what the scenario meets.
_REPEATED = ("emulator_url", "catalog", "timeout")


def _reproduction(ctx: click.Context, command: str, task: str):
    given = {name: ctx.params[name] for name in _REPEATED
             if ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)}
    return reproduction(command, task, given)
