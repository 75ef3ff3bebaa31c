"""Business errors: one exception type per error, raised by the rules, rendered by the gateway.

An error carries a key and the values its message needs; it knows its HTTP status (this module
is the one table of statuses) but nothing else of HTTP. The errorCode and the ES/EN texts are
data, in mocks/codes/errors.yaml, under the same key.
"""

from __future__ import annotations

from typing import ClassVar


class BusinessError(Exception):
    key: ClassVar[str]
    status: ClassVar[int] = 400

    def __init__(self, **params: str) -> None:
        super().__init__(f"{self.key}: {params}")
        self.params = params


class NotFoundError(BusinessError):
    """No data answers the request. The sandbox catalog turns every one of these into its
    plain Not Found, as Cesce's sandbox does for data outside its mocks."""


# Request shape
class InvalidJson(BusinessError):
    key = "invalid_json"


class MissingField(BusinessError):
    key = "missing_field"


class FieldTooLong(BusinessError):
    key = "field_too_long"


class InvalidFormat(BusinessError):
    key = "invalid_format"


class InvalidValue(BusinessError):
    key = "invalid_value"


class UnknownField(BusinessError):
    key = "unknown_field"


class InvalidContractNo(BusinessError):
    key = "invalid_contract_no"


class BlankValue(BusinessError):
    """Cesce documents HTTP 500 for a blank nonPaymentInd: its back end fails on it."""

    key = "blank_value"
    status = 500


# Risks
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


# Sandbox
class SandboxNotFound(NotFoundError):
    key = "sandbox_not_found"
    status = 404


def all_errors() -> list[type[BusinessError]]:
    found, todo = [], [BusinessError]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if "key" in vars(sub):
                found.append(sub)
    return found
