"""The kit's own dependencies (the ``kit`` extra: hypothesis, schemathesis, pytest), which a
plain ``pip install cesce-sandbox`` leaves out: a command that needs them says so at once."""

from __future__ import annotations

import importlib.util

import click

#: How to get them.
INSTALL = 'pip install "cesce-sandbox[kit]"'


def require_kit(command: str, modules: tuple[str, ...]) -> None:
    """Exit 2 with one line naming the install command when one of ``modules`` is missing."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        click.echo(f"cesce-contract {command} needs the kit's dependencies ({', '.join(missing)} not installed): "
                   f"{INSTALL}", err=True)
        raise click.exceptions.Exit(2)
