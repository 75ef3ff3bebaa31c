"""The OAuth product, as an area: the token endpoint, and the guard of every other operation."""

from __future__ import annotations

from pathlib import Path

from emulator.areas import Area, Event, SnapshotPart
from emulator.auth import api, rules, snapshot
from emulator.world import World


def _revoke(world: World, event: dict) -> list[dict]:
    return [{"tenant": world.tenant, "refreshTokensRevoked": rules.revoke_refresh_tokens(world.tx, world.tenant)}]


AREA = Area(
    name="auth",
    document=Path(__file__).with_name("openapi.yaml"),
    operations=api.operations,
    guard=api.guard,
    summary=api.summary,
    events={"revoke-refresh-tokens": Event({"type": "object", "additionalProperties": False}, _revoke,
                                           "revoke the tenant's refresh tokens: its next refresh grant is refused"
                                           " (invalid_grant) and it must use the password grant")},
    snapshot=SnapshotPart(tenant_keys=("tokens",), tenant=snapshot.view, restore_tenant=snapshot.restore),
)
