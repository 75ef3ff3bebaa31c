"""cesce-contract: check a server against the OpenAPI document, or a client against the emulator."""

from __future__ import annotations

import click


@click.group(help=__doc__)
def main() -> None:
    pass


@main.command("example-client")
def example_client() -> None:
    """Print the example client in POSIX sh (curl and jq) that passes verify-client:
    `cesce-contract example-client > sync.sh`, then `verify-client --cmd "sh sync.sh"`."""
    from importlib.resources import files

    click.echo(files("contract_tests.examples").joinpath("cesce_sync.sh").read_text("utf-8"), nl=False)


def _register() -> None:
    # Each command lives with the code it drives; they import schemathesis or hypothesis only
    # when run.
    from contract_tests.check_server import check_server
    from contract_tests.verify_client import verify_client

    main.add_command(check_server)
    main.add_command(verify_client)


_register()
