"""cesce-emulator: serve the emulator, or work on a state file without serving it.

Flags override CESCE_EMULATOR_* variables, which override the defaults (Settings holds the
precedence). ``serve`` runs gunicorn in-process (one worker, so that an in-memory state is one
state; threads for concurrency); on Windows, where gunicorn does not run, Werkzeug's server.
"""

from __future__ import annotations

import json
import sqlite3
import sys

import click

from emulator.sandbox_model import ModelError, SandboxModel
from emulator.settings import Settings
from emulator.store import Store


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
@click.option("--threads", type=int, help="Request threads.  [env CESCE_EMULATOR_THREADS; default 8]")
@click.option("--replay-dir", help="Replay cases (from import-postman, say) the sandbox catalog answers before the"
                                   " Sandbox Model.  [env CESCE_EMULATOR_REPLAY_DIR]")
def serve(**flags) -> None:
    """Serve the emulator until SIGTERM or Ctrl-C."""
    settings = _settings(**flags)
    # A broken Sandbox Model, replay case or an unusable state file fails here, before the
    # server forks.
    try:
        model = SandboxModel(settings.mocks_dir)
        if settings.replay_dir is not None:
            from pathlib import Path

            from emulator.replay import cases

            if not Path(settings.replay_dir).is_dir():
                raise click.ClickException(f"--replay-dir {settings.replay_dir}: no such directory")
            replayed = cases.load([model.directory / "replay", Path(settings.replay_dir)])
            click.echo(f"cesce-emulator: the sandbox catalog replays {len(replayed)} cases", err=True)
        Store(settings.state).close()
    except ModelError as error:
        raise click.ClickException(str(error)) from None
    except sqlite3.Error as error:
        raise click.ClickException(f"cannot use the state file {settings.state}: {error}") from None
    click.echo(f"cesce-emulator: serving http://{settings.host}:{settings.port}  (state {settings.state},"
               f" {'strict' if settings.strict else 'lenient'}; operator surface at /_emulator)", err=True)
    if sys.platform == "win32":
        _serve_werkzeug(settings)
    else:
        _serve_gunicorn(settings)


def _serve_gunicorn(settings: Settings) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{settings.host}:{settings.port}",
                "workers": 1,
                "worker_class": "gthread",
                "threads": settings.threads,
                "accesslog": "-",
                "errorlog": "-",
                "graceful_timeout": 5,
                "timeout": 120,
                "proc_name": "cesce-emulator",
            }.items():
                self.cfg.set(key, value)
            # gunicorn >= 25 opens a control socket at one per-user path: two emulators would
            # fight over it, and the emulator has no use for it.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            from emulator.app import create_app

            return create_app(settings)

    Server().run()


def _serve_werkzeug(settings: Settings) -> None:
    from werkzeug.serving import make_server

    from emulator.app import create_app

    server = make_server(settings.host, settings.port, create_app(settings), threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.argument("scenario")
@click.option("--client-id", required=True, help="The tenant to seed.")
@click.option("--state", required=True, help="The SQLite state file to write.")
@click.option("--fixtures-dir", help="Where SCENARIO's file is, instead of the bundled fixtures/.")
@click.option("--mocks-dir", help="A Sandbox Model to use instead of the bundled one.")
def seed(scenario: str, client_id: str, **flags) -> None:
    """Seed a tenant of a state file from SCENARIO (a name in fixtures/ or a YAML file)."""
    from pathlib import Path

    from emulator.admin import rules
    from emulator.resources import load_yaml
    from emulator.store import Store

    settings = _settings(**flags)
    try:
        if Path(scenario).is_file():
            document, source = load_yaml(Path(scenario).resolve()), scenario
        else:
            document, source = rules.load_scenario(scenario, settings.fixtures_dir), scenario
        model = SandboxModel(settings.mocks_dir)
        store = Store(settings.state)
        with store.transaction() as tx:
            result = rules.seed_scenario(tx, model, client_id, document, source)
        store.close()
    except LookupError:
        raise click.ClickException(f"no scenario {scenario!r}") from None
    except (ModelError, rules.OperatorError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(result, indent=2))


@main.command()
@click.option("--client-id", required=True, help="The tenant to export.")
@click.option("--state", required=True, help="The SQLite state file to read.")
@click.option("--contract-no", help="Only this contract.")
@click.option("--mocks-dir", help="A Sandbox Model to use instead of the bundled one.")
def export(client_id: str, contract_no: str | None, **flags) -> None:
    """Print a tenant's world (clock, contracts, every record) as JSON."""
    from emulator.admin import rules
    from emulator.store import Store

    settings = _settings(**flags)
    # Checked before opening: SQLite would create a missing file and print an empty world.
    problem = Store.unreadable(settings.state)
    if problem:
        raise click.ClickException(f"--state {settings.state}: {problem}; export reads a state file written by"
                                   " `cesce-emulator serve --state` or `seed`")
    store = Store(settings.state)
    try:
        with store.transaction(rollback=True) as tx:
            known = tx.tenants()
            if client_id not in known:
                raise click.ClickException(f"--client-id {client_id}: no such tenant in {settings.state}"
                                           f" (it has: {', '.join(known) or 'none'})")
            world = rules.state(tx, SandboxModel(settings.mocks_dir), client_id, contract_no)
    finally:
        store.close()
    click.echo(json.dumps(world, indent=2, ensure_ascii=False))


@main.command("import-postman")
@click.argument("collection", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", default="replay", show_default=True, type=click.Path(file_okay=False),
              help="Directory to write the cases into; serve it with --replay-dir.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A value for a {{variable}} the collection does not define (an environment's baseUrl, say).")
def import_postman(collection: str, out_dir: str, variables: tuple[str, ...]) -> None:
    """Turn the saved examples of a Postman collection (v2.1) into sandbox replay cases."""
    from pathlib import Path

    from emulator.replay import postman

    given = {}
    for variable in variables:
        name, sep, value = variable.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{variable!r} is not NAME=VALUE", param_hint="--var")
        given[name] = value
    try:
        imported = postman.convert(postman.load(Path(collection)), given)
    except postman.CollectionError as error:
        raise click.ClickException(str(error)) from None
    if not imported.cases:
        raise click.ClickException(f"{collection}: no saved example to replay"
                                   + "".join(f"\n  skipped {reason}" for reason in imported.skipped))
    target = postman.write(imported, Path(out_dir))
    click.echo(f"{len(imported.cases)} cases written to {target}")
    for reason in imported.skipped:
        click.echo(f"  skipped {reason}")
    click.echo(f"Serve them with: cesce-emulator serve --replay-dir {out_dir}")
