"""The CI recipes of examples/, read as their tools read them: each names the image, the port,
a health check on /_emulator/health and a step that runs the client's tests against the
emulator. Each health check is run against a live emulator (and, where it gives up at once,
against a port where none listens), and the Testcontainers recipe runs its own tests with a
stand-in for the container."""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from emulator.server import ThreadedServer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LOCAL_IMAGE = "cesce-sandbox:local"  # the tag README's `docker build -t` gives the image
PORT = 8080


def load(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / name).read_text("utf-8"))


@pytest.fixture(scope="module")
def emulator_url():
    with ThreadedServer() as server:
        yield server.url


def run_health_check(command: str, url: str) -> int:
    """Run a recipe's shell health check with this interpreter, against ``url`` instead of the
    container's own 127.0.0.1:8080."""
    assert command.startswith("python -c "), command
    assert f"http://127.0.0.1:{PORT}/_emulator/health" in command
    command = command.replace(f"http://127.0.0.1:{PORT}", url).replace("python", shlex.quote(sys.executable), 1)
    return subprocess.run(["sh", "-c", command], capture_output=True, timeout=30).returncode


def test_github_actions_runs_the_tests_once_the_service_container_is_healthy(emulator_url, unused_url):
    job = load("github-actions.yml")["jobs"]["test"]
    service = job["services"]["cesce"]
    assert service["image"].rsplit("/", 1)[-1] == "cesce-sandbox:latest"
    assert f"{PORT}:{PORT}" in service["ports"]

    words = shlex.split(service["options"])
    options = dict(zip(words[::2], words[1::2], strict=True))
    assert {"--health-cmd", "--health-interval", "--health-retries"} <= options.keys()
    assert run_health_check(options["--health-cmd"], emulator_url) == 0
    assert run_health_check(options["--health-cmd"], unused_url) != 0

    assert job["env"]["CESCE_EMULATOR_URL"] == f"http://localhost:{PORT}"
    assert job["steps"][-1]["run"] == "pytest"


