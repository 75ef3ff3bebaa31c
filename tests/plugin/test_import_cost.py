"""pytest loads an installed plugin in every run of the environment, so importing it must cost
next to nothing: no Flask, no Werkzeug, no test-kit libraries until a fixture is used."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e  # pytest runs in a subprocess

HEAVY = ("flask", "werkzeug", "hypothesis", "schemathesis")


def test_importing_the_plugin_imports_nothing_heavy():
    code = f"import sys, emulator.pytest_plugin\nprint(sorted(set({HEAVY!r}) & set(sys.modules)))"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


def test_a_suite_that_does_not_use_the_emulator_never_imports_flask(project):
    project.makepyfile("""
        import sys

        def test_unrelated(request):
            assert request.config.pluginmanager.has_plugin("cesce")
            assert not {"flask", "werkzeug", "emulator.server"} & set(sys.modules)
    """)

    result = project.runpytest_subprocess()

    result.assert_outcomes(passed=1)
