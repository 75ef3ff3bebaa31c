"""The wheel a user installs. Built from this checkout, it must carry what the emulator reads at
run time (the Sandbox Model, the scenarios, the OpenAPI document, the schemas), both packages and
the commands; installed in a fresh environment, away from the checkout, it must serve."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from emulator.control import call

pytestmark = pytest.mark.e2e  # builds and installs the wheel

REPO = Path(__file__).resolve().parents[2]
SANDBOX_CONTRACT = "10100000001"


def _run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result


def _files(folder: str) -> list[str]:
    """The checkout's files under ``folder``, relative to it, as the wheel names them."""
    root = REPO / folder
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # With the build backend already installed, no package index is needed and the build takes
    # seconds; otherwise pip fetches the backend named in pyproject.toml.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--wheel-dir", out, REPO)
    (built,) = out.glob("cesce_sandbox-*.whl")
    return built


@pytest.fixture(scope="module")
def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.fixture(scope="module")
def entry_points(wheel: Path, names: set[str]) -> dict[str, dict[str, str]]:
    (path,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # entry-point names are case-sensitive
    with zipfile.ZipFile(wheel) as archive:
        parser.read_string(archive.read(path).decode("utf-8"))
    return {section: dict(parser[section]) for section in parser.sections()}


# -- what is inside ---------------------------------------------------------------------------


def test_the_emulator_ships_its_openapi_document_schema_and_model_schemas(names):
    assert {"emulator/openapi.yaml", "emulator/migrations/0001_baseline.sql", "emulator/migrations/0002_platform.sql",
            "emulator/risks/openapi.yaml", "emulator/risks/model.yaml", "emulator/auth/openapi.yaml"} <= names
    schemas = {f"emulator/schemas/{name}" for name in _files("emulator/schemas") if name.endswith(".yaml")}
    assert schemas and schemas <= names


def test_the_sandbox_model_ships_inside_the_emulator_package(names):
    bundled = {f"emulator/_bundled/mocks/{name}" for name in _files("mocks")}
    assert bundled <= names
    expected = {f"emulator/_bundled/mocks/{name}.yaml" for name in ("policies", "contracts", "companies", "products")}
    assert expected <= names
    assert any(n.startswith("emulator/_bundled/mocks/codes/") and n.endswith(".yaml") for n in names)


def test_every_scenario_ships_inside_the_emulator_package(names):
    scenarios = {f"emulator/_bundled/fixtures/{name}" for name in _files("fixtures") if name.endswith(".yaml")}
    assert scenarios and scenarios <= names


def test_the_dashboard_ships_its_templates_and_static_files(names):
    shipped = {f"emulator/admin/{folder}/{name}" for folder in ("templates", "static") for name in _files(f"emulator/admin/{folder}")}
    assert {"emulator/admin/templates/dashboard.html", "emulator/admin/static/ui.js", "emulator/admin/static/ui.css"} <= shipped
    assert shipped <= names


def test_the_example_shell_client_ships_with_the_kit(names):
    assert "contract_tests/examples/cesce_sync.sh" in names


def test_the_contract_kit_ships_as_its_own_package(names):
    modules = {f"contract_tests/{name}" for name in _files("contract_tests") if name.endswith(".py")}
    assert "contract_tests/__init__.py" in modules
    assert modules <= names


def test_only_the_two_packages_are_importable_from_the_wheel(names):
    # mocks and fixtures must never become top-level packages: "fixtures" is another
    # distribution's import name on PyPI.
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"emulator", "contract_tests"}


def test_the_commands_and_pytest_plugins_are_declared(entry_points, names):
    scripts, plugins = entry_points["console_scripts"], entry_points["pytest11"]
    assert {"cesce-emulator", "cesce-contract"} <= scripts.keys()
    assert {"cesce", "cesce_kit"} <= plugins.keys()
    for target in [*scripts.values(), *plugins.values()]:
        module = target.split(":")[0].strip()
        assert f"{module.replace('.', '/')}.py" in names, f"{target} names a module the wheel does not ship"


