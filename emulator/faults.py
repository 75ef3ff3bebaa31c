"""Injected faults: what the operator surface accepts (schemas/operator.yaml, ``fault``)."""

from __future__ import annotations

from emulator import resources

_FAULT = resources.load_yaml(resources.PACKAGE_DIR / "schemas" / "operator.yaml")["$defs"]["fault"]

#: The gateway statuses a fault may answer with: the transient failures a client must retry.
TRANSIENT_STATUSES: tuple[int, ...] = tuple(_FAULT["properties"]["status"]["enum"])
