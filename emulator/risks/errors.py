"""The risk area's business errors (texts in mocks/codes/errors.yaml, under each key)."""

from __future__ import annotations

from emulator.errors import BusinessError, NotFoundError


class NoLimit(NotFoundError):
    key = "no_limit"


class MissingIdentifier(BusinessError):
    key = "missing_identifier"


class CustomerReferenceFixed(BusinessError):
    key = "customer_reference_fixed"


class RequestPending(BusinessError):
    key = "request_pending"


class NotPpcPolicy(BusinessError):
    key = "not_ppc_policy"


class LimitNotInForce(BusinessError):
    key = "limit_not_in_force"


class NoPremiumPending(BusinessError):
    key = "no_premium_pending"


class ContractFull(BusinessError):
    key = "contract_full"
