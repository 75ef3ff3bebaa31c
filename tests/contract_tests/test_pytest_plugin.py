"""The kit's pytest plugin as a user meets it: installed, it costs nothing until used, and a
failing client fails the user's test with the report."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e  # pytest runs in a subprocess

HEAVY = ("flask", "werkzeug", "hypothesis", "schemathesis", "emulator.server")


def test_importing_the_kit_plugin_imports_nothing_heavy():
    code = f"import sys, contract_tests.pytest_plugin\nprint(sorted(set({HEAVY!r}) & set(sys.modules)))"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


def test_a_users_test_fails_with_the_report_when_the_client_is_wrong(pytester):
    pytester.makepyfile(test_client="""
        from contract_tests.examples import reference_client

        class FirstPageOnly(reference_client.CesceClient):
            def next_page(self, page):
                return None

        def test_portfolio_sync(cesce_verify_client):
            cesce_verify_client(lambda config: reference_client.sync(config, FirstPageOnly),
                                task="portfolio-sync", scenarios=["portfolio-500", "portfolio-501"], examples=0)
    """)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*ConformanceFailure: verify-client: portfolio-sync, client: *",
        "*portfolio-500*pass*",
        '*portfolio-501*FAIL*run 1, request #2 GET portfolio?languageCode=ES -> 200: stopped reading*',
    ])
