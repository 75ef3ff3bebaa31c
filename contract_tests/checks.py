"""Cesce's wire format as schemathesis checks, one rule each.

Importing this module registers every check with schemathesis, so ``cesce-contract
check-server``, ``schemathesis run`` (with this module as a hooks module) and pytest tests built
on ``schema.parametrize()`` all apply them. A check's name is what a report shows when the rule
is broken, so each reads as the finding: "amounts_use_decimal_comma" failed means an amount did
not use a decimal comma.

The rules come from what Cesce's real API does (PUBLIC-FACTS §2.0): every value of a business
answer is a JSON string, amounts are "1234,56", dates "yyyyMMdd" or "0", every answer carries the
``error`` and ``client`` blocks, list pages chain by their cursor until the last-page mark (the
operation's ``x-cesce-paging``: nextEndorsementNo until "0" for the risk lists). Which fields
are amounts and dates is read from the OpenAPI document (``x-cesce-format``).

A check raises AssertionError naming the offending field when its rule is broken, returns None
when it holds, and returns SKIP when the rule does not apply to a response (a gateway error has
no envelope; the token endpoint answers numbers on purpose).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import schemathesis

from contract_tests import document
from emulator import wire

#: The token endpoint's operationId: OAuth2 JSON, not Cesce's envelope.
TOKEN_OPERATION = "token"
#: The numbers of a token answer; a production client reads them into integers.
TOKEN_NUMBERS = ("expires_in", "consented_on", "refresh_token_expires_in")
#: The blocks every business answer carries; anything else at the top is the entity.
ENVELOPE_BLOCKS = ("error", "client")
#: What a check returns when its rule does not apply to a response: schemathesis then records
#: neither a pass nor a failure. A check that passes returns None.
SKIP = True


# -- the envelope -----------------------------------------------------------------------------


@schemathesis.check
def envelope_is_present(ctx, response, case) -> bool | None:
    """Every business answer, success or error, is a JSON object with Cesce's envelope: an
    ``error`` block holding ``errorCode`` and ``errorDescription`` (both strings) and a
    ``client`` block. A production client treats a missing ``error`` block as a failure even on
    HTTP 200. Gateway errors (IBM API Connect's ``httpCode`` shape) are not business answers."""
    body = _business_body(case, response)
    if body is None:
        return SKIP
    if not isinstance(body, dict):
        raise AssertionError(f"the body is a JSON {_kind(body)}, not an object with the error and client blocks")
    error = body.get("error")
    if not isinstance(error, dict):
        raise AssertionError("no `error` block: Cesce's answers carry {\"error\": {\"errorCode\": ..., \"errorDescription\": ...}}")
    missing = [key for key in ("errorCode", "errorDescription") if not isinstance(error.get(key), str)]
    if missing:
        raise AssertionError(f"the error block has no string {' or '.join(missing)}: {json.dumps(error)}")
    if not isinstance(body.get("client"), dict):
        raise AssertionError("no `client` block: Cesce's answers carry {\"client\": {\"contractNo\": ...}}")
    return None


@schemathesis.check
def error_code_matches_status(ctx, response, case) -> bool | None:
    """``error.errorCode`` is "0" exactly when the HTTP status is 2xx. A client reads any other
    errorCode as a failure, so a 200 with errorCode "2001", or a 400 with "0", is read wrongly."""
    body = _business_body(case, response)
    code = body.get("error", {}).get("errorCode") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
    if code is None:
        return SKIP
    success = 200 <= response.status_code < 300
    if success and code != "0":
        raise AssertionError(f"HTTP {response.status_code} with errorCode {code!r}: a success carries errorCode \"0\"")
    if not success and code == "0":
        raise AssertionError(f"HTTP {response.status_code} with errorCode \"0\": an error needs its own errorCode")
    return None


# -- the values -------------------------------------------------------------------------------


@schemathesis.check
def every_value_is_a_string(ctx, response, case) -> bool | None:
    """Every scalar of a business answer (or of a gateway error) is a JSON string: Cesce's
    movements API sends them so, and a typed client (.NET's System.Text.Json, for one) fails on a
    number. The only null allowed is a list page's entity when the page is empty."""
    body = _json(response)
    if body is None or _operation_id(case) == TOKEN_OPERATION:
        return SKIP
    wrong = [f"{where} is {json.dumps(value)}" for where, value in _scalars(body)
             if not isinstance(value, str) and not _empty_entity(body, where, value)]
    if wrong:
        raise AssertionError(_listing("values that are not strings", wrong))
    return None


@schemathesis.check
def amounts_use_decimal_comma(ctx, response, case) -> bool | None:
    """Every amount (a field the document marks ``x-cesce-format: amount``) is a string of
    hundredths with a decimal comma and no thousands separator: "25000,00", "-150,50", "0,00"."""
    body = _business_body(case, response)
    if body is None:
        return SKIP
    wrong = [f"{where} is {json.dumps(value)}" for where, value in _fields(body, document.fields_in_format("amount"))
             if not (isinstance(value, str) and wire.AMOUNT.fullmatch(value))]
    if wrong:
        raise AssertionError(_listing('amounts not in the form "1234,56"', wrong))
    return None


@schemathesis.check
def dates_are_yyyymmdd(ctx, response, case) -> bool | None:
    """Every date (a field the document marks ``x-cesce-format: date``) is a real calendar date
    written "yyyyMMdd" ("20260115"), or "0" for none."""
    body = _business_body(case, response)
    if body is None:
        return SKIP
    wrong = [f"{where} is {json.dumps(value)}" for where, value in _fields(body, document.fields_in_format("date"))
             if not _is_date(value)]
    if wrong:
        raise AssertionError(_listing('dates not in the form "yyyyMMdd" (or "0")', wrong))
    return None


# -- list pages -------------------------------------------------------------------------------


@schemathesis.check
def empty_page_is_null(ctx, response, case) -> bool | None:
    """A portfolio or movements page with no records has ``debtor: null``, as Cesce's API
    answers it, never an empty list."""
    body = _page(case, response)
    if body is None:
        return SKIP
    empty = [key for key, value in _entities(body) if value == []]
    if empty:
        raise AssertionError(f"an empty page has {empty[0]}: []; Cesce sends {empty[0]}: null")
    return None


@schemathesis.check
def next_page_cursor_chains(ctx, response, case) -> bool | None:
    """A page's next cursor (where the operation's ``x-cesce-paging`` puts it: the risk lists'
    ``client.nextEndorsementNo``, the sales list's ``client.initialValue``) is the last-page mark
    ("0"; "" for the sales list) on the last page, and an empty page is the last. When the pages
    are ordered by a field of the records (the risk lists by endorsementNo, the sales list by
    saleCesceReferenceNo), the records come in that order, none before the page the request
    asked for, and the next cursor lies past every record of the page, so a client that follows
    the chain reads every record once and stops."""
    body = _page(case, response)
    if body is None:
        return SKIP
    paging = document.paging(_operation_id(case))
    where = ".".join(paging.next)
    following = paging.following(body)
    if following is None:
        raise AssertionError(f"no {where} in the page: it names the next page (\"{paging.last}\" on the last)")
    numeric = paging.ordered_by is not None and following != paging.last
    if not isinstance(following, str) or (numeric and not following.isdigit()):
        raise AssertionError(f"{where} is {json.dumps(following)}, not a number in a string")
    records = [record for _, records in _entities(body) if isinstance(records, list) for record in records]
    if not records and following != paging.last:
        raise AssertionError(f"an empty page names a next page ({following}); the last page has {where} \"{paging.last}\"")
    if paging.ordered_by is None:
        return None
    numbers = [_number(record, paging.ordered_by) for record in records]
    if None in numbers:
        raise AssertionError(f"a record of the page has no numeric {paging.ordered_by}")
    start = _asked_start(response, case, paging.cursor)
    if numbers != sorted(numbers):
        raise AssertionError(f"the records are not in {paging.ordered_by} order: {numbers[:10]}")
    if numbers and numbers[0] < start:
        raise AssertionError(f"the request asked for the page starting at {start}, and the page starts at {numbers[0]}")
    if numbers and following != paging.last and int(following) <= numbers[-1]:
        raise AssertionError(f"{where} {following} does not follow the page's last record ({numbers[-1]}):"
                             " the next page would repeat records")
    return None


# -- the gateway and the token endpoint ---------------------------------------------------


@schemathesis.check
def gateway_errors_name_their_status(ctx, response, case) -> bool | None:
    """An error of the API gateway has IBM API Connect's shape: ``httpCode`` (the HTTP status,
    as a string), ``httpMessage`` and ``moreInformation``."""
    body = _json(response)
    if not (isinstance(body, dict) and "httpCode" in body):
        return SKIP
    if body["httpCode"] != str(response.status_code):
        raise AssertionError(f"httpCode is {json.dumps(body['httpCode'])} on an HTTP {response.status_code} answer")
    missing = [key for key in ("httpMessage", "moreInformation") if not isinstance(body.get(key), str)]
    if missing:
        raise AssertionError(f"the gateway error has no string {' or '.join(missing)}")
    return None


@schemathesis.check
def token_times_are_numbers(ctx, response, case) -> bool | None:
    """A token answer gives ``expires_in``, ``consented_on`` and ``refresh_token_expires_in`` as
    JSON integers: unlike business answers, a production client reads them into ints."""
    body = _json(response)
    if _operation_id(case) != TOKEN_OPERATION or response.status_code != 200 or not isinstance(body, dict):
        return SKIP
    wrong = [f"{key} is {json.dumps(body.get(key))}" for key in TOKEN_NUMBERS
             if not (isinstance(body.get(key), int) and not isinstance(body.get(key), bool))]
    if wrong:
        raise AssertionError(_listing("token times that are not integers", wrong))
    return None


# -- server errors ------------------------------------------------------------------------


@schemathesis.check
def server_errors_only_on_blank_fields(ctx, response, case) -> bool | None:
    """No 5xx answer, except the one Cesce documents: a blank value in a field the document marks
    ``x-cesce-blank-status`` (a blank ``nonPaymentInd`` on a classification request is answered
    with HTTP 500). Use it in place of schemathesis's ``not_a_server_error``, which cannot know
    of that documented failure."""
    if response.status_code < 500:
        return SKIP
    blank = [".".join(path) for path, status in document.blank_statuses(_operation_id(case) or "").items()
             if status == response.status_code and _is_blank(_at(case.body, path))]
    if blank:
        return None  # Cesce's own, documented answer to a blank field
    raise AssertionError(f"HTTP {response.status_code}, a server error Cesce does not document for this request:"
                         f" {response.content[:300].decode('utf-8', 'replace')}")


# -- reading responses --------------------------------------------------------------------


def _operation_id(case) -> str | None:
    return case.operation.definition.raw.get("operationId")


def _json(response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def _business_body(case, response) -> Any:
    """The JSON body of a business answer; None for the token endpoint, gateway errors and
    bodies that are not JSON (content_type_conformance reports those)."""
    body = _json(response)
    if body is None or _operation_id(case) == TOKEN_OPERATION:
        return None
    if isinstance(body, dict) and "httpCode" in body:
        return None
    return body


def _page(case, response) -> dict | None:
    """A successful answer of a list operation (one that declares ``x-cesce-paging``)."""
    body = _business_body(case, response)
    if not (200 <= response.status_code < 300 and isinstance(body, dict)):
        return None
    if _operation_id(case) not in document.list_operations():
        return None
    return body


def _entities(body: dict) -> Iterator[tuple[str, Any]]:
    return ((key, value) for key, value in body.items() if key not in ENVELOPE_BLOCKS)


def _empty_entity(body: Any, where: str, value: Any) -> bool:
    return value is None and isinstance(body, dict) and where in body and where not in ENVELOPE_BLOCKS


def _scalars(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _scalars(value, f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _scalars(value, f"{where}[{index}]")
    else:
        yield where, node


def _fields(body: Any, names: frozenset[str]) -> Iterator[tuple[str, Any]]:
    """(path, value) of every field of ``body`` named in ``names``, at any depth."""
    for where, value in _scalars(body):
        if where.rsplit(".", 1)[-1] in names:
            yield where, value


def _is_date(value: Any) -> bool:
    try:
        wire.parse_date(value)
    except ValueError:
        return False
    return True


def _number(record: Any, field: str) -> int | None:
    value = record.get(field) if isinstance(record, dict) else None
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _asked_start(response, case, cursor: str) -> int:
    """The cursor the request sent (as sent on the wire), 0 for the first page."""
    url = getattr(response.request, "url", None) or ""
    sent = parse_qs(urlsplit(url).query).get(cursor) or [str((case.query or {}).get(cursor, ""))]
    return int(sent[0]) if sent[0].isdigit() else 0


def _at(body: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


def _listing(title: str, items: list[str], shown: int = 5) -> str:
    more = f" (and {len(items) - shown} more)" if len(items) > shown else ""
    return f"{len(items)} {title}: " + "; ".join(items[:shown]) + more
