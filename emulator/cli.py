"""cesce-emulator: serve the emulator, or work on a state file without serving it.

Flags override CESCE_EMULATOR_* variables, which override the defaults (Settings holds the
precedence). ``serve`` runs the server of emulator.serving in this one process, so that an
in-memory state is one state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from emulator import files, resources, tls
from emulator.admin.snapshots import FORMATS
from emulator.files import FileError
from emulator.sandbox_model import SandboxModel, validate
from emulator.settings import Settings
from emulator.store import Store, StoreError


def _settings(**flags) -> Settings:
    try:
        return Settings.from_env(**flags)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@click.group(help=__doc__.split("\n\n")[0])
def main() -> None:
    pass


@main.command()
@click.option("--host", help="Interface to listen on.  [env CESCE_EMULATOR_HOST; default 127.0.0.1]")
@click.option("--port", type=int, help="Port to listen on.  [env CESCE_EMULATOR_PORT or PORT; default 8080]")
@click.option("--state", help="SQLite file that keeps state across restarts.  [env CESCE_EMULATOR_STATE; default :memory:]")
@click.option("--strict/--lenient", default=None,
              help="Refuse non-canonical requests with 400.  [env CESCE_EMULATOR_STRICT; default lenient]")
@click.option("--mocks-dir", help="A Sandbox Model to use instead of the bundled one.  [env CESCE_EMULATOR_MOCKS_DIR]")
@click.option("--fixtures-dir", help="Scenarios to use instead of the bundled ones.  [env CESCE_EMULATOR_FIXTURES_DIR]")
@click.option("--page-size", type=int, help="Records per portfolio and movements page.  [env CESCE_EMULATOR_PAGE_SIZE; default 500]")
@click.option("--threads", type=int, help="Request threads: requests served at once.  [env CESCE_EMULATOR_THREADS; default 200]")
@click.option("--stall-timeout", type=int, help="Seconds a connection may send nothing in the middle of a request"
                                                " before it is closed.  [env CESCE_EMULATOR_STALL_TIMEOUT; default 10]")
@click.option("--journal-limit", type=int, help="Journal entries each tenant keeps, about; the oldest go as new ones"
                                                " come.  [env CESCE_EMULATOR_JOURNAL_LIMIT; default 100000]")
@click.option("--durability", type=click.Choice(["process", "power"]),
              help="What an acknowledged write survives: a crash or kill of the process, or also a power loss"
                   " (an fsync per write).  [env CESCE_EMULATOR_DURABILITY; default process]")
@click.option("--tls/--no-tls", default=None,
              help="Serve HTTPS with a local CA and a certificate for localhost, made once and kept in --tls-dir."
                   "  [env CESCE_EMULATOR_TLS; default off]")
@click.option("--tls-dir", help="Where --tls keeps its CA and certificate.  [env CESCE_EMULATOR_TLS_DIR;"
                                " default the state file's directory, or ~/.local/share/cesce-emulator]")
@click.option("--tls-cert", help="Serve HTTPS with your own certificate (PEM, with its chain).  [env CESCE_EMULATOR_TLS_CERT]")
@click.option("--tls-key", help="The private key of --tls-cert (PEM).  [env CESCE_EMULATOR_TLS_KEY]")
@click.option("--replay-dir", help="Replay cases (from import-postman, say) the sandbox catalog answers before the"
                                   " Sandbox Model.  [env CESCE_EMULATOR_REPLAY_DIR]")
@click.option("--admin-token", metavar="TOKEN", help="Make every /_emulator call but health carry 'Authorization: Bearer"
                                                     " TOKEN'.  [env CESCE_EMULATOR_ADMIN_TOKEN]")
@click.option("--allowed-hosts", metavar="NAMES", help="Host names, comma-separated, the operator surface answers to besides"
                                                       " local ones: the name other containers reach this one by.  [env"
                                                       " CESCE_EMULATOR_ALLOWED_HOSTS]")
def serve(**flags) -> None:
    """Serve the emulator until SIGTERM or Ctrl-C."""
    settings = _settings(**flags)
    # A broken Sandbox Model, scenario or replay case, or an unusable state file fails here,
    # before anything is served; the app is made once.
    if settings.replay_dir is not None and not Path(settings.replay_dir).is_dir():
        raise click.ClickException(f"--replay-dir {settings.replay_dir}: no such directory")
    from emulator.app import create_app

    try:
        app = create_app(settings)
        _check_scenarios(settings, app.extensions["cesce"].model)
    except FileError as error:
        raise click.ClickException(str(error)) from None
    except (sqlite3.Error, StoreError) as error:
        raise click.ClickException(f"cannot use the state file {settings.state}: {error}") from None
    if settings.replay_dir is not None:
        click.echo(f"cesce-emulator: the sandbox catalog replays {len(app.extensions['cesce'].replay)} cases", err=True)
    try:
        credentials = _credentials(settings)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"HTTPS: {error}") from None
    from emulator import serving

    scheme = "https" if credentials else "http"
    click.echo(f"cesce-emulator: serving {scheme}://{_authority(settings)}  (state {settings.state},"
               f" {'strict' if settings.strict else 'lenient'}; operator surface at /_emulator)", err=True)
    if credentials and credentials.ca:
        click.echo(f"cesce-emulator: HTTPS for {', '.join(tls.NAMES)}; have clients trust the CA {credentials.ca}",
                   err=True)
    serving.serve(app, settings, credentials)


def _check_scenarios(settings: Settings, model: SandboxModel) -> None:
    for path in sorted(resources.fixtures_dir(settings.fixtures_dir).glob("*.yaml")):
        scenario = validate(files.read_yaml(path), "scenario", str(path))
        model.check_contracts(scenario.get("contracts", []), str(path))


def _credentials(settings: Settings) -> tls.Credentials | None:
    if settings.tls_cert is not None:
        return tls.own_credentials(settings.tls_cert, settings.tls_key)
    if settings.tls:
        return tls.local_credentials(Path(settings.tls_dir) if settings.tls_dir else tls.default_directory(settings.state))
    return None


def _authority(settings: Settings) -> str:
    return f"[{settings.host}]:{settings.port}" if ":" in settings.host else f"{settings.host}:{settings.port}"


#: The contract ``seed --generate-debtors`` fills when none is named: not one of the Sandbox
#: Model's, whose debtors show every case.
GENERATED_CONTRACT = "30000000001"


@main.command()
@click.argument("scenario", required=False)
@click.option("--client-id", required=True, help="The tenant to seed.")
@click.option("--state", required=True, help="The SQLite state file to write.")
@click.option("--generate-debtors", type=click.IntRange(1, 200_000), metavar="N",
              help="Instead of a scenario: a portfolio of N generated debtors, in force, on --contract.")
@click.option("--contract", "contract_no", help=f"The contract --generate-debtors (re)creates.  [default {GENERATED_CONTRACT}]")
@click.option("--fixtures-dir", help="Where SCENARIO's file is, instead of the bundled fixtures/.")
@click.option("--mocks-dir", help="A Sandbox Model to use instead of the bundled one.")
def seed(scenario: str | None, client_id: str, generate_debtors: int | None, contract_no: str | None, **flags) -> None:
    """Seed a tenant of a state file from SCENARIO (a name in fixtures/ or a YAML file), or with
    a large generated portfolio (--generate-debtors N). Prints what was seeded as JSON; the
    progress of a large seeding goes to standard error (a bar on a terminal, a line a step
    otherwise). A server may be serving the file meanwhile: other tenants are not held up."""
    from emulator.admin import rules
    from emulator.store import Store

    if scenario is None and generate_debtors is None:
        raise click.UsageError("give a SCENARIO or --generate-debtors N")
    if scenario is not None and generate_debtors is not None:
        raise click.UsageError("give a SCENARIO or --generate-debtors N, not both")
    if contract_no is not None and generate_debtors is None:
        raise click.UsageError("--contract goes with --generate-debtors")
    if contract_no is not None and not (contract_no.isdigit() and len(contract_no) <= 11):
        raise click.BadParameter("up to 11 digits", param_hint="--contract")
    settings = _settings(**flags)
    try:
        if generate_debtors is not None:
            document = generated(generate_debtors, contract_no or GENERATED_CONTRACT)
            source = document["description"]
        elif Path(scenario).is_file():
            document, source = files.read_yaml(Path(scenario)), scenario
        else:
            document, source = rules.load_scenario(scenario, settings.fixtures_dir), scenario
        model = SandboxModel(settings.mocks_dir)
        store = Store(settings.state)
        try:
            with _progress(generate_debtors) as progress:
                result = rules.seed_scenario(store, model, client_id, document, source, progress)
        finally:
            store.close()
    except LookupError:
        raise click.ClickException(f"no scenario {scenario!r}") from None
    except (FileError, rules.OperatorError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(result, indent=2))


def generated(count: int, contract_no: str) -> dict:
    """A scenario of ``count`` debtors in force on a contract, each its own company."""
    return {"description": f"{count} generated debtors", "contracts": [{"contractNo": contract_no, "generate": [{
        "count": count, "countryCode": "ES", "taxCode": "G{index:08d}", "customerReference": "GEN-{index:06d}",
        "companyName": "EMPRESA GENERADA {index} SL", "status": "in-force", "requested": "15000,00"}]}]}


@contextmanager
def _progress(total: int | None) -> Iterator[Callable[[int], None] | None]:
    """How a seeding of ``total`` records reports its steps on standard error: a bar on a
    terminal (click's, which Flask already brings), a plain line a step otherwise (a CI log)."""
    if total is None:
        yield None
        return
    err = click.get_text_stream("stderr")
    if err.isatty():
        with click.progressbar(length=total, label="seeding debtors", file=err, show_pos=True) as bar:
            yield bar.update
        return
    done = [0]

    def line(step: int) -> None:
        done[0] += step
        click.echo(f"seeded {done[0]:,} of {total:,} debtors", err=True)

    yield line


@main.command()
@click.option("--client-id", required=True, help="The tenant to export.")
@click.option("--state", required=True, help="The SQLite state file to read.")
@click.option("--format", "form", type=click.Choice(FORMATS), default="json", show_default=True,
              help="JSON or YAML.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write it to this file, not standard output.")
@click.option("--contract-no", help="Only the view of this contract (records, no clock history): not a snapshot.")
@click.option("--mocks-dir", help="A Sandbox Model to use instead of the bundled one.")
def export(client_id: str, form: str, out: str | None, contract_no: str | None, **flags) -> None:
    """Write a snapshot of a tenant's whole world (clock, contracts, records, counters, due
    work, tokens, faults, journal), which `import` restores."""
    from emulator.admin import rules, snapshots

    settings = _settings(**flags)
    try:
        model = SandboxModel(settings.mocks_dir)
    except FileError as error:
        raise click.ClickException(str(error)) from None
    # Checked before opening: SQLite would create a missing file and print an empty world.
    problem = Store.unreadable(settings.state)
    if problem:
        raise click.ClickException(f"--state {settings.state}: {problem}; export reads a state file written by"
                                   " `cesce-emulator serve --state` or `seed`")
    store = Store(settings.state)

    def view(tx):
        known = tx.tenants()
        if client_id not in known:
            raise click.ClickException(f"--client-id {client_id}: no such tenant in {settings.state}"
                                       f" (it has: {', '.join(known) or 'none'})")
        if contract_no is None:
            return snapshots.take(tx, model, client_id)
        return rules.state(tx, model, client_id, contract_no)

    try:
        world = store.view(view)
    finally:
        store.close()
    text = snapshots.dump(world, form)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, "utf-8")
    except OSError as error:
        raise click.ClickException(f"--out {out}: {error.strerror or error}") from None


