"""The quick checks of emulator.precheck answer as jsonschema does, on every schema of the served
document a request is read against, for instances near and far from valid."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests import strategies
from emulator.api_document import shipped
from emulator.precheck import check_of
from emulator.validation import _validator

API = shipped()
SCHEMAS = [(f"{op.operation_id} {where}", schema) for op in API.operations.values()
           for where, schema in (("query", op.query), ("path", op.params), ("body", op.body)) if schema]


def _names(schema, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(schema, dict):
        found.update(schema.get("properties", {}))
        for value in schema.values():
            _names(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _names(value, found)
    return found


def _strings(schema) -> list[str]:
    """Values the schema names (enums, consts, examples): near misses become likely."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("enum", "examples"):
                found += [v for v in value if isinstance(v, str)]
            elif key == "const" and isinstance(value, str):
                found.append(value)
            else:
                found += _strings(value)
    elif isinstance(schema, list):
        for value in schema:
            found += _strings(value)
    return found


def instances(schema) -> st.SearchStrategy:
    words = st.sampled_from(sorted(set(_strings(schema)) | {"", " ", "ES", "0,00", "1000,00", "12", "N", "Y", "a\n",
                                                              "10100000001", "101", "300001"}))
    scalars = words | st.text(max_size=8) | st.integers() | st.booleans() | st.none()
    keys = st.sampled_from(sorted(_names(schema) or {"x"})) | st.text(max_size=4)
    return st.recursive(scalars, lambda inner: st.dictionaries(keys, inner, max_size=6) | st.lists(inner, max_size=2),
                        max_leaves=14)


def valid(name: str) -> st.SearchStrategy | None:
    """The kit's valid requests of an operation, where it has them."""
    operation, where = name.split()
    try:
        return {"query": strategies.queries, "body": strategies.request_bodies}[where](operation)
    except (KeyError, ValueError):
        return None


def mutated(instance, data) -> object:
    """``instance`` with one value somewhere in it replaced, dropped or joined by another."""
    if not isinstance(instance, dict) or not instance:
        return data.draw(st.text(max_size=6) | st.integers() | st.none())
    key = data.draw(st.sampled_from(sorted(instance)))
    change = data.draw(st.sampled_from(["deeper", "replace", "drop", "add"]))
    if change == "deeper":
        return {**instance, key: mutated(instance[key], data)}
    if change == "replace":
        return {**instance, key: data.draw(st.text(max_size=25) | st.integers() | st.sampled_from(["", " ", "0,00", "N"]))}
    if change == "drop":
        return {k: v for k, v in instance.items() if k != key}
    return {**instance, data.draw(st.text(min_size=1, max_size=6)): "x"}


@pytest.mark.parametrize(("name", "schema"), SCHEMAS, ids=[name for name, _ in SCHEMAS])
@settings(max_examples=200, suppress_health_check=list(HealthCheck), deadline=None)
@given(data=st.data())
def test_a_quick_check_answers_as_jsonschema_does(name, schema, data):
    check = check_of(schema)
    if check is None:
        return  # a schema the module does not check goes to jsonschema whole
    near = valid(name)
    source = data.draw(st.sampled_from(["random", "valid", "near"] if near is not None else ["random"]))
    instance = data.draw(instances(schema)) if source == "random" else data.draw(near)
    if source == "near":
        instance = mutated(instance, data)
    assert check(instance) == _validator(schema).is_valid(instance), instance


def test_the_hot_schemas_have_quick_checks():
    for operation, where in (("getClassification", "query"), ("getPortfolio", "query"), ("getMovements", "query"),
                             ("createClassification", "body"), ("getClassification", "params")):
        op = API.operations[operation]
        assert check_of({"query": op.query, "params": op.params, "body": op.body}[where]) is not None, operation
