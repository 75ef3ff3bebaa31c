"""What a client should believe after a run, from the emulator's own state (/_emulator/state).

- portfolio-sync: every debtor's current firm record: every record of the contract except the
  pending 300xxx requests (``pendingOf`` set in the state). A pending request is not a limit:
  the debtor's limit is still its firm record until the request is decided. A new debtor whose
  only record is EN TRÁMITE (statusCode "1") is listed as Cesce lists it.
- movements-sync: the records the client had before the run (the kit's starting file, or what
  it wrote on its previous run), with every record among the movements at the end of the run
  (a firm change in the last 48 hours of the tenant's clock) added or replacing the one with
  the same endorsementNo. A change older than 48 hours that the client never saw is not its
  fault and is not expected.

Records are compared on endorsementNo, statusCode and creditLimitGranted; amounts by value
(Cesce's "1234,56", "1234.56" or a JSON number all mean the same).
"""

from __future__ import annotations

from typing import Any

from contract_tests.conformance.seeding import contract_records, in_window, parse_instant
from emulator.wire import normalize_amount, parse_amount

#: The fields a client's record is judged on.
JUDGED = ("statusCode", "creditLimitGranted")



def expected(task: str, state: dict[str, Any], before: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """The records (by endorsementNo) the client should hold after a run that ended at the
    state's ``now``; ``before`` is what it should have held before (movements-sync only)."""
    records = contract_records(state)
    if task == "portfolio-sync":
        return {r["endorsementNo"]: r for r in records if not r.get("pendingOf")}
    now = parse_instant(state["now"])
    merged = dict(before or {})
    merged.update({r["endorsementNo"]: r for r in records if in_window(r, now)})
    return merged


def pending_requests(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The 300xxx records waiting for a decision, by their own endorsementNo."""
    return {r["endorsementNo"]: r for r in contract_records(state) if r.get("pendingOf")}


def number(value: Any) -> str | None:
    """An endorsementNo or statusCode as canonical text ("0501" and 501 are "501")."""
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
    if field == "creditLimitGranted":
        value = amount(got)
        return value is not None and value == amount(want)
    return number(got) == number(want)


def shown(record: dict[str, Any]) -> str:
    """A record's judged fields, for messages."""
    return ", ".join(f"{name} {record.get(name)!r}" for name in JUDGED)
