"""The OpenAPI document: the one description of every emulated operation.

Routes, the scope each operation needs, the schemas requests are validated against and how a
list pages are all read from it, so the served contract and the emulator's behaviour cannot
drift apart. The source is split: openapi.yaml (this package) holds what every area shares, and
each area keeps its operations and schemas beside its code; the served document joins them,
every ``$ref`` between the files looked up with ``referencing`` and made local. The paths carry
the default product segments; ``products`` (mocks/products.yaml) replaces them, for routing and
for the copy served at /_emulator/openapi.yaml.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from emulator import memo, resources

CATALOGS = ("sandbox", "dev", "pre", "pro")
ORGANIZATION = "cesceapiconnect"  # the optional first path segment of API Connect's gateway URL
METHODS = ("get", "post", "put", "patch", "delete")
_SERVED = "urn:cesce-sandbox:openapi"  # where the joined document lives for reference lookups


class DocumentError(ValueError):
    """An area's part of the document cannot be joined to the rest."""


@dataclass(frozen=True)
class Paging:
    """How a list operation pages (its ``x-cesce-paging``): the query parameter that carries
    the cursor, where the answer gives the next cursor, the value of it that marks the last
    page, the key of the page's records, how many a page holds, and the record field the pages
    are ordered by, when the cursor is that field's value on the next page's first record."""

    cursor: str
    next: tuple[str, ...]
    last: str
    entity: str
    size: int
    ordered_by: str | None = None

    @classmethod
    def from_doc(cls, doc: dict) -> Paging:
        return cls(cursor=doc["cursor"], next=tuple(doc["next"].split(".")), last=str(doc["last"]),
                   entity=doc["entity"], size=int(doc["size"]), ordered_by=doc.get("orderedBy"))

    def sent(self, query: dict[str, Any]) -> str | None:
        """The cursor a request sent, None for the first page (absent, empty or the last mark)."""
        value = query.get(self.cursor)
        if isinstance(value, list):
            value = value[0] if value else None
        return None if value in (None, "", self.last) else str(value)

    def following(self, body: Any) -> Any:
        """The cursor an answer gives for the next page (its last mark on the last page), or None
        when the answer has none."""
        for key in self.next:
            if not isinstance(body, dict):
                return None
            body = body.get(key)
        return body

    def after(self, record: dict) -> str | None:
        """The cursor of a page that starts right after ``record``: its ``ordered_by`` value
        plus one, for a list ordered by a number (None for any other list)."""
        value = str(record.get(self.ordered_by, "")) if self.ordered_by else ""
        return str(int(value) + 1) if value.isdigit() else None

    def place(self, body: dict, cursor: str | None) -> dict:
        """``body`` with the next page's cursor (None: the last page) where answers carry it."""
        target = body
        for key in self.next[:-1]:
            target = target.setdefault(key, {})
        target[self.next[-1]] = self.last if cursor is None else cursor
        return body


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # as served: product segment applied, e.g. /portfolio-movements/v1/contracts/{contractNo}/movements
    scopes: tuple[str, ...]
    query: dict = field(default_factory=dict)  # an object schema of the query parameters, refs resolved
    params: dict = field(default_factory=dict)  # an object schema of the path parameters, refs resolved
    body: dict | None = None  # request body schema, refs resolved
    media_type: str | None = None
    paging: Paging | None = None
    secured: bool = True  # False: the operation declares no security (the token endpoint)
    #: The largest body the gateway takes for it (``x-cesce-max-body``; None: the app's limit).
    max_body: int | None = None

    def flask_rules(self) -> list[str]:
        path = self.path.replace("{", "<").replace("}", ">")
        catalog = f"<any({', '.join(CATALOGS)}):catalog>"
        return [f"/{catalog}{path}", f"/{ORGANIZATION}/{catalog}{path}"]

    def path_errors(self) -> dict[str, str]:
        """The business error (a key of mocks/codes/errors.yaml) of each path parameter that
        names one with ``x-cesce-error``."""
        return {name: schema["x-cesce-error"] for name, schema in self.params["properties"].items()
                if "x-cesce-error" in schema}


