"""Business errors: one exception type per error, raised by the rules, rendered by the gateway.

An error carries a key and the values its message needs. The errors of requests in general live
here, and each area keeps its own in its package, deriving from these bases; the HTTP status
comes only from this module (each base, and ``operator_status`` for the operator surface),
never from an area. The errorCode and the ES/EN texts are data, in mocks/codes/errors.yaml,
under the same key.
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


class InvalidContentType(BusinessError):
    """Strict mode: a JSON body not sent as application/json in UTF-8."""

    key = "invalid_content_type"


class NotMultipart(BusinessError):
    """An operation that takes a file (a claims document) was not sent multipart/form-data."""

    key = "multipart_required"


class UnknownParameter(BusinessError):
    """Strict mode: a query parameter the operation does not have (API gateways pass them on,
    so a misspelt one is silently ignored: the guide's own "nextEndorsment" re-reads page 1)."""

    key = "unknown_parameter"


class WrongFieldName(BusinessError):
    """Strict mode: a field or parameter sent under a name Cesce's wire does not use, where the
    document knows the right one (``x-cesce-aliases``: the guide's salesCesceReferenceNo for
    saleCesceReferenceNo)."""

    key = "wrong_field_name"


class InvalidContractNo(BusinessError):
    key = "invalid_contract_no"


class BlankValue(BusinessError):
    """Cesce documents HTTP 500 for a blank nonPaymentInd: its back end fails on it."""

    key = "blank_value"
    status = 500


# Sandbox
class SandboxNotFound(NotFoundError):
    key = "sandbox_not_found"
    status = 404


def operator_status(error: BusinessError) -> int:
    """The status of a business error raised by an operator call (/_emulator): what it names
    does not exist (404), or it cannot be done (400)."""
    return 404 if isinstance(error, NotFoundError) else 400


def by_key(key: str) -> type[BusinessError]:
    """The error class whose key is ``key`` (KeyError if none)."""
    for error in all_errors():
        if error.key == key:
            return error
    raise KeyError(key)


def all_errors() -> list[type[BusinessError]]:
    found, todo = [], [BusinessError]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if "key" in vars(sub):
                found.append(sub)
    return found
