"""The OpenAPI document the kit works from, and the facts its checks and strategies read in it.

It is the emulator's bundled openapi.yaml with the product segments of mocks/products.yaml
applied: the very document the emulator serves at /_emulator/openapi.yaml. Which fields are
amounts or dates, how long a field may be and which blank field Cesce answers with a server
error are read from it here, so the kit and the emulator cannot disagree on them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache

from emulator.api_document import ApiDocument, Operation, Paging, shipped


@cache
def _api() -> ApiDocument:
    return shipped()


def document() -> dict:
    """A fresh copy of the document, products applied (callers may change it)."""
    return copy.deepcopy(_api().document)


def operation(operation_id: str) -> Operation:
    """An operation by its operationId: path as served, scopes, and its query and body schemas
    with every $ref resolved."""
    return _api().operations[operation_id]


def operation_ids() -> list[str]:
    return list(_api().operations)


def paging(operation_id: str) -> Paging:
    """How a list operation pages, as its ``x-cesce-paging`` declares it: the query parameter
    carrying the cursor, where an answer gives the next one, its last-page mark, page size."""
    declared = operation(operation_id).paging
    if declared is None:
        raise ValueError(f"{operation_id} is not a list operation")
    return declared


def list_operations() -> list[str]:
    """The operations that page (they declare ``x-cesce-paging``)."""
    return [op.operation_id for op in _api().operations.values() if op.paging is not None]


def read_operations() -> frozenset[str]:
    """The operations that change nothing: every GET, and the token endpoint."""
    return frozenset(op.operation_id for op in _api().operations.values() if op.method == "GET" or not op.secured)


@cache
def fields_in_format(kind: str) -> frozenset[str]:
    """Names of the properties whose schema has ``x-cesce-format: kind`` ("amount", "date",
    "code") anywhere in the document's components."""
    names = set()
    for schema in _api().document["components"]["schemas"].values():
        for path, prop in walk(schema):
            if _api().resolve(prop).get("x-cesce-format") == kind:
                names.add(path[-1])
    return frozenset(names)


def blank_statuses(operation_id: str) -> dict[tuple[str, ...], int]:
    """The body fields of an operation whose blank value Cesce answers with a documented HTTP
    status (``x-cesce-blank-status``), by their path in the body: {("debtor", "nonPaymentInd"): 500}."""
    body = operation(operation_id).body or {}
    return {path: schema["x-cesce-blank-status"] for path, schema in walk(body) if "x-cesce-blank-status" in schema}


def walk(schema: dict, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every property of a resolved object schema (allOf parts included), depth first, with its
    path: (("debtor",), {...}), (("debtor", "countryCode"), {...}), ..."""
    for name, prop in _properties(schema):
        yield (*path, name), _api().resolve(prop)
        yield from walk(prop, (*path, name))


def _properties(schema: dict) -> Iterator[tuple[str, dict]]:
    schema = _api().resolve(schema)
    for part in schema.get("allOf", []):
        yield from _properties(part)
    yield from schema.get("properties", {}).items()
