"""Literal replay cases for the sandbox catalog: a request pattern and the answer to give.

Cesce's sandbox answers a fixed set of mock requests. A user who holds Cesce's Postman
collection can turn its saved examples into cases (``cesce-emulator import-postman``) and get
exactly those answers; the bundled Sandbox Model needs none, since the sandbox world computes
its answers from mocks/. A case matches a request when the method and path (below the catalog)
are equal and every query parameter and body field the case names has the same value (extra
ones in the request are ignored, as WireMock's equalToJson with ignoreExtraElements).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import resources
from emulator.sandbox_model import validate

_SCHEMA = resources.PACKAGE_DIR / "schemas" / "replay.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    response: Any
    headers: dict[str, str]

    def matches(self, method: str, path: str, query: dict[str, str], body: Any) -> bool:
        return (
            self.method == method.upper()
            and self.path.rstrip("/") == path.rstrip("/")
            and all(query.get(key) == value for key, value in self.query.items())
            and (self.body is None or _contains(body, self.body))
        )


def load(directories: list[Path]) -> list[Case]:
    """Every case in the YAML files of ``directories``, in file-name order."""
    cases = []
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
            for entry in validate(resources.load_yaml(path) or [], "cases", str(path), _SCHEMA):
                request, response = entry["request"], entry["response"]
                cases.append(Case(
                    name=entry.get("name", path.stem),
                    method=request["method"].upper(),
                    path="/" + request["path"].strip("/"),
                    query={k: str(v) for k, v in request.get("query", {}).items()},
                    body=request.get("body"),
                    status=response["status"],
                    response=response.get("body"),
                    headers=response.get("headers", {}),
                ))
    return cases


def find(cases: list[Case], method: str, path: str, query: dict[str, str], body: Any) -> Case | None:
    return next((case for case in cases if case.matches(method, path, query, body)), None)


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(_contains, actual, expected))
    return actual == expected