@main.command("import")
@click.argument("snapshot", type=click.File("r", encoding="utf-8"))
@click.option("--client-id", required=True, help="The tenant whose world it replaces (the one it was taken of, or another).")
@click.option("--state", required=True, help="The SQLite state file to write (made if it does not exist).")
@click.option("--mocks-dir", help="A Sandbox Model to use instead of the bundled one.")
def import_(snapshot, client_id: str, **flags) -> None:
    """Replace a tenant's world in a state file with SNAPSHOT (a file written by `export` or
    GET /_emulator/state, JSON or YAML; - for standard input), all or nothing."""
    from emulator.admin import snapshots
    from emulator.areas import SnapshotError

    settings = _settings(**flags)
    source = "standard input" if snapshot.name == "<stdin>" else snapshot.name
    problem = Store.unreadable(settings.state)
    if problem and Path(settings.state).exists() and Path(settings.state).stat().st_size:
        raise click.ClickException(f"--state {settings.state}: {problem}")
    try:
        document = snapshots.load(snapshot.read())
        model = SandboxModel(settings.mocks_dir)
        store = Store(settings.state)
        try:
            with store.transaction() as tx:
                restored = snapshots.restore(tx, model, client_id, document)
        finally:
            store.close()
    except SnapshotError as error:
        raise click.ClickException(f"{source}: {error}") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{source}: not a text file (a snapshot is JSON or YAML)") from None
    except FileError as error:
        raise click.ClickException(str(error)) from None
    except sqlite3.Error as error:
        raise click.ClickException(f"cannot use the state file {settings.state}: {error}") from None
    click.echo(json.dumps(restored, indent=2))


