"""Injected faults: what the operator surface accepts (schemas/operator.yaml, ``fault``)."""

from __future__ import annotations

from emulator import resources

_DEFS = resources.load_yaml(resources.PACKAGE_DIR / "schemas" / "operator.yaml")["$defs"]

#: The statuses a fault answers in the gateway's own shape (IBM's), without an errorCode.
GATEWAY_STATUSES: tuple[int, ...] = tuple(_DEFS["gatewayStatus"]["enum"])
#: The gateway statuses that ask a client to try again later (RFC 9110, 6585): a client must
#: retry them after a pause. A 500 is an error of the request's handling, which a client may
#: retry or report.
TRANSIENT_STATUSES: tuple[int, ...] = tuple(status for status in GATEWAY_STATUSES if status != 500)
