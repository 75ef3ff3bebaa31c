"""What the emulator is told for a scenario: the scenario document that seeds the tenant, the
faults to inject, the events and clock moves between runs, and (for a movements sync) the
records the client starts from.

Times are chosen well clear of the 48-hour movements window's edge, so a few seconds of real
time passing during a run never move a record in or out of it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from contract_tests.conformance.scenarios import Fault, Scenario
from emulator.auth.rules import ACCESS_LIFETIME
from emulator.clock import parse_instant
from emulator.risks.records import status
from emulator.risks.rules import MOVEMENTS_WINDOW
from emulator.sandbox_model import SandboxModel

#: The contract every scenario seeds (not one of the Sandbox Model's contracts).
CONTRACT_NO = "40000000001"
#: Where each tenant's clock starts; it then ticks with real time (never frozen, so the
#: journal's timestamps measure how long a client waited before retrying).
START = "2026-01-15T09:00:00Z"
#: How far the clock jumps to expire the access token: a minute past its lifetime.
TOKEN_JUMP = f"PT{int(ACCESS_LIFETIME.total_seconds()) + 60}S"
#: The clock move of the "advance" change: pending requests (decided a day after seeding)
#: become firm two hours before the second run, well inside the movements window.
ADVANCE = "PT26H"


def document(scenario: Scenario) -> dict[str, Any]:
    """The emulator's scenario document (POST /_emulator/scenarios) for a recipe."""
    debtors: list[dict[str, Any]] = []
    for i in range(1, scenario.pending_requests + 1):
        debtors.append(_debtor("P", i, "CON SOLICITUD PENDIENTE", status="in-force", requested="50000,00", since="-P200D",
                               pendingRequest={"requested": "100000,00", "since": "-PT3H",
                                               "decision": "pending-committee", "resolveIn": "P1D"}))
    for i in range(1, scenario.pending_new + 1):
        debtors.append(_debtor("N", i, "NUEVO EN TRAMITE", status="pending", decision="pending-committee",
                               requested="80000,00", since="-PT3H", resolveIn="P1D"))
    for i in range(1, scenario.rejected + 1):
        debtors.append(_debtor("R", i, "RECHAZADO", status="rejected", requested="20000,00", since="-PT3H"))
    for i in range(1, scenario.cancelled + 1):
        debtors.append(_debtor("X", i, "ANULADO", status="cancelled", requested="30000,00", since="-P10D"))
    generate = [
        {"count": scenario.old, "countryCode": "ES", "taxCode": "A{index:07d}",
         "companyName": "DEUDOR ANTIGUO {index:05d} SL", "status": "in-force", "requested": "15000,00", "since": "-P5D"},
        {"count": scenario.recent, "countryCode": "ES", "taxCode": "B{index:07d}",
         "companyName": "DEUDOR RECIENTE {index:05d} SL", "status": "in-force", "requested": "25000,00", "since": "-PT2H"},
    ]
    return {
        "description": f"{scenario.name}: {scenario.summary()}",
        "clock": {"set": START},
        "contracts": [{"contractNo": CONTRACT_NO, "policy": "standard", "debtors": debtors,
                       "generate": [batch for batch in generate if batch["count"]]}],
    }


def _debtor(prefix: str, index: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {"countryCode": "ES", "taxCode": f"{prefix}{index:07d}", "companyName": f"{kind} {index:03d} SL", **fields}


def faults(scenario: Scenario) -> list[dict[str, Any]]:
    """The fault bodies (POST /_emulator/faults) for the first run, in the order to post them:
    the emulator applies the oldest matching fault first, each after letting its ``skip``
    matching requests through."""
    bodies: list[dict[str, Any]] = []
    if scenario.expire_token:
        bodies.append(expiry_fault(scenario))
    for fault in scenario.faults:
        body: dict[str, Any] = {"operation": operation_of(scenario, fault), "status": fault.status,
                                "times": fault.times, "skip": fault.skip}
        if fault.retry_after is not None:
            body["retryAfter"] = fault.retry_after
        bodies.append(body)
    return bodies


def expiry_fault(scenario: Scenario) -> dict[str, Any]:
    """The tenant's clock jumps past the token's lifetime as the second list request arrives,
    before its token is checked: the client's token expires between its first and second page."""
    return {"operation": scenario.operation, "advanceClock": TOKEN_JUMP, "skip": 1, "times": 1}


def operation_of(scenario: Scenario, fault: Fault) -> str:
    return "token" if fault.operation == "token" else scenario.operation


def change_requests(change: str, state: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """The events (POST /_emulator/events) and the clock move of one change between runs,
    worked out from the tenant's state just before it."""
    records = contract_records(state)
    if change == "advance":
        return [], ADVANCE
    if change in ("resolve", "reject"):
        pending = [r for r in records if r.get("resolveAt")]
        extra = {"decision": "reject"} if change == "reject" else {}
        return [{"type": "resolve", "contractNo": CONTRACT_NO, "endorsementNo": r["endorsementNo"], **extra}
                for r in pending], None
    asking = {r["pendingOf"] for r in records if r.get("pendingOf")}
    in_force = [r for r in records if r["statusCode"] == _status("in-force") and not r.get("pendingOf")
                and r["endorsementNo"] not in asking]
    if not in_force:
        return [], None
    if change == "reduce":
        target = in_force[0]
        granted = int(target["creditLimitGranted"].replace(",", ""))
        half = max(granted // 2, 1)
        return [{"type": "reduce", "contractNo": CONTRACT_NO, "endorsementNo": target["endorsementNo"],
                 "amount": f"{half // 100},{half % 100:02d}"}], None
    return [{"type": "cancel", "contractNo": CONTRACT_NO, "endorsementNo": in_force[-1]["endorsementNo"]}], None


def contract_records(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Every record of the scenario's contract in a /_emulator/state answer."""
    for contract in state.get("contracts", []):
        if contract["contractNo"] == CONTRACT_NO:
            return contract["debtors"]
    return []


def baseline(state: dict[str, Any]) -> list[dict[str, Any]]:
    """What a movements client holds before its first run: the firm portfolio as it stood
    before the last 48 hours. A record that changed since then is either unknown to the client
    (odd endorsementNo) or known in an older version, EN TRÁMITE with nothing granted (even
    endorsementNo), so a client must both add and replace."""
    now = parse_instant(state["now"])
    known = []
    for record in contract_records(state):
        if record.get("pendingOf"):
            continue
        public = {k: v for k, v in record.items() if k not in ("pendingOf", "resolveAt", "changedAt")}
        if not in_window(record, now):
            known.append(public)
        elif int(record["endorsementNo"]) % 2 == 0:
            known.append({**public, "statusCode": _status("pending"), "creditLimitGranted": "0,00",
                          "classificationDecisionCode": _model().code("decisions", "pending-committee")})
    return known


def in_window(record: dict[str, Any], now: datetime) -> bool:
    """Whether a record is among the movements at ``now``: a firm change in the last 48 hours."""
    changed = record.get("changedAt")
    if not changed or record.get("pendingOf"):
        return False
    return now - MOVEMENTS_WINDOW < parse_instant(changed) <= now


@cache
def _model() -> SandboxModel:
    return SandboxModel()


def _status(key: str) -> str:
    """A statusCode of the bundled Sandbox Model, by its key ("in-force" -> "2")."""
    return status(_model(), key)
