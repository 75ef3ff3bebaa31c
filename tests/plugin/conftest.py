"""Fixtures of the plugin's tests: a pytester project configured as strictly as a careful user
configures theirs, and an emulator served by `cesce-emulator serve` in a subprocess."""

from __future__ import annotations

import pytest

STRICT_INI = """\
[pytest]
addopts = --strict-markers --strict-config
filterwarnings = error
xfail_strict = true
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """An empty user project; the cesce plugin comes from its installed entry point."""
    # The inner runs inherit the environment: an emulator URL or xdist worker id of this run
    # must not steer them.
    monkeypatch.delenv("CESCE_EMULATOR_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makeini(STRICT_INI)
    return pytester


@pytest.fixture(scope="session")
def served(serve_emulator):
    """`cesce-emulator serve` on a free port, as a CI service container would run it."""
    return serve_emulator("--host", "127.0.0.1")
