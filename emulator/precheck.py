"""Requests a schema surely accepts, told apart without jsonschema.

jsonschema walks a schema anew for every instance it validates: about 100 µs for a query of
four parameters, a tenth of a GET. Most requests are valid, so each schema of the OpenAPI
document is turned once into a check of the few keywords it uses, which says exactly whether an
instance is valid; only an invalid one goes to jsonschema, which names what is wrong. A schema
that uses a keyword this module does not know (``unevaluatedProperties``, a type other than
string or object, a non-string ``enum``...) gets no check, and every instance of it goes to
jsonschema. tests/test_precheck.py holds the two to the same answer on every schema the
document has.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import regress

Check = Callable[[Any], bool]

#: Keywords that only annotate: they never make an instance invalid.
_ANNOTATIONS = frozenset({"description", "examples", "title", "default", "deprecated", "format", "$comment"})
_TYPES: dict[str, type] = {"string": str, "object": dict}


class _Unknown(Exception):
    """The schema uses something this module does not check."""


def check_of(schema: dict) -> Check | None:
    """Whether an instance is valid against ``schema``, exactly as JSON Schema 2020-12 (with
    ECMA-262 patterns) says; None when the schema uses a keyword not handled here."""
    entry = _CHECKS.get(id(schema))
    if entry is None or entry[0] is not schema:
        try:
            check = _compile(schema)
        except _Unknown:
            check = None
        # Keyed by identity, as the validators are: the document's schemas live as long as it,
        # and the schema is kept alongside so its id cannot be reused.
        entry = _CHECKS[id(schema)] = (schema, check)
    return entry[1]


_CHECKS: dict[int, tuple[dict, Check | None]] = {}


@cache
def ecma(pattern: str) -> regress.Regex:
    """A JSON Schema pattern as the ECMA-262 regular expression it is, compiled once."""
    return regress.Regex(pattern)


def _compile(schema: Any) -> Check:
    if not isinstance(schema, dict):
        raise _Unknown()
    checks: list[Check] = []
    for key, value in schema.items():
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        checks.append(_keyword(schema, key, value))
    if len(checks) == 1:
        return checks[0]
    return lambda instance: all(check(instance) for check in checks)


def _keyword(schema: dict, key: str, value: Any) -> Check:
    if key == "type" and value in _TYPES:
        kind = _TYPES[value]
        return lambda instance: isinstance(instance, kind)
    if key in ("enum", "const"):
        allowed = value if key == "enum" else [value]
        if not isinstance(allowed, list) or not all(isinstance(item, str) for item in allowed):
            raise _Unknown()
        options = frozenset(allowed)
        return lambda instance: isinstance(instance, str) and instance in options
    if key in ("minLength", "maxLength") and isinstance(value, int) and not isinstance(value, bool):
        if key == "minLength":
            return lambda instance: not isinstance(instance, str) or len(instance) >= value
        return lambda instance: not isinstance(instance, str) or len(instance) <= value
    if key == "pattern" and isinstance(value, str):
        regex = ecma(value)
        return lambda instance: not isinstance(instance, str) or regex.find(instance) is not None
    if key == "required" and isinstance(value, list):
        names = tuple(value)
        return lambda instance: not isinstance(instance, dict) or all(name in instance for name in names)
    if key == "properties" and isinstance(value, dict):
        each = {name: _compile(part) for name, part in value.items()}
        return lambda instance: not isinstance(instance, dict) or all(
            each[name](item) for name, item in instance.items() if name in each)
    if key == "additionalProperties" and value is False and "patternProperties" not in schema:
        known = frozenset(schema.get("properties", {}))
        return lambda instance: not isinstance(instance, dict) or known.issuperset(instance)
    if key == "allOf" and isinstance(value, list):
        parts = [_compile(part) for part in value]
        return lambda instance: all(part(instance) for part in parts)
    if key == "if":
        condition = _compile(value)
        then = _compile(schema["then"]) if "then" in schema else None
        otherwise = _compile(schema["else"]) if "else" in schema else None
        return lambda instance: (then is None or then(instance)) if condition(instance) else (
            otherwise is None or otherwise(instance))
    if key in ("then", "else"):
        return lambda instance: True  # applied through "if"; without an "if" they do nothing
    raise _Unknown()
