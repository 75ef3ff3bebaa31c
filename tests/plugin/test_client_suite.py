"""One client suite (client_suite.py), unchanged, run the ways a user runs it: against an
in-process emulator, against a served one by --cesce-url or CESCE_EMULATOR_URL, and under
pytest-xdist, where parallel tests must never see each other's debtors."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.control import Control

pytestmark = pytest.mark.e2e  # pytest runs in subprocesses, against served emulators

SUITE = Path(__file__).with_name("client_suite.py")
SUITE_TESTS = 16


@pytest.fixture
def suite(project: pytest.Pytester) -> pytest.Pytester:
    project.makepyfile(test_client=SUITE.read_text())
    return project


def test_the_suite_passes_in_process(suite):
    result = suite.runpytest_subprocess()

    result.assert_outcomes(passed=SUITE_TESTS)


def test_the_suite_passes_against_a_served_emulator(suite, served):
    before = served.access_log()

    result = suite.runpytest_subprocess("--cesce-url", served.url)

    result.assert_outcomes(passed=SUITE_TESTS)
    during = served.access_log()[len(before):]
    assert '"POST /dev/oauth2/v1/token HTTP/1.1" 200' in during
    tenants = served.reset_tenants(during)
    assert len(set(tenants)) == SUITE_TESTS
    assert all(tenant.startswith("pytest-main-test_") for tenant in tenants)
    assert [Control(served.url, tenant).journal() for tenant in tenants] == [[]] * SUITE_TESTS


def test_the_suite_passes_in_process_on_two_workers(suite):
    result = suite.runpytest_subprocess("-n", "2")

    result.assert_outcomes(passed=SUITE_TESTS)
    result.stdout.fnmatch_lines(["*2 workers*"])


def test_two_workers_share_a_served_emulator_without_cross_talk(suite, served, monkeypatch):
    monkeypatch.setenv("CESCE_EMULATOR_URL", served.url)
    before = served.access_log()

    result = suite.runpytest_subprocess("-n", "2")

    result.assert_outcomes(passed=SUITE_TESTS)
    tenants = served.reset_tenants(served.access_log()[len(before):])
    assert len(set(tenants)) == SUITE_TESTS
    assert {tenant.split("-")[1] for tenant in tenants} == {"gw0", "gw1"}