@main.command("import-postman")
@click.argument("collection", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", default="replay", show_default=True, type=click.Path(file_okay=False),
              help="Directory to write the cases into; serve it with --replay-dir.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A value for a {{variable}} the collection does not define (an environment's baseUrl, say).")
def import_postman(collection: str, out_dir: str, variables: tuple[str, ...]) -> None:
    """Turn the saved examples of a Postman collection (v2.1) into sandbox replay cases."""
    from emulator.replay import postman

    given = {}
    for variable in variables:
        name, sep, value = variable.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{variable!r} is not NAME=VALUE", param_hint="--var")
        given[name] = value
    try:
        imported = postman.convert(postman.load(Path(collection)), given)
    except FileError as error:
        raise click.ClickException(str(error)) from None
    except postman.CollectionError as error:
        raise click.ClickException(f"{collection}: {error}") from None
    if not imported.cases:
        raise click.ClickException(f"{collection}: no saved example to replay"
                                   + "".join(f"\n  skipped {reason}" for reason in imported.skipped))
    target = postman.write(imported, Path(out_dir))
    click.echo(f"{len(imported.cases)} cases written to {target}")
    for reason in imported.skipped:
        click.echo(f"  skipped {reason}")
    click.echo(f"Serve them with: cesce-emulator serve --replay-dir {out_dir}")
