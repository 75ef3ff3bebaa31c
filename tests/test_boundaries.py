"""The house rules of DESIGN.md, checked on the source: domain modules never import Flask or
Werkzeug, the core never imports an area, nothing but clock.py reads the system time, and the
emulator never imports the test tools it does not need to serve."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import emulator
from emulator.areas import discover

PACKAGE = Path(emulator.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts)
#: In each area: its rules and what they use. In the core: everything but the HTTP glue.
AREA_DOMAIN = ("rules.py", "records.py", "seeding.py", "store.py", "policy.py", "errors.py", "snapshot.py", "rating.py",
               "windows.py", "cesce.py")
DOMAIN = [p for p in SOURCES if p.parent != PACKAGE and p.name in AREA_DOMAIN] + [
    PACKAGE / name for name in ("store.py", "clock.py", "wire.py", "world.py", "history.py", "sandbox_model.py",
                                "validation.py", "areas.py", "api_document.py", "errors.py", "faults.py")
] + [PACKAGE / "admin" / "snapshots.py"]
#: The core loops over the registered areas and imports none of them.
CORE = [PACKAGE / name for name in ("world.py", "history.py", "sandbox_model.py", "gateway.py", "areas.py", "store.py",
                                    "api_document.py", "app.py")] + [PACKAGE / "admin" / name for name in ("rules.py", "snapshots.py")]
AREAS = sorted(discover())
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
               ("time", "time"), ("time", "time_ns"), ("time", "monotonic"), ("time", "localtime"), ("time", "gmtime")}


def _imports(path: Path, depth: int = 1) -> set[str]:
    """The modules a file imports, cut to their first ``depth`` dotted parts."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(".".join(alias.name.split(".")[:depth]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(".".join(node.module.split(".")[:depth]))
            if node.module == "emulator":
                found.update(f"emulator.{alias.name}" for alias in node.names)
    return found


def _clock_reads(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Attribute)):
            owner = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
            if (owner, node.attr) in CLOCK_CALLS:
                lines.append(node.lineno)
    return lines


def test_the_domain_modules_exist():
    assert all(path.is_file() for path in DOMAIN + CORE), [str(p) for p in DOMAIN + CORE if not p.is_file()]
    assert len([p for p in DOMAIN if p.name == "rules.py"]) >= 2
    assert {"auth", "risks", "sales"} <= set(AREAS)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_imports_no_area(path):
    assert not _imports(path, depth=2) & {f"emulator.{area}" for area in AREAS}


def test_the_area_guard_sees_an_area_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from emulator.risks import rules\nfrom emulator import auth\nimport emulator.world\n")
    assert _imports(sample, depth=2) == {"emulator.risks", "emulator", "emulator.auth", "emulator.world"}


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_modules_do_not_import_flask_or_werkzeug(path):
    assert not _imports(path) & {"flask", "werkzeug"}


@pytest.mark.parametrize("path", [p for p in SOURCES if p.name != "clock.py"], ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_clock_reads_the_system_time(path):
    assert _clock_reads(path) == [], f"{path.name} reads the system time; use emulator.clock"


def test_the_clock_guard_sees_a_clock_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime, time\nx = datetime.datetime.now()\ny = time.time()\n")
    assert _clock_reads(sample) == [2, 3]


def test_serving_never_imports_the_test_tools():
    code = (
        "import sys\nfrom emulator import create_app, Settings\nfrom emulator.server import ThreadedServer\n"
        "app = create_app(Settings())\napp.test_client().get('/_emulator/health')\nimport emulator.cli\n"
        "print(sorted(m for m in ('hypothesis', 'schemathesis', 'pytest') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent.parent)
    assert out.stdout.strip() == "[]"
