"""Requests read against the OpenAPI document's schemas, and their errors named by field.

Strict mode takes only the canonical wire format. The default, lenient mode first brings what a
reader can still understand to the canonical form (a JSON number or "1234.5" for an amount, a
lowercase code, "2026-01-15" for a date, a field under another name the document knows it by
(``x-cesce-aliases``), an unknown field, dropped) and records each fix as a conformance finding
for the journal, so a client learns what Cesce would refuse.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

from emulator.errors import (
    BlankValue,
    BusinessError,
    FieldTooLong,
    InvalidContentType,
    InvalidFormat,
    InvalidJson,
    InvalidValue,
    MissingField,
    NotMultipart,
    UnknownField,
    UnknownParameter,
    WrongFieldName,
    by_key,
)
from emulator.precheck import check_of, ecma
from emulator.wire import normalize_amount, normalize_date

_EXPECTED = {"amount": "1234,56", "date": "yyyyMMdd", "code": "uppercase letters"}


@dataclass(frozen=True)
class Finding:
    """Something a request did that Cesce's API would not accept, tolerated in lenient mode."""

    field: str
    rule: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


#: What a body that is not JSON at all parses to (json.loads never returns it).
NOT_JSON = object()
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart/form-data body."""

    file_name: str
    content_type: str
    data: bytes


def parse_json(raw: bytes) -> Any:
    """A request body as JSON: None when empty, NOT_JSON when it is not JSON (nesting deep
    enough to exhaust the parser included)."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return NOT_JSON


def read_body(schema: dict, body: Any, content_type: str | None, strict: bool) -> tuple[dict, list[Finding]]:
    """A JSON body (as ``parse_json`` gave it) against its schema. Cesce's gateway takes JSON
    as application/json in UTF-8; strict mode refuses any other content type."""
    findings = []
    if not _is_json(content_type):
        if strict:
            raise InvalidContentType(contentType=content_type or "(none)")
        findings.append(Finding("Content-Type", "content-type", f"sent {content_type or 'no Content-Type'}; Cesce expects"
                                                                " application/json"))
    if not isinstance(body, dict):
        raise InvalidJson()
    data, more = _read(schema, body, strict)
    return data, findings + more


def read_multipart(schema: dict, form: dict[str, str] | None, files: dict[str, Upload],
                   strict: bool) -> tuple[dict, list[Finding]]:
    """A multipart/form-data body (its text fields ``form``, None when the body was not
    multipart at all, and its ``files``) against the document's schema of it: the text fields
    are read as a JSON body's are, and each binary property (``format: binary``) must come as a
    file part."""
    if form is None:
        raise NotMultipart()
    text, binary = _multipart_parts(schema)
    for name in binary:
        if name in form and name not in files:
            raise InvalidFormat(field=name, expected="a file part")
    data, findings = _read(text, {key: value for key, value in form.items() if key not in binary}, strict)
    missing = [name for name in schema.get("required", ()) if name in binary and name not in files]
    if missing:
        raise MissingField(field=missing[0])
    for name, upload in files.items():
        if name in binary:
            data[name] = upload
        elif strict:
            raise UnknownField(field=name)
        else:
            findings.append(Finding(name, "unknown-field", f"{name} is not a file part of this operation; ignored"))
    return data, findings


_MULTIPART_PARTS: dict[int, tuple[dict, dict, frozenset[str]]] = {}


def _multipart_parts(schema: dict) -> tuple[dict, frozenset[str]]:
    """(the schema of the text fields, the names of the file parts), made once per schema: the
    text schema is validated many times, and its compiled validator is keyed by identity."""
    entry = _MULTIPART_PARTS.get(id(schema))
    if entry is None or entry[0] is not schema:
        properties = schema.get("properties", {})
        binary = frozenset(name for name, prop in properties.items() if prop.get("format") == "binary")
        text = {**schema, "properties": {k: v for k, v in properties.items() if k not in binary},
                "required": [name for name in schema.get("required", ()) if name not in binary]}
        entry = _MULTIPART_PARTS[id(schema)] = (schema, text, binary)
    return entry[1], entry[2]


def _is_json(content_type: str | None) -> bool:
    kind, _, rest = (content_type or "").partition(";")
    charset = [p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";") if p.strip().lower().startswith("charset=")]
    return kind.strip().lower() == "application/json" and charset in ([], ["utf-8"], ["utf8"])