def test_gitlab_ci_waits_for_the_health_endpoint_then_runs_the_tests(emulator_url):
    job = load("gitlab-ci.yml")["client-tests"]
    [service] = job["services"]
    assert service["name"].rsplit("/", 1)[-1] == "cesce-sandbox:latest"
    assert job["variables"]["CESCE_EMULATOR_URL"] == f"http://{service['alias']}:{PORT}"
    assert job["variables"]["CESCE_EMULATOR_ALLOWED_HOSTS"] == service["alias"]  # the fixtures reset tenants by it

    wait = job["before_script"][0]
    assert "$CESCE_EMULATOR_URL/_emulator/health" in wait
    done = subprocess.run(["sh", "-c", wait.replace("python -c", f"{shlex.quote(sys.executable)} -c", 1)],
                          env={**os.environ, "CESCE_EMULATOR_URL": emulator_url}, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert job["script"] == ["pytest"]


def test_docker_compose_starts_the_tests_when_the_local_image_is_healthy(emulator_url, unused_url):
    services = load("docker-compose.yml")["services"]
    cesce, tests = services["cesce"], services["client-tests"]
    assert cesce["image"] == LOCAL_IMAGE
    assert f"{PORT}:{PORT}" in cesce["ports"]

    kind, command = cesce["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    assert run_health_check(command, emulator_url) == 0
    assert run_health_check(command, unused_url) != 0

    assert tests["depends_on"] == {"cesce": {"condition": "service_healthy"}}
    assert tests["environment"]["CESCE_EMULATOR_URL"] == f"http://cesce:{PORT}"
    assert cesce["environment"]["CESCE_EMULATOR_ALLOWED_HOSTS"] == "cesce"  # the fixtures reset tenants by it
    assert tests["command"][-1].endswith("&& pytest")


# -- Testcontainers --------------------------------------------------------------------------

RECIPE = EXAMPLES / "testcontainers"

# The part of testcontainers' API the recipe uses, serving an in-process emulator where the
# library would start the image; it notes the image and port it was asked for.
STAND_IN = '''
from pathlib import Path

from emulator.server import ThreadedServer


class DockerContainer:
    def __init__(self, image):
        self.image, self.ports = image, []

    def with_exposed_ports(self, *ports):
        self.ports.extend(ports)
        return self

    def __enter__(self):
        Path("asked.txt").write_text(f"{self.image} {self.ports}")
        self.server = ThreadedServer().start()
        return self

    def __exit__(self, *exc):
        self.server.stop()

    def get_container_host_ip(self):
        return "127.0.0.1"

    def get_exposed_port(self, port):
        assert port in self.ports, port
        return int(self.server.url.rsplit(":", 1)[1])

    def get_logs(self):
        return b"", b""
'''


def test_the_testcontainers_recipe_names_the_image_port_and_health_check():
    tree = ast.parse((RECIPE / "conftest.py").read_text("utf-8"))
    imports = {(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names}
    assert ("testcontainers.core.container", "DockerContainer") in imports
    assert ("emulator.pytest_plugin", "CesceEmulator") in imports
    constants = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}
    assert ast.literal_eval(constants["PORT"]) == PORT
    assert ast.literal_eval(constants["HEALTH"]) == "/_emulator/health"
    image = constants["IMAGE"]  # os.environ.get("CESCE_SANDBOX_IMAGE", "cesce-sandbox:local")
    assert [ast.literal_eval(arg) for arg in image.args] == ["CESCE_SANDBOX_IMAGE", LOCAL_IMAGE]

    fixtures = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    # The plugin's cesce_emulator is session-scoped: an override must be too.
    scope = fixtures["cesce_emulator"].decorator_list[0]
    assert ast.unparse(scope) == "pytest.fixture(scope='session')"
    test_file = ast.parse((RECIPE / "test_with_container.py").read_text("utf-8"))
    tests = [node for node in test_file.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    assert tests and all([arg.arg for arg in test.args.args] == ["cesce"] for test in tests)


def test_the_testcontainers_recipe_runs_its_tests_against_what_the_container_serves(pytester, monkeypatch):
    monkeypatch.delenv("CESCE_EMULATOR_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    for name in ("conftest.py", "test_with_container.py"):
        pytester.makefile(".py", **{name.removesuffix(".py"): (RECIPE / name).read_text("utf-8")})
    package = pytester.mkpydir("testcontainers")
    (package / "core").mkdir()
    (package / "core" / "__init__.py").write_text("")
    (package / "core" / "container.py").write_text(STAND_IN)

    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)
    assert (pytester.path / "asked.txt").read_text() == f"{LOCAL_IMAGE} [{PORT}]"


def test_the_readme_builds_the_image_the_examples_name():
    readme = (EXAMPLES.parent / "README.md").read_text("utf-8")
    assert re.search(rf"docker build -t {re.escape(LOCAL_IMAGE)} \.", readme)
    for name in ("github-actions.yml", "gitlab-ci.yml", "docker-compose.yml", "testcontainers/conftest.py"):
        assert f"examples/{name}" in readme


def test_the_postgresql_recipe_serves_two_replicas_of_one_database_behind_a_proxy(emulator_url, unused_url):
    compose = load("postgresql/docker-compose.yml")["services"]
    replicas = [compose[name] for name in ("replica-1", "replica-2")]
    database = compose["postgres"]["environment"]
    url = f"postgresql://{database['POSTGRES_USER']}:{database['POSTGRES_PASSWORD']}@postgres:5432/{database['POSTGRES_DB']}"
    assert compose["migrate"]["command"] == ["migrate"] and compose["migrate"]["environment"]["CESCE_EMULATOR_STATE"] == url
    for replica in replicas:
        assert replica["image"] == LOCAL_IMAGE and replica["environment"]["CESCE_EMULATOR_STATE"] == url
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert run_health_check(replica["healthcheck"]["test"][1], emulator_url) == 0
        assert run_health_check(replica["healthcheck"]["test"][1], unused_url) != 0
    assert f"{PORT}:{PORT}" in compose["proxy"]["ports"]
    nginx = (EXAMPLES / "postgresql" / "nginx.conf").read_text("utf-8")
    assert all(f"server {name}:{PORT}" in nginx for name in ("replica-1", "replica-2"))
    assert "proxy_pass http://cesce;" in nginx