# -- installed, away from the checkout --------------------------------------------------------


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory) -> Path:
    """A fresh environment holding the wheel, not editable; returns its bin directory."""
    root = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", root)
    bin_dir = root / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    _run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    # The dependencies (Flask, PyYAML...) come from the environment running these tests, so no
    # package index is needed. A .pth line is a plain path entry, appended after the venv's own
    # site-packages: `emulator` is found in the wheel first, and the .pth files over there (an
    # editable install of this checkout among them) are not processed.
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    Path(site, "_test_dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    return bin_dir


@pytest.mark.slow
def test_the_installed_package_finds_its_data_inside_the_environment(venv: Path, tmp_path: Path):
    shown = _run(venv / "python", "-c",
                 "import emulator.resources as r; print(r.PACKAGE_DIR); print(r.mocks_dir()); print(r.fixtures_dir())",
                 cwd=tmp_path).stdout.split()
    root = venv.parent.resolve()
    package, mocks, fixtures = (Path(line).resolve() for line in shown)
    assert package.is_relative_to(root)
    assert mocks == package / "_bundled" / "mocks"
    assert fixtures == package / "_bundled" / "fixtures"


@pytest.mark.slow
def test_the_installed_command_serves_the_sandbox_catalog(venv: Path, tmp_path: Path, serve_emulator):
    served = serve_emulator(command=[str(venv / "cesce-emulator"), "serve"], workdir=tmp_path)
    url = served.url
    health = call("GET", f"{url}/_emulator/health")
    token = call("POST", f"{url}/sandbox/oauth2/v1/token", form={
        "grant_type": "password", "client_id": "packaging", "client_secret": "secret",
        "username": "user", "password": "password"})
    portfolio = call("GET", f"{url}/sandbox/portfolio/v1/contracts/{SANDBOX_CONTRACT}/portfolio",
                     headers={"Authorization": f"Bearer {token.body['access_token']}"})
    document = call("GET", f"{url}/_emulator/openapi.yaml")
    dashboard = call("GET", f"{url}/_emulator/ui?client_id=packaging")
    style = call("GET", f"{url}/_emulator/ui/static/ui.css")
    returncode = served.stop()

    assert health.body["status"] == "ok"
    assert token.status == 200, token.body
    assert portfolio.status == 200, portfolio.body
    assert portfolio.body["error"]["errorCode"] == "0"
    records = {record["endorsementNo"]: record for record in portfolio.body["debtor"]}
    assert records["100"]["companyName"] == "FERRETERIAS DEL NORTE SL"
    assert document.status == 200
    assert "openapi: 3.1" in document.body
    assert dashboard.status == 200 and 'data-tenant="packaging"' in dashboard.body
    assert style.status == 200 and ":root" in style.body
    assert returncode == 0, served.log.read_text()


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="the example shell client uses curl and jq")
def test_the_installed_kit_prints_an_example_client_that_passes_verify_client(venv: Path, tmp_path: Path):
    printed = _run(venv / "cesce-contract", "example-client", cwd=tmp_path).stdout
    assert printed == (REPO / "contract_tests" / "examples" / "cesce_sync.sh").read_text("utf-8")
    (tmp_path / "sync.sh").write_text(printed, encoding="utf-8")
    verified = _run(venv / "cesce-contract", "verify-client", "--task", "movements-sync", "--cmd", "sh sync.sh",
                    "--scenario", "movements-resolved-between-runs", "--examples", "0", cwd=tmp_path)
    assert "movements-resolved-between-runs" in verified.stdout and "pass" in verified.stdout


# -- installed without the kit extra ----------------------------------------------------------


def _core_distributions() -> dict[str, metadata.Distribution]:
    """The distributions ``pip install cesce-sandbox`` brings, as this environment holds them:
    the dependencies without an extra, and theirs, recursively."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, metadata.Distribution] = {}
    todo = [Requirement(text) for text in metadata.requires("cesce-sandbox") or []]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        found[name] = metadata.distribution(requirement.name)
        todo += [Requirement(text) for text in found[name].requires or []]
    return found


@pytest.fixture(scope="module")
def venv_without_kit(wheel: Path, tmp_path_factory) -> Path:
    """A fresh environment holding the wheel and its dependencies, but not the kit extra's;
    returns its bin directory. The dependencies are linked from this environment, each
    distribution's own top-level files and folders, so no package index is needed."""
    root = tmp_path_factory.mktemp("venv-without-kit")
    _run(sys.executable, "-m", "venv", root)
    bin_dir = root / ("Scripts" if sys.platform == "win32" else "bin")
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    core = root / "core"
    core.mkdir()
    for distribution in _core_distributions().values():
        site = Path(distribution.locate_file(""))
        for top in {Path(str(name)).parts[0] for name in distribution.files or [] if not str(name).startswith("..")}:
            if not (core / top).exists():
                (core / top).symlink_to(site / top)
    site = _run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    Path(site, "_core_dependencies.pth").write_text(f"{core}\n", encoding="utf-8")
    return bin_dir


@pytest.mark.slow
@pytest.mark.parametrize("command", [["verify-client", "--cmd", "true", "--task", "portfolio-sync"],
                                     ["check-server", "--base-url", "http://127.0.0.1:9"]], ids=lambda c: c[0])
def test_without_the_kit_extra_cesce_contract_says_how_to_get_it_and_exits_2(venv_without_kit: Path, tmp_path: Path,
                                                                             command: list[str]):
    missing = subprocess.run([venv_without_kit / "python", "-c", "import hypothesis"], capture_output=True, text=True)
    began = time.monotonic()
    result = subprocess.run([venv_without_kit / "cesce-contract", *command], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    took = time.monotonic() - began

    assert missing.returncode == 1 and "No module named 'hypothesis'" in missing.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"cesce-contract {command[0]} needs the kit's dependencies (")
    assert line.endswith('not installed): pip install "cesce-sandbox[kit]"')
    assert result.stdout == ""
    assert took < 10, f"{took:.1f} s: it ran something before saying what is missing"


@pytest.mark.slow
def test_without_the_kit_extra_the_emulator_serves_and_the_example_client_prints(venv_without_kit: Path, tmp_path: Path):
    printed = _run(venv_without_kit / "cesce-contract", "example-client", cwd=tmp_path).stdout
    helped = _run(venv_without_kit / "cesce-contract", "verify-client", "--help", cwd=tmp_path).stdout

    assert printed.startswith("#!/bin/sh")
    assert "portfolio-sync" in helped and "EN TRÁMITE" in helped