class ApiDocument:
    @classmethod
    def build(cls, parts: Iterable[Path], products: dict[str, str]) -> ApiDocument:
        """The document joining the areas' ``parts`` for a product map, built once per process:
        apps made with the same areas and Sandbox Model (the pytest plugin makes many) share it
        and its compiled validators."""
        return _documents(tuple(parts), tuple(sorted(products.items())))

    def __init__(self, parts: Iterable[Path], products: dict[str, str]) -> None:
        parts = list(parts)
        # Joined and resolved once for these files: later starts read the result (emulator.memo).
        name = memo.key("openapi", [resources.OPENAPI_PATH, Path(__file__), *parts], json.dumps(sorted(products.items())))
        kept = memo.recall(name)
        if kept is not None:
            self.document, specs = kept["document"], kept["operations"]
        else:
            self.document = _with_products(_joined(parts), products)
            specs = {spec["operationId"]: self._operation(path, method, spec, item.get("parameters", []))
                     for path, item in self.document["paths"].items()
                     for method, spec in item.items() if method in METHODS}
            memo.keep(name, {"document": self.document, "operations": specs})
        self.operations = {operation_id: Operation(**{**spec, "scopes": tuple(spec["scopes"]),
                                                      "paging": Paging.from_doc(spec["paging"]) if spec["paging"] else None})
                           for operation_id, spec in specs.items()}

    @cached_property
    def _registry(self):
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        return Registry().with_resource(_SERVED, DRAFT202012.create_resource(self.document))

    def resolve(self, node: Any) -> Any:
        """``node`` of this document with every $ref replaced by what it points to."""
        resolver = self._registry.resolver(base_uri=_SERVED)

        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                if "$ref" in value:
                    target = resolver.lookup(value["$ref"]).contents
                    return walk({**target, **{k: v for k, v in value.items() if k != "$ref"}})
                return {key: walk(item) for key, item in value.items()}
            if isinstance(value, list):
                return [walk(item) for item in value]
            return value

        return walk(node)

    def _operation(self, path: str, method: str, spec: dict, shared: list) -> dict:
        """An Operation's fields, as JSON (what emulator.memo keeps)."""
        resolved = self.resolve(spec)
        parameters = self.resolve(shared) + resolved.get("parameters", [])
        security = resolved.get("security")
        content = resolved.get("requestBody", {}).get("content", {})
        media_type, body = next(iter(content.items()), (None, {}))
        return {
            "operation_id": spec["operationId"],
            "method": method.upper(),
            "path": path,
            "scopes": [scope for requirement in security or [] for scope in requirement.get("oauth", [])],
            "query": _object_of(parameters, "query"),
            "params": _object_of(parameters, "path"),
            "body": body.get("schema"),
            "media_type": media_type,
            "paging": resolved.get("x-cesce-paging"),
            "secured": bool(security),
            "max_body": resolved.get("x-cesce-max-body"),
        }


def _object_of(parameters: list[dict], where: str) -> dict:
    """The parameters found ``where`` ("query", "path") as one object schema."""
    chosen = [p for p in parameters if p["in"] == where]
    properties = {p["name"]: {**p["schema"], **{k: v for k, v in p.items() if k.startswith("x-cesce-")}} for p in chosen}
    return {"type": "object", "properties": properties, "required": [p["name"] for p in chosen if p.get("required")]}


def shipped(mocks_dir: str | Path | None = None) -> ApiDocument:
    """The document the emulator serves with the areas it ships and a Sandbox Model's product
    map (the bundled one by default): what the kit checks servers against."""
    from emulator.areas import discover

    products = resources.load_yaml(resources.mocks_dir(mocks_dir) / "products.yaml")
    return ApiDocument.build([area.document for area in discover().values() if area.document], products)


@cache
def _documents(parts: tuple[Path, ...], products: tuple[tuple[str, str], ...]) -> ApiDocument:
    return ApiDocument(parts, dict(products))


def _joined(parts: list[Path]) -> dict:
    """openapi.yaml with every area part's paths, components and tags added, their references
    made local to the one document."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    root_uri = resources.OPENAPI_PATH.as_uri()
    documents = {root_uri: resources.load_yaml(resources.OPENAPI_PATH)}
    documents.update({path.resolve().as_uri(): resources.load_yaml(path.resolve()) for path in parts})
    registry = Registry().with_resources(
        (uri, DRAFT202012.create_resource(document)) for uri, document in documents.items())
    joined = copy.deepcopy(documents[root_uri])
    for uri, document in documents.items():
        if uri == root_uri:
            continue
        local = _localized(document, registry.resolver(base_uri=uri), uri, root_uri)
        for name, value in local.get("paths", {}).items():
            _add(joined.setdefault("paths", {}), name, value, f"path {name}", uri)
        for kind, entries in local.get("components", {}).items():
            for name, value in entries.items():
                _add(joined["components"].setdefault(kind, {}), name, value, f"components/{kind}/{name}", uri)
        joined["tags"] = [*joined.get("tags", []), *local.get("tags", [])]
    return joined


def _localized(node: Any, resolver, uri: str, root_uri: str) -> Any:
    """``node`` with each reference to its own file or to the root made a local one ("#/...");
    a reference to anything else, or to nothing, is a DocumentError."""
    from referencing.exceptions import Unresolvable

    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            target, fragment = urldefrag(urljoin(uri, ref))
            try:
                resolver.lookup(ref)
            except Unresolvable:
                raise DocumentError(f"{uri}: $ref {ref!r} points to nothing") from None
            if target not in (uri, root_uri):
                raise DocumentError(f"{uri}: $ref {ref!r}: an area refers only to itself and to openapi.yaml")
            node = {**node, "$ref": f"#{fragment}"}
        return {key: _localized(value, resolver, uri, root_uri) for key, value in node.items()}
    if isinstance(node, list):
        return [_localized(item, resolver, uri, root_uri) for item in node]
    return node


def _add(target: dict, name: str, value: Any, what: str, uri: str) -> None:
    if name in target:
        raise DocumentError(f"{uri}: {what} is already defined by another part of the document")
    target[name] = value


def _with_products(source: dict, products: dict[str, str]) -> dict:
    paths = {}
    for path, item in source.get("paths", {}).items():
        product = item.get("x-cesce-product")
        if product:
            if product not in products:
                raise DocumentError(f"mocks/products.yaml gives no URL segment for the product {product!r} of {path}")
            path = "/" + products[product] + "/" + path.split("/", 2)[2]
        paths[path] = item
    return {**source, "paths": paths}
