"""cesce-contract: check a server against the OpenAPI document, or a client against the emulator."""

from __future__ import annotations

import click


@click.group(help=__doc__)
def main() -> None:
    pass


def _register() -> None:
    # Each command lives with the code it drives; they import schemathesis or hypothesis only
    # when run.
    from contract_tests.check_server import check_server
    from contract_tests.verify_client import verify_client

    main.add_command(check_server)
    main.add_command(verify_client)


_register()
