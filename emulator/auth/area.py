"""The OAuth product, as an area: the token endpoint, and the guard of every other operation."""

from __future__ import annotations

from pathlib import Path

from emulator.areas import Area, SnapshotPart
from emulator.auth import api, snapshot

AREA = Area(
    name="auth",
    document=Path(__file__).with_name("openapi.yaml"),
    operations=api.operations,
    guard=api.guard,
    summary=api.summary,
    snapshot=SnapshotPart(tenant_keys=("tokens",), tenant=snapshot.view, restore_tenant=snapshot.restore),
)
