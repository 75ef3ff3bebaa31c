"""The OpenAPI document (openapi.yaml): the one description of every emulated operation.

Routes, the scope each operation needs and the request schemas the emulator validates against
are all read from it, so the served contract and the emulator's behaviour cannot drift apart.
The document's paths carry the default product segments; ``products`` (mocks/products.yaml)
replaces them, for routing and for the copy served at /_emulator/openapi.yaml.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from emulator import resources

CATALOGS = ("sandbox", "dev", "pre", "pro")
ORGANIZATION = "cesceapiconnect"  # the optional first path segment of API Connect's gateway URL


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # as served: product segment applied, e.g. /portfolio-movements/v1/contracts/{contractNo}/movements
    scopes: tuple[str, ...]
    query: dict = field(default_factory=dict)  # an object schema of the query parameters, refs resolved
    body: dict | None = None  # request body schema, refs resolved
    media_type: str | None = None

    def flask_rules(self) -> list[str]:
        path = self.path.replace("{", "<").replace("}", ">")
        catalog = f"<any({', '.join(CATALOGS)}):catalog>"
        return [f"/{catalog}{path}", f"/{ORGANIZATION}/{catalog}{path}"]


class ApiDocument:
    @classmethod
    def for_products(cls, products: dict[str, str]) -> ApiDocument:
        """The document for a product map, built once per process: apps made with the same
        Sandbox Model (the pytest plugin makes many) share it and its compiled validators."""
        return _documents(tuple(sorted(products.items())))

    def __init__(self, products: dict[str, str]) -> None:
        source = resources.load_yaml(resources.OPENAPI_PATH)
        self.document = _with_products(source, products)
        self.operations: dict[str, Operation] = {}
        for path, item in self.document["paths"].items():
            for method, spec in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    shared = item.get("parameters", [])
                    self.operations[spec["operationId"]] = self._operation(path, method, spec, shared)

    def resolve(self, node: Any) -> Any:
        """``node`` of this document with every local $ref replaced by what it points to."""
        return _resolve(node, self.document)

    def _operation(self, path: str, method: str, spec: dict, shared: list) -> Operation:
        resolved = self.resolve(spec)
        parameters = self.resolve(shared) + resolved.get("parameters", [])
        scopes = tuple(scope for requirement in resolved.get("security", []) for scope in requirement.get("oauth", []))
        content = resolved.get("requestBody", {}).get("content", {})
        media_type, body = next(iter(content.items()), (None, {}))
        return Operation(
            operation_id=spec["operationId"],
            method=method.upper(),
            path=path,
            scopes=scopes,
            query={
                "type": "object",
                "properties": {p["name"]: p["schema"] for p in parameters if p["in"] == "query"},
                "required": [p["name"] for p in parameters if p["in"] == "query" and p.get("required")],
            },
            body=body.get("schema"),
            media_type=media_type,
        )


@cache
def _documents(products: tuple[tuple[str, str], ...]) -> ApiDocument:
    return ApiDocument(dict(products))


def _with_products(source: dict, products: dict[str, str]) -> dict:
    document = copy.deepcopy(source)
    paths = {}
    for path, item in document["paths"].items():
        product = item.get("x-cesce-product")
        if product:
            path = "/" + products[product] + "/" + path.split("/", 2)[2]
        paths[path] = item
    document["paths"] = paths
    return document


def _resolve(node: Any, root: dict) -> Any:
    """``node`` with every local $ref replaced by what it points to (the document has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _resolve({**target, **rest}, root)
        return {key: _resolve(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, root) for item in node]
    return node
