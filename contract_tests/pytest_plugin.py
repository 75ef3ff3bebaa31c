"""pytest fixtures of the contract-test kit (entry point ``cesce_kit``).

``cesce_verify_client`` runs a Python client function under the same scenarios as
``cesce-contract verify-client`` and fails the test with the report when a scenario fails::

    def sync(config):  # config.base_url, token_url, client_id, client_secret, username,
        ...            # password, contract_no, task, previous
        return records

    def test_my_client_syncs_the_portfolio(cesce_verify_client):
        cesce_verify_client(sync, task="portfolio-sync")

Fixtures:

- ``cesce_kit_emulator_url`` (session): the base URL of the emulator the verifications use
  (the ``cesce`` plugin's session emulator, or one started in this process).
- ``cesce_verify_client``: ``verify(client, task, **options)`` on that emulator, with the
  options of ``cesce-contract verify-client`` (``scenarios``, ``scenario_file``, ``examples``,
  ``seed``, ``timeout``, ``jobs``, ``shrink_budget``, ``catalog``; ``progress=print`` prints
  each row as its scenario ends; see ``contract_tests.conformance.verify``), saving failing
  scenarios under the test's ``tmp_path``. Returns the report; raises ``ConformanceFailure``, an
  AssertionError whose message is the report's table.

Only the standard library and pytest are imported here; the emulator and hypothesis load when
a fixture is first used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def cesce_kit_emulator_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of the emulator the session's client verifications use: the ``cesce``
    plugin's session emulator when that plugin is on (so --cesce-url and CESCE_EMULATOR_URL
    apply), else one started in this process. Each scenario gets a tenant of its own, so tests
    never see each other's data."""
    if request.config.pluginmanager.has_plugin("cesce"):
        yield request.getfixturevalue("cesce_emulator").url
        return
    from emulator.server import ThreadedServer

    with ThreadedServer() as server:
        yield server.url


@pytest.fixture
def cesce_verify_client(cesce_kit_emulator_url: str, tmp_path) -> Callable[..., Any]:
    """``cesce_verify_client(client, task, **options)``: verify a client function (or a shell
    command) against the session's emulator; raises ConformanceFailure with the report."""
    from contract_tests.conformance import verify

    def run(client, task: str, **options: Any):
        options.setdefault("emulator_url", cesce_kit_emulator_url)
        options.setdefault("report_dir", tmp_path / "cesce-contract-report")
        return verify(client, task, **options)

    return run
