"""Literal replay cases for the sandbox catalog: a request pattern and the answer to give.

Cesce's sandbox answers a fixed set of mock requests. A user who holds Cesce's Postman
collection can turn its saved examples into cases (``cesce-emulator import-postman``) and get
exactly those answers; the bundled Sandbox Model needs none, since the sandbox world computes
its answers from mocks/. A case matches a request when the method and path (below the catalog)
are equal and every query parameter and body field the case names has the same value (extra
ones in the request are ignored, as WireMock's equalToJson with ignoreExtraElements).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import files, resources
from emulator.sandbox_model import validate

_SCHEMA = resources.PACKAGE_DIR / "schemas" / "replay.yaml"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a header name (RFC 9110 §5.1)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
#: Headers that frame the exchange: a case's own value would corrupt it.
SERVER_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


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


class Replay:
    """Cases in the order they are tried, indexed by method and path: a request is compared
    only with the cases of its own method and path."""

    def __init__(self, cases: list[Case]) -> None:
        self._cases = cases
        self._by_route: dict[tuple[str, str], list[Case]] = {}
        for case in cases:
            self._by_route.setdefault((case.method, case.path.rstrip("/")), []).append(case)

    def find(self, method: str, path: str, query: dict[str, str], body: Any) -> Case | None:
        candidates = self._by_route.get((method.upper(), path.rstrip("/")), [])
        return next((case for case in candidates if case.matches(method, path, query, body)), None)

    def __iter__(self) -> Iterator[Case]:
        return iter(self._cases)

    def __len__(self) -> int:
        return len(self._cases)


def load(directories: list[Path]) -> Replay:
    """Every case in the YAML files of ``directories``, in file-name order (FileError, naming
    the file, for one that cannot be read)."""
    cases = []
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
            entries = validate(files.read_yaml(path) or [], "cases", str(path), _SCHEMA)
            for number, entry in enumerate(entries, 1):
                request, response = entry["request"], entry["response"]
                headers = response.get("headers", {})
                for name, value in headers.items():
                    if problem := header_problem(name, value):
                        raise files.FileError(f"{path}: case {number}: {problem}")
                cases.append(Case(
                    name=entry.get("name", path.stem),
                    method=request["method"].upper(),
                    path="/" + request["path"].strip("/"),
                    query={k: str(v) for k, v in request.get("query", {}).items()},
                    body=request.get("body"),
                    status=response["status"],
                    response=response.get("body"),
                    headers=headers,
                ))
    return Replay(cases)


def find(cases: Replay, method: str, path: str, query: dict[str, str], body: Any) -> Case | None:
    return cases.find(method, path, query, body)


def header_problem(name: str, value: str) -> str | None:
    """Why a response header cannot be sent as a case gives it, or None."""
    if not _TOKEN.fullmatch(name):
        return f"header {name!r}: not a valid header name"
    if name.lower() in SERVER_HEADERS:
        return f"header {name}: the server sets it"
    if _CONTROL.search(value):
        return f"header {name}: its value has a line break or a control character"
    try:
        value.encode("latin-1")  # what HTTP/1.1 carries, and what the server encodes headers in
    except UnicodeEncodeError:
        return f"header {name}: its value is not Latin-1 text"
    return None


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(_contains, actual, expected))
    return actual == expected
