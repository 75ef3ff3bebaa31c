"""Cesce's Postman collection as replay cases for the sandbox catalog.

Cesce hands out Postman collections (format v2.1) with the sandbox's mocks preloaded: each
request of the collection keeps, as saved examples, requests Cesce's sandbox answered and the
answers it gave. ``convert`` turns every saved example into a case of emulator/replay/cases.py:
the example's request (method, path below the catalog, query parameters, JSON body) is the
pattern, its answer (status, JSON body, headers) what the sandbox catalog replays.

{{variables}} take the collection's values, or those given (an environment's ``baseUrl``, say);
a URL's leading variable that stays unknown is read as the host and catalog. Their expansion is
bounded (``MAX_EXPANSION``): a value may name another, and values that multiply each other would
otherwise fill the memory. Token requests are left out (the emulator issues tokens itself), as
are examples without a JSON answer or with a header HTTP cannot carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

from emulator import files
from emulator.api_document import CATALOGS
from emulator.replay import cases
from emulator.sandbox_model import validate

VARIABLE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
#: Headers of a saved answer that describe the transport, not the answer: the emulator sets its own.
TRANSPORT_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding", "connection", "keep-alive",
                               "date", "server", "content-encoding"})
#: What {{variables}} may add to a collection's text in all, as they are filled in.
MAX_EXPANSION = 16 * 2**20


class CollectionError(ValueError):
    """The file is not a Postman collection this importer can read."""


@dataclass
class Imported:
    """The cases of a collection, in the order the sandbox tries them, and what was left out."""

    name: str
    cases: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def convert(collection: Any, variables: dict[str, str] | None = None) -> Imported:
    """The replay cases of a Postman v2.1 collection (parsed JSON); ``variables`` win over the
    collection's own."""
    if not isinstance(collection, dict) or not isinstance(collection.get("item"), list):
        raise CollectionError("not a Postman collection: no top-level item list")
    schema = str(collection.get("info", {}).get("schema", ""))
    if "collection/v1" in schema:
        raise CollectionError("a Postman v1 collection; export it again as Collection v2.1")
    known = {v["key"]: str(v.get("value", "")) for v in collection.get("variable", [])
             if isinstance(v, dict) and "key" in v and not v.get("disabled")}
    imported = Imported(name=str(collection.get("info", {}).get("name") or "postman"))
    _walk(collection["item"], [], _Variables({**known, **(variables or {})}), imported)
    # A case that names more of the request is tried first, so that a general example (no
    # query) does not answer for a specific one.
    imported.cases.sort(key=lambda case: -_specificity(case["request"]))
    return imported