def read_path(schema: dict, values: dict[str, str]) -> dict[str, str]:
    """Path parameters against their schemas; one that breaks its schema raises the business
    error its ``x-cesce-error`` names (InvalidFormat otherwise)."""
    for name, value in values.items():
        spec = schema["properties"].get(name)
        if spec is not None and not _valid(spec, value):
            if "x-cesce-error" in spec:
                raise by_key(spec["x-cesce-error"])(**{name: value})
            raise InvalidFormat(field=name, expected=spec.get("pattern", "the document's format"))
    return values


def read_query(schema: dict, args: dict[str, list[str]], strict: bool) -> tuple[dict, list[Finding]]:
    """Query parameters (each a list of the values sent) against an object schema of them. An
    unknown parameter is refused in strict mode and a finding otherwise (API gateways pass
    them on, so a misspelt one is silently ignored); a repeated one is a finding."""
    known = schema["properties"]
    aliases = _aliases(known)
    findings = []
    for alias in [name for name in args if name in aliases]:
        if strict:
            raise WrongFieldName(field=alias, name=aliases[alias])
        values = args.pop(alias)
        findings.append(_renamed(alias, aliases[alias], aliases[alias] in args))
        args.setdefault(aliases[alias], values)
    unknown = [name for name in args if name not in known]
    if unknown and strict:
        raise UnknownParameter(parameters=", ".join(unknown))
    findings += [Finding(name, "unknown-parameter", f"{name} is not a parameter of this operation; ignored")
                 for name in unknown]
    findings += [Finding(name, "repeated-parameter", f"{name} sent {len(values)} times; the first one is used")
                 for name, values in args.items() if name in known and len(values) > 1]
    values = {name: args[name][0] for name in known if name in args}
    data, more = _read(schema, values, strict)
    return data, findings + more


def _read(schema: dict, data: dict, strict: bool) -> tuple[dict, list[Finding]]:
    findings: list[Finding] = []
    if not strict:
        data = _normalize(schema, data, "", findings)
    errors = _errors(schema, data)
    if errors and not strict and _tolerate(data, errors, findings):
        errors = _errors(schema, data)
    if errors:
        raise _business_error(min(errors, key=_precedence))
    return data, findings


def _tolerate(data: dict, errors: list, findings: list[Finding]) -> bool:
    """Lenient mode: a field whose schema says ``x-cesce-lenient: ignore`` (a value Cesce
    refuses, but that changes nothing when left out) is dropped with a finding instead of
    failing the request; a field also wrong in itself (an amount in no known format) is not,
    its own error being the one to answer. Whether any field was dropped."""
    tolerable = [e for e in errors if e.schema.get("x-cesce-lenient") == "ignore" and e.absolute_path]
    wrong = {tuple(e.absolute_path) for e in errors if e not in tolerable}
    dropped = False
    for error in tolerable:
        path = list(error.absolute_path)
        if tuple(path) in wrong:
            continue
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if path[-1] not in parent:
            continue
        value = parent.pop(path[-1])
        reason = error.schema.get("description", "Cesce refuses it")
        findings.append(Finding(".".join(map(str, path)), "ignored-value", f"sent {json.dumps(value)}; {reason}; ignored"))
        dropped = True
    return dropped


def _pattern(validator, pattern: str, instance: Any, schema: dict):
    # JSON Schema's patterns are ECMA-262 regular expressions, and Python's re reads them
    # differently exactly where a request could slip through: its "$" matches before a final
    # newline ("25000,00\n"), its "." takes "\r", its \d, \w and \s take Unicode's wider sets.
    # regress is ECMA-262's dialect.
    if validator.is_type(instance, "string") and ecma(pattern).find(instance) is None:
        from jsonschema import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator_class() -> type[jsonschema.Draft202012Validator]:
    # Made at the first request that needs it: valid requests mostly never do (emulator.precheck),
    # and start-up is quicker without importing jsonschema.
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _pattern})


_VALIDATORS: dict[int, tuple[dict, jsonschema.Draft202012Validator]] = {}


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    # Schemas come from the loaded OpenAPI document and live as long as it: keyed by identity,
    # each is compiled once. The schema is kept alongside so its id cannot be reused.
    entry = _VALIDATORS.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _VALIDATORS[id(schema)] = (schema, _validator_class()(schema))
    return entry[1]


def _aliases(properties: dict[str, dict]) -> dict[str, str]:
    """{other name: the name Cesce's wire uses} of the properties that declare x-cesce-aliases."""
    return {alias: name for name, prop in properties.items() for alias in prop.get("x-cesce-aliases", ())}


