"""What the cesce fixtures and markers promise beyond the client suite: overridable settings,
marked tests that get the fixture unasked, the clock helpers, other tenants, and clear errors
for a marker the emulator refuses or an emulator URL that does not answer."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e  # pytest runs in a subprocess

CONFTEST = """
import pytest
from emulator.settings import Settings

@pytest.fixture(scope="session")
def cesce_emulator_settings():
    return Settings(strict=True)
"""

TESTS = """
import json
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest


def test_the_settings_fixture_configures_the_emulator(cesce_emulator):
    with urllib.request.urlopen(cesce_emulator.url + "/_emulator/health") as answer:
        assert json.load(answer)["strict"] is True


def test_the_tenant_names_the_worker_and_the_test(cesce, cesce_emulator):
    assert cesce.client_id.startswith("pytest-main-test_the_tenant_names_the_worker_and_the_test-")
    assert cesce.base_url == cesce_emulator.url + "/dev"
    assert cesce.token_url == cesce_emulator.url + "/dev/oauth2/v1/token"


@pytest.mark.cesce_clock("2026-01-15T09:00:00Z")
def test_a_marked_test_gets_the_fixture_unasked(request):
    assert "cesce" in request.fixturenames
    assert request.getfixturevalue("cesce").now() == datetime(2026, 1, 15, 9, tzinfo=timezone.utc)


@pytest.mark.cesce_clock("2026-01-15T09:00:00Z", freeze=False)
def test_the_clock_marker_can_leave_the_clock_ticking(cesce):
    state = cesce.state()
    assert state["frozen"] is False and state["now"].startswith("2026-01-15T09:0")


@pytest.mark.cesce_scenario("empty-contract", "mixed-movements")
class TestScenarios:
    def test_a_class_marker_seeds_every_scenario_it_names(self, cesce):
        contracts = [c["contractNo"] for c in cesce.state()["contracts"]]
        assert {"20000000001", "20000000004"} <= set(contracts)


def test_the_clock_helpers(cesce):
    start = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert cesce.set_clock(start, freeze=True) == start
    assert cesce.advance(timedelta(days=2, minutes=30)) == start + timedelta(days=2, minutes=30)
    assert cesce.advance("PT1H") == start + timedelta(days=2, hours=1, minutes=30)
    assert cesce.freeze(False) >= start + timedelta(days=2, hours=1, minutes=30)
    assert cesce.state()["frozen"] is False


def test_a_saved_world_is_restored_into_the_tests_tenant(cesce, cesce_emulator, tmp_path):
    saved = cesce_emulator.tenant(cesce.client_id + "-saved")
    saved.seed("guide-pending-example")
    (tmp_path / "world.json").write_text(json.dumps(saved.state()))
    saved.reset()
    restored = cesce.restore(tmp_path / "world.json")
    assert "20000000003" in restored["contracts"] and restored["frozen"] is True
    assert cesce.now() == datetime(2026, 1, 15, 9, tzinfo=timezone.utc)
    [contract] = cesce.state("20000000003")["contracts"]
    assert [d["endorsementNo"] for d in contract["debtors"]] == ["100", "300001"]


def test_another_tenant_of_the_same_emulator(cesce, cesce_emulator):
    sandbox = cesce_emulator.tenant(cesce.client_id + "-sandbox", catalog="sandbox")
    try:
        assert sandbox.base_url == cesce.url + "/sandbox"
        assert sandbox.request("GET", "portfolio/v1/contracts/10100000001/portfolio").status == 200
        assert cesce.journal() == []
    finally:
        sandbox.reset()


@pytest.mark.cesce_scenario("no-such-scenario")
def test_an_unknown_scenario(cesce):
    pass


@pytest.mark.cesce_clock("not a time")
def test_an_unreadable_instant(cesce):
    pass
"""


def test_fixtures_and_markers(project):
    project.makeconftest(CONFTEST)
    project.makepyfile(test_user=TESTS)

    result = project.runpytest_subprocess()

    result.assert_outcomes(passed=8, errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_an_unknown_scenario*",
        "@pytest.mark.cesce_scenario('no-such-scenario'): HTTP 404: *no scenario 'no-such-scenario'*",
        "*ERROR at setup of test_an_unreadable_instant*",
        "@pytest.mark.cesce_clock('not a time'): HTTP 400: *",
    ])
    assert "During handling" not in result.stdout.str()


def test_a_url_where_no_emulator_answers(project, unused_url):
    project.makepyfile("def test_uses_the_emulator(cesce):\n    pass\n")

    result = project.runpytest_subprocess("--cesce-url", unused_url)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*no Cesce emulator answers at {unused_url}/_emulator/health*"])