def write(imported: Imported, directory: Path) -> Path:
    """Write the cases as one YAML file in ``directory`` (created if need be) and return it."""
    validate(imported.cases, "cases", imported.name, cases._SCHEMA)  # what cases.load will read
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{_slug(imported.name)}.yaml"
    header = (f"# Replay cases imported from the Postman collection {imported.name!r} by cesce-emulator\n"
              f"# import-postman: the sandbox catalog answers each request below with its saved response.\n")
    text = yaml.dump(imported.cases, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    target.write_text(header + text, encoding="utf-8")
    return target


def load(path: Path) -> Any:
    """The parsed JSON of a collection file (files.FileError, naming it, when it cannot be)."""
    return files.read_json(path)


class _Dumper(yaml.SafeDumper):
    # Every case written out in full: the loader limits how much aliases may repeat.
    def ignore_aliases(self, data: Any) -> bool:
        return True


# -- reading the collection ---------------------------------------------------------------


def _walk(items: list, folders: list[str], variables: _Variables, imported: Imported) -> None:
    for item in items:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", "")).strip() or "(unnamed)"
        if isinstance(item.get("item"), list):
            _walk(item["item"], [*folders, name], variables, imported)
        elif "request" in item:
            _request_item(item, [*folders, name], variables, imported)


def _request_item(item: dict, where: list[str], variables: _Variables, imported: Imported) -> None:
    examples = [r for r in item.get("response") or [] if isinstance(r, dict)]
    if not examples:
        imported.skipped.append(f"{' / '.join(where)}: no saved example")
        return
    for example in examples:
        label = " / ".join([*where, str(example.get("name", "")).strip() or "example"])
        try:
            imported.cases.append(_case(label, example.get("originalRequest") or item["request"], example, variables))
        except _Skip as reason:
            imported.skipped.append(f"{label}: {reason}")


class _Skip(Exception):
    """An example that cannot be a replay case, and why."""


def _case(label: str, request: Any, example: dict, variables: _Variables) -> dict:
    if isinstance(request, str):  # v2.1 allows a bare URL for a GET
        request = {"method": "GET", "url": request}
    method = str(request.get("method", "GET")).upper()
    path, query = _url(request.get("url"), variables)
    if path.endswith("oauth2/v1/token"):
        raise _Skip("a token request; the emulator issues tokens itself")
    pattern: dict[str, Any] = {"method": method, "path": path}
    if query:
        pattern["query"] = query
    body = _request_body(request.get("body"), variables)
    if body is not None:
        pattern["body"] = body
    answer: dict[str, Any] = {"status": _status(example)}
    text = variables.substitute(str(example.get("body") or ""))
    if text.strip():
        answer["body"] = _json(text, "the saved response")
    headers = _headers(example.get("header"), variables)
    if headers:
        answer["headers"] = headers
    return {"name": label, "request": pattern, "response": answer}


def _url(url: Any, variables: _Variables) -> tuple[str, dict[str, str]]:
    """The path below the catalog and the query parameters of a request's URL."""
    if isinstance(url, dict):
        raw = url.get("raw") or _raw_from_parts(url)
        path_variables = {v["key"]: str(v.get("value", "")) for v in url.get("variable", []) if isinstance(v, dict) and "key" in v}
        listed = url.get("query")
    else:
        raw, path_variables, listed = str(url or ""), {}, None
    raw = raw.split("#", 1)[0]
    address, _, query_text = raw.partition("?")
    path = _below_catalog(address, variables, path_variables)
    if isinstance(listed, list):  # Postman keeps disabled parameters in the list
        pairs = [(q.get("key"), q.get("value")) for q in listed if isinstance(q, dict) and q.get("key") and not q.get("disabled")]
    else:
        pairs = parse_qsl(query_text, keep_blank_values=True)
    return path, {variables.substitute(str(k)): variables.substitute(str(v if v is not None else "")) for k, v in pairs}


def _below_catalog(address: str, variables: _Variables, path_variables: dict[str, str]) -> str:
    leading = VARIABLE.match(address.strip())
    unknown_host = leading is not None and leading.group(1) not in variables
    address = variables.substitute(address.strip())
    if unknown_host:
        # {{baseUrl}} with no value: it held the scheme, host and catalog.
        address = address[leading.end():]
        segments = [s for s in address.split("/") if s]
    elif "://" in address:
        segments = [s for s in urlsplit(address).path.split("/") if s]
    else:
        segments = [s for s in address.split("/") if s][1:]  # "api.cesce.es/sandbox/...": the host first
    segments = [unquote(_path_variable(s, path_variables, variables)) for s in segments]
    catalog = next((i for i, s in enumerate(segments) if s in CATALOGS), None)
    if catalog is not None:
        segments = segments[catalog + 1:]
    elif not unknown_host:
        raise _Skip(f"no catalog ({', '.join(CATALOGS)}) in the URL {address!r}")
    if not segments:
        raise _Skip(f"no API path below the catalog in {address!r}")
    return "/".join(segments)


def _path_variable(segment: str, path_variables: dict[str, str], variables: _Variables) -> str:
    if segment.startswith(":") and segment[1:] in path_variables:
        return variables.substitute(path_variables[segment[1:]])
    return segment


def _raw_from_parts(url: dict) -> str:
    host = url.get("host", "")
    path = url.get("path", "")
    host = ".".join(host) if isinstance(host, list) else str(host)
    parts = [p.get("value", "") if isinstance(p, dict) else str(p) for p in (path if isinstance(path, list) else [path])]
    return f"{url.get('protocol', 'https')}://{host}/" + "/".join(parts)


def _request_body(body: Any, variables: _Variables) -> Any:
    if not isinstance(body, dict) or body.get("disabled"):
        return None
    mode = body.get("mode")
    if mode in (None, "none"):
        return None
    if mode != "raw":
        raise _Skip(f"a {mode} request body; Cesce's business requests are JSON")
    text = variables.substitute(str(body.get("raw") or ""))
    if not text.strip():
        return None
    return _json(text, "the request body")


def _json(text: str, what: str) -> Any:
    try:
        return files.parse_json(text, what)
    except files.FileError as error:
        raise _Skip(str(error)) from None


def _status(example: dict) -> int:
    code = example.get("code")
    if isinstance(code, int) and 100 <= code <= 599:
        return code
    raise _Skip("the saved response has no HTTP status code")


def _headers(headers: Any, variables: _Variables) -> dict[str, str]:
    if not isinstance(headers, list):
        return {}
    kept = {str(h["key"]): variables.substitute(str(h.get("value", ""))) for h in headers
            if isinstance(h, dict) and h.get("key") and not h.get("disabled")
            and str(h["key"]).lower() not in TRANSPORT_HEADERS}
    for name, value in kept.items():
        if problem := cases.header_problem(name, value):
            raise _Skip(problem)
    return kept


class _Variables:
    """A collection's {{variables}}, and how much text filling them in may still add."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values
        self._budget = MAX_EXPANSION

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def substitute(self, text: str) -> str:
        for _ in range(5):  # a variable's value may name another
            found = [m for m in VARIABLE.finditer(text) if m.group(1) in self._values]
            if not found:
                break
            # Counted before the text is built: one round can multiply it by a value's length.
            self._budget -= max(0, sum(len(self._values[m.group(1)]) - len(m.group(0)) for m in found))
            if self._budget < 0:
                raise CollectionError(f"its {{{{variables}}}} expand to more than {MAX_EXPANSION // 2**20} MiB of text")
            text = VARIABLE.sub(lambda m: self._values.get(m.group(1), m.group(0)), text)
        return text


def _specificity(request: dict) -> int:
    return len(request.get("query", {})) + _leaves(request.get("body"))


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 0 if value is None else 1


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "postman"
