"""The cesce fixtures with an emulator that needs its admin token: the in-process one given
the token in its settings, and one served with --admin-token, reached by URL with the token
in CESCE_EMULATOR_ADMIN_TOKEN."""

from __future__ import annotations

TESTS = """
import pytest


@pytest.mark.cesce_scenario("empty-contract")
def test_the_operator_calls_carry_the_token(cesce):
    assert cesce.advance("PT1H") and "20000000001" in [c["contractNo"] for c in cesce.state()["contracts"]]
"""

CONFTEST = """
import pytest
from emulator.settings import Settings

@pytest.fixture(scope="session")
def cesce_emulator_settings():
    return Settings(admin_token="in-settings")
"""


def test_an_in_process_emulator_with_a_token_in_its_settings(project, monkeypatch):
    monkeypatch.delenv("CESCE_EMULATOR_ADMIN_TOKEN", raising=False)
    project.makeconftest(CONFTEST)
    project.makepyfile(test_user=TESTS)

    project.runpytest_subprocess().assert_outcomes(passed=1)


def test_a_served_emulator_with_a_token_from_the_environment(project, serve_emulator, monkeypatch):
    served = serve_emulator("--admin-token", "t0ken")
    project.makepyfile(test_user=TESTS)

    monkeypatch.delenv("CESCE_EMULATOR_ADMIN_TOKEN", raising=False)
    refused = project.runpytest_subprocess("--cesce-url", served.url)
    refused.assert_outcomes(errors=1)
    refused.stdout.fnmatch_lines(["*HTTP 401*admin token*"])

    monkeypatch.setenv("CESCE_EMULATOR_ADMIN_TOKEN", "t0ken")
    project.runpytest_subprocess("--cesce-url", served.url).assert_outcomes(passed=1)
    served.stop()
