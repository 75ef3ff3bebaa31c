"""How a client's record is compared with the emulator's: keys and codes as canonical text
("0501" and 501 are "501"), amounts by value (Cesce's "1234,56", "1234.56" or a JSON number all
mean the same; the amount fields are those the OpenAPI document marks ``x-cesce-format:
amount``). What a client should hold after a run is each task's to say (its ``expected``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contract_tests import document
from emulator.wire import normalize_amount, parse_amount


def number(value: Any) -> str | None:
    """A key or a code as canonical text ("0501" and 501 are "501")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return str(int(text)) if text.isdigit() else text


def amount(value: Any) -> int | None:
    """An amount's value in hundredths: "1234,56", "1234.56" or a JSON number, read as the
    emulator's lenient reader reads it; None when it is not one."""
    text = normalize_amount(value)
    return None if text is None else parse_amount(text)


def same(field: str, got: Any, want: Any) -> bool:
    """Whether a client's value of a judged field means the emulator's value."""
    if field in document.fields_in_format("amount"):
        value = amount(got)
        return value is not None and value == amount(want)
    return number(got) == number(want)


def a_cent_off(fields: Iterable[str], have: dict[str, Any], want: dict[str, Any]) -> str | None:
    """The first amount field whose value is a cent away from the emulator's: what a client
    gets when it reads amounts as binary floats and truncates (1234567.89 * 100 is 123456788.99...)."""
    for name in fields:
        if name in document.fields_in_format("amount"):
            got, expected = amount(have.get(name)), amount(want.get(name))
            if got is not None and expected is not None and abs(got - expected) == 1:
                return name
    return None


def shown(record: dict[str, Any], fields: Iterable[str]) -> str:
    """A record's judged fields, for messages."""
    return ", ".join(f"{name} {record.get(name)!r}" for name in fields)
