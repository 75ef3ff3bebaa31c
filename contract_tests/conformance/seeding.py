"""What the emulator is told for a scenario: the scenario document that seeds the tenant (the
task's contract at the scenario's clock), the tenant's settings (its page size), the faults to
inject during the first run (token expiries, Cesce's changes mid-sync, the recipe's faults),
and the events and clock moves of Cesce's changes between runs."""

from __future__ import annotations

from typing import Any

from contract_tests.conformance.scenarios import Scenario
from contract_tests.conformance.tasks import Records, changes
from emulator.auth.rules import ACCESS_LIFETIME

#: The contract every scenario seeds (not one of the Sandbox Model's contracts).
CONTRACT_NO = "40000000001"
#: How far the clock jumps to expire the access token: a minute past its lifetime.
TOKEN_JUMP = f"PT{int(ACCESS_LIFETIME.total_seconds()) + 60}S"
#: The Cesce-side event that revokes the tenant's refresh tokens (the auth area's).
REVOKE = {"type": "revoke-refresh-tokens"}


def document(scenario: Scenario) -> dict[str, Any]:
    """The emulator's scenario document (POST /_emulator/scenarios) for a recipe."""
    return {
        "description": f"{scenario.name}: {scenario.summary()}",
        "clock": {"set": scenario.start},
        "contracts": [scenario.declared.seed(scenario)],
    }


def settings(scenario: Scenario) -> dict[str, Any]:
    """The tenant's settings (POST /_emulator/settings): the scenario's page size, always given,
    so that the emulator's own --page-size does not matter."""
    return {"pageSize": scenario.size, "emptyPageAfterFull": scenario.empty_page_after_full}


def faults(scenario: Scenario, records: Records) -> list[dict[str, Any]]:
    """The fault bodies (POST /_emulator/faults) for the first run, in the order to post them,
    worked out from the task's records as seeded. The emulator applies the oldest matching
    fault first, each after letting its ``skip`` matching requests through, so each token
    expiry lets the request after the last one through (the client's retry with a new token),
    then jumps the clock at the next page."""
    bodies: list[dict[str, Any]] = []
    for number in range(scenario.token_expiries):
        body: dict[str, Any] = {"operation": scenario.operation, "advanceClock": TOKEN_JUMP, "skip": 1, "times": 1}
        if number == 0 and scenario.revoke_refresh:
            body["events"] = [REVOKE]
        bodies.append(body)
    if scenario.during:
        events, advance = plan(scenario, scenario.during, records)
        if events or advance:
            body = {"operation": scenario.operation, "skip": 1, "times": 1}
            body.update({"events": events} if events else {})
            body.update({"advanceClock": advance} if advance else {})
            bodies.append(body)
    for fault in scenario.faults:
        body = {"operation": scenario.operation if fault.operation == "list" else "token", "times": fault.times,
                "skip": fault.skip}
        if fault.status is not None:
            body["status"] = fault.status
        if fault.error_code is not None:
            body["errorCode"] = fault.error_code
        if fault.retry_after is not None:
            body["retryAfter"] = fault.retry_after
        if fault.latency_ms:
            body["latencyMs"] = fault.latency_ms
        if fault.drop:
            body["dropConnection"] = True
        bodies.append(body)
    return bodies


def plan(scenario: Scenario, names: tuple[str, ...], records: Records) -> tuple[list[dict[str, Any]], str | None]:
    """The events and the clock move of the task's changes ``names``, from its records."""
    known = changes(scenario.declared)
    events: list[dict[str, Any]] = []
    advance = None
    for name in names:
        more, moved = known[name].plan(records)
        events += more
        advance = moved or advance
    return events, advance


def contract_records(scenario: Scenario, state: dict[str, Any]) -> Records:
    """The task's records of the scenario's contract in a /_emulator/state answer."""
    for contract in state.get("contracts", []):
        if contract["contractNo"] == CONTRACT_NO:
            return scenario.declared.records(contract)
    return []
