"""Cesce's wire format, in one place: amounts, dates, the response envelope and records.

Every scalar of a business response is a JSON string (the real movements API does this, and a
typed client such as .NET's System.Text.Json fails on a number): amounts are "1234,56" (comma,
two decimals, no thousands separator), dates "yyyyMMdd" with "0" for none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import MISSING, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

#: Money and percentages travel as hundredths in the domain: 123456 is "1234,56" on the wire.
Amount = int

# [0-9], not \d: Python's \d takes every Unicode digit, and the wire has only ASCII ones.
AMOUNT = re.compile(r"-?[0-9]{1,13},[0-9]{2}")
DATE = re.compile(r"0|[0-9]{8}")
_LENIENT_AMOUNT = re.compile(r"-?[0-9]{1,13}(?:[.,][0-9]{1,2})?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def format_amount(hundredths: Amount) -> str:
    sign = "-" if hundredths < 0 else ""
    units, cents = divmod(abs(hundredths), 100)
    return f"{sign}{units},{cents:02d}"


def parse_amount(text: str) -> Amount:
    """A canonical amount ("1234,56") in hundredths; ValueError for anything else."""
    if not isinstance(text, str) or not AMOUNT.fullmatch(text):
        raise ValueError(f"not an amount in the form 1234,56: {text!r}")
    return int(text.replace(",", ""))


def normalize_amount(value: Any) -> str | None:
    """The canonical form of an amount a lenient reader can still understand (1234.5, "1234.5",
    "1234"), or None when the value is not an amount at all."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = repr(value)
    if not isinstance(value, str) or not _LENIENT_AMOUNT.fullmatch(value.strip()):
        return None
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return format_amount(int(number * 100))


def format_date(day: date | None) -> str:
    return day.isoformat().replace("-", "") if day else "0"


def parse_date(text: str) -> date | None:
    """A canonical date ("20260115", or "0" for none); ValueError for anything else."""
    if not isinstance(text, str) or not DATE.fullmatch(text):
        raise ValueError(f"not a date in the form yyyyMMdd: {text!r}")
    if text == "0":
        return None
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def normalize_date(value: Any) -> str | None:
    """The canonical form of a date a lenient reader can still understand (20260115 as a
    number, "2026-01-15"), or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        value = value.strip().replace("-", "")
    try:
        parse_date(value)
    except ValueError:
        return None
    return value


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _text(value) -> str:
    return "" if value is None else str(value)


_FORMATTERS = {"Amount": lambda value: format_amount(value or 0), "date | None": format_date}


@cache
def _record_layout(cls: type) -> tuple[tuple[str, str, Callable[[Any], str]], ...]:
    return tuple(
        (f.name, camel(f.name), _FORMATTERS.get(f.type, _text))
        for f in fields(cls)
        if not f.metadata.get("internal")
    )


def render_record(record: Any) -> dict[str, str]:
    """A domain dataclass as its wire record: camelCase keys in field order, every value a
    string. Fields annotated ``Amount`` and ``date | None`` take their wire formats; fields
    marked ``internal`` in their metadata stay off the wire."""
    return {key: render(getattr(record, name)) for name, key, render in _record_layout(type(record))}


_PARSERS: dict[str, Callable[[str], Any]] = {"Amount": parse_amount, "date | None": parse_date}
_INTEGER = re.compile(r"-?[0-9]+")


def _parser(kind: str) -> Callable[[str], Any]:
    if kind in _PARSERS:
        return _PARSERS[kind]
    base, optional = kind.removesuffix(" | None"), kind.endswith(" | None")
    if base not in ("str", "int"):
        raise TypeError(f"a record field of type {kind} has no wire form to read back")

    def parse(text: str) -> Any:
        if optional and text == "":
            return None  # what a field never filled in renders as
        if base == "int" and not _INTEGER.fullmatch(text):
            raise ValueError(f"not a whole number: {text!r}")
        return int(text) if base == "int" else text

    return parse


@cache
def _reading(cls: type) -> tuple[dict[str, tuple[str, Callable[[str], Any]]], tuple[str, ...]]:
    """(wire key -> (field name, parser), the wire keys of fields without a default)."""
    wired = [f for f in fields(cls) if not f.metadata.get("internal")]
    layout = {camel(f.name): (f.name, _parser(f.type)) for f in wired}
    required = tuple(camel(f.name) for f in wired if f.default is MISSING and f.default_factory is MISSING)
    return layout, required


def parse_record(cls: type, record: Any) -> dict[str, Any]:
    """The inverse of ``render_record``: the values of the wire fields of ``cls`` that
    ``record`` holds, by field name (those it leaves out keep their defaults; an optional text
    sent empty is None, as one never filled in renders empty). ValueError, naming the key, for
    a key ``cls`` does not have, a missing field without a default, or a value not in its wire
    format."""
    if not isinstance(record, dict):
        raise ValueError("a record is an object of text fields")
    layout, required = _reading(cls)
    unknown = [key for key in record if key not in layout]
    if unknown:
        raise ValueError(f"{unknown[0]}: not a field of the record")
    missing = [key for key in required if key not in record]
    if missing:
        raise ValueError(f"{missing[0]}: missing")
    values = {}
    for key, text in record.items():
        name, parse = layout[key]
        if not isinstance(text, str):
            raise ValueError(f"{key}: every value of a record is text, not {text!r}")
        try:
            values[name] = parse(text)
        except ValueError as error:
            raise ValueError(f"{key}: {error}") from None
    return values


def envelope(client: dict[str, str], **entity: Any) -> dict[str, Any]:
    """A success body: the error block with errorCode "0", the client block, then the entity."""
    return {"error": {"errorCode": "0", "errorDescription": ""}, "client": client, **entity}


def error_envelope(code: str, description: str, client: dict[str, str]) -> dict[str, Any]:
    return {"error": {"errorCode": code, "errorDescription": description}, "client": client}


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