def _renamed(alias: str, name: str, both: bool) -> Finding:
    fix = f"{name} was sent too, and is used" if both else f"read as {name}"
    return Finding(alias, "field-name", f"sent {alias}; Cesce's wire calls it {name}: {fix}")


def _properties(schema: dict) -> dict[str, dict]:
    merged = {}
    for part in schema.get("allOf", []):
        merged.update(_properties(part))
    merged.update(schema.get("properties", {}))
    return merged


def _normalize(schema: dict, value: Any, where: str, findings: list[Finding]) -> Any:
    properties = _properties(schema)
    if isinstance(value, dict) and properties:
        closed = schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False
        aliases = _aliases(properties)
        out = {}
        for key, item in value.items():
            name = f"{where}.{key}" if where else key
            if key in aliases:
                findings.append(_renamed(name, aliases[key], aliases[key] in value))
                if aliases[key] not in value:
                    out[aliases[key]] = _normalize(properties[aliases[key]], item, name, findings)
            elif key in properties:
                out[key] = _normalize(properties[key], item, name, findings)
            elif closed:
                findings.append(Finding(name, "unknown-field", f"{key} is not a field of this operation; ignored"))
            else:
                out[key] = item
        return out
    kind = schema.get("x-cesce-format")
    fixed = value
    if kind == "amount" and not _valid(schema, value):
        fixed = normalize_amount(value)
    elif kind == "date" and not _valid(schema, value):
        fixed = normalize_date(value)
    elif kind == "code" and isinstance(value, str):
        fixed = value.strip().upper()
    elif schema.get("type") == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        fixed = str(value)
    if fixed is None or fixed == value:
        return value
    expected = _EXPECTED.get(kind, "a JSON string")
    findings.append(Finding(where, f"{kind or 'string'}-format", f"sent {json.dumps(value)}; Cesce expects {expected}: {json.dumps(fixed)}"))
    return fixed


def _errors(schema: dict, data: Any) -> list[jsonschema.ValidationError]:
    # A valid request (most of them) is told so by the schema's quick check; jsonschema names
    # what is wrong with the others.
    check = check_of(schema)
    if check is not None and check(data):
        return []
    return list(_validator(schema).iter_errors(data))


def _valid(schema: dict, value: Any) -> bool:
    check = check_of(schema)
    return check(value) if check is not None else _validator(schema).is_valid(value)


def _precedence(error: jsonschema.ValidationError) -> tuple:
    blank = "x-cesce-blank-status" in error.schema and isinstance(error.instance, str) and not error.instance.strip()
    # A property whose allOf part fails counts as unevaluated, so unevaluatedProperties fails
    # too when that property is only too long: name the property's own error first.
    spurious = error.validator == "unevaluatedProperties"
    # A rule between fields (an if/then) speaks of a value that is well formed: a field's own
    # format error comes first.
    between = "then" in error.schema_path
    return (not blank, error.validator != "required", spurious, between, list(map(str, error.absolute_path)))


def _business_error(error: jsonschema.ValidationError) -> BusinessError:
    path = [str(p) for p in error.absolute_path]
    name = path[-1] if path else ""
    kind, schema, instance = error.validator, error.schema, error.instance
    if "x-cesce-blank-status" in schema and isinstance(instance, str) and not instance.strip():
        return BlankValue(field=name)
    if kind == "required":
        missing = [key for key in error.validator_value if key not in instance]
        return MissingField(field=missing[0])
    if kind in ("additionalProperties", "unevaluatedProperties"):
        allowed = _properties(schema)
        extra = [key for key in instance if key not in allowed]
        aliases = _aliases(allowed)
        if extra and extra[0] in aliases:
            return WrongFieldName(field=extra[0], name=aliases[extra[0]])
        return UnknownField(field=extra[0] if extra else name)
    if kind == "maxLength":
        return FieldTooLong(field=name, max=str(error.validator_value))
    if kind in ("enum", "const"):
        values = error.validator_value if kind == "enum" else [error.validator_value]
        return InvalidValue(field=name, allowed=", ".join(map(str, values)))
    if kind == "type":
        return InvalidFormat(field=name or "body", expected=f"a JSON {error.validator_value}")
    expected = _EXPECTED.get(schema.get("x-cesce-format"), schema.get("pattern", kind))
    if kind == "minLength":
        expected = f"at least {error.validator_value} characters"
    return InvalidFormat(field=name, expected=expected)
