"""The strategies by the OpenAPI document's operationId: the valid bodies and queries of each
operation (``request_bodies``, ``queries``), and bodies that break one rule of the document
(``invalid_requests``)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from contract_tests import document
from contract_tests.strategies.claims import (
    document_list_queries,
    document_uploads,
    dossier_list_queries,
    language_queries,
    non_payment_declarations,
    settlement_list_queries,
)
from contract_tests.strategies.common import InvalidRequest, _copy, _parent, malformed_amounts, malformed_dates
from contract_tests.strategies.risks import (
    accept_deny_premium_requests,
    activate_deactivate_requests,
    cancel_requests,
    classification_queries,
    classification_requests,
    page_queries,
    token_requests,
)
from contract_tests.strategies.sales import (
    collection_requests,
    extension_requests,
    sale_modifications,
    sale_queries,
    sale_requests,
    sales_list_queries,
    subsidiaries_queries,
)

#: The rules of the document ``invalid_requests`` breaks.
RULES = ("too-long", "blank", "amount-format", "date-format", "missing", "unknown-field")


_BODIES = {
    "token": token_requests,
    "createClassification": classification_requests,
    "cancelClassification": cancel_requests,
    "activateDeactivateClassification": activate_deactivate_requests,
    "acceptDenyPremium": accept_deny_premium_requests,
    "createSale": sale_requests,
    "modifySale": sale_modifications,
    "createExtension": extension_requests,
    "createCollection": collection_requests,
    "declareNonPayment": non_payment_declarations,
    "contributeDocument": document_uploads,
}
_QUERIES = {"getClassification": classification_queries, "getPortfolio": page_queries, "getMovements": page_queries,
            "getSale": sale_queries, "getSales": sales_list_queries, "getSubsidiaries": subsidiaries_queries,
            "getDossiers": dossier_list_queries, "getSettlements": settlement_list_queries,
            "getDocuments": document_list_queries,
            **dict.fromkeys(("getDossier", "getNonPayments", "getNonPayment", "getSettlement", "getUnpaidSettlements",
                             "getRecoveries", "getProcessingSteps", "getRecoveryProcedures", "getDatesPendingSettlement"),
                            language_queries)}


def request_bodies(operation_id: str) -> st.SearchStrategy[dict]:
    """The valid bodies of an operation, by the OpenAPI document's operationId
    ("createClassification", "cancelClassification", "token", ...): dicts, JSON bodies or
    (token) form fields; for contributeDocument, ``DocumentUpload``s (multipart/form-data)."""
    if operation_id not in _BODIES:
        raise ValueError(f"{operation_id} takes no body; operations with one: {', '.join(_BODIES)}")
    return _BODIES[operation_id]()


def queries(operation_id: str) -> st.SearchStrategy[dict]:
    """The valid query parameters of a GET operation, by operationId ("getPortfolio", ...)."""
    if operation_id not in _QUERIES:
        raise ValueError(f"{operation_id} takes no query; operations with one: {', '.join(_QUERIES)}")
    return _QUERIES[operation_id]()


_RULE_ERRORS = {"too-long": "field_too_long", "amount-format": "invalid_format", "date-format": "invalid_format",
                "missing": "missing_field", "unknown-field": "unknown_field", "blank": "blank_value"}


def invalid_requests(operation_id: str = "createClassification", rule: str | None = None) -> st.SearchStrategy[InvalidRequest]:
    """Bodies of a business operation that break one rule (any of ``RULES`` when ``rule`` is
    None), each an ``InvalidRequest``:

    - "too-long": a field one or more characters over its maximum length;
    - "blank": a field Cesce answers blank with a server error (nonPaymentInd: " " -> 500);
    - "amount-format": an amount field in another format (``malformed_amounts``);
    - "date-format": a date field in another format (``malformed_dates``; a day that does not
      exist, such as 20260230, is the error nonexistent_date);
    - "missing": a required field left out (the debtor block, creditLimitRequested, activateInd...);
    - "unknown-field": a field the operation does not have.

    Each body is otherwise valid, so the error names that field. A strict emulator (and Cesce)
    answers them all as ``status`` says; the lenient emulator takes an amount it can still read
    and ignores an unknown field, noting both in the journal.
    """
    if operation_id not in _BODIES or operation_id in ("token", "contributeDocument"):
        raise ValueError(f"{operation_id} is not a business operation with a JSON body")
    rules = [r for r in RULES if rule in (None, r) and _targets(operation_id, r)]
    if rule is not None and rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}")
    if not rules:
        raise ValueError(f"{operation_id} has no field that can break the rule {rule!r}")
    return st.sampled_from(rules).flatmap(lambda chosen: _breaking(operation_id, chosen))


# -- inside the strategies ----------------------------------------------------------------


def _targets(operation_id: str, rule: str) -> list[tuple[tuple[str, ...], dict]]:
    """The fields of an operation's body that ``rule`` can break."""
    body = document.operation(operation_id).body
    fields = list(document.walk(body))
    if rule == "too-long":
        return [(path, schema) for path, schema in fields if "maxLength" in schema]
    if rule == "blank":
        return [(path, {}) for path in document.blank_statuses(operation_id)]
    if rule == "amount-format":
        amounts_ = document.fields_in_format("amount")
        return [(path, schema) for path, schema in fields if path[-1] in amounts_ and schema.get("x-cesce-format") == "amount"]
    if rule == "date-format":
        return [(path, schema) for path, schema in fields if schema.get("x-cesce-format") == "date"]
    if rule == "missing":
        required = [((name,), {}) for name in body.get("required", [])]
        return required + [((*path, name), {}) for path, schema in fields for name in schema.get("required", [])]
    if rule == "unknown-field":
        return [((), body)] + [(path, schema) for path, schema in fields if schema.get("type") == "object"]
    return []


def _breaking(operation_id: str, rule: str) -> st.SearchStrategy[InvalidRequest]:
    targets = _targets(operation_id, rule)
    status = 400
    if rule == "blank":
        status = next(iter(document.blank_statuses(operation_id).values()))

    def build(base: dict, target: tuple[tuple[str, ...], dict], value: Any) -> InvalidRequest:
        path, _ = target
        body = _copy(base)
        if rule == "missing":
            _parent(body, path).pop(path[-1], None)
            field = path
        elif rule == "unknown-field":
            field = (*path, value)
            _parent(body, field)[value] = "x"
        else:
            field = path
            _parent(body, path)[path[-1]] = value
            if path[-1] == "nonPaymentAmount" and rule != "blank":
                # An amount of unpaid debts goes with nonPaymentInd Y: with N, sending one at all
                # would break a second rule.
                _parent(body, path)["nonPaymentInd"] = "Y"
        error = _RULE_ERRORS[rule]
        if rule == "date-format" and isinstance(value, str) and re.fullmatch(target[1]["pattern"], value):
            error = "nonexistent_date"  # the form of a date, a day no calendar has
        return InvalidRequest(body, rule, ".".join(field), status, error)

    return st.sampled_from(targets).flatmap(
        lambda target: st.builds(build, request_bodies(operation_id), st.just(target), _bad_value(rule, target)))


def _bad_value(rule: str, target: tuple[tuple[str, ...], dict]) -> st.SearchStrategy[Any]:
    path, schema = target
    if rule == "too-long":
        limit = schema["maxLength"]
        filler = _filler(schema)
        return st.integers(limit + 1, limit + 20).map(lambda size: filler * size)
    if rule == "blank":
        return st.sampled_from((" ", "  ", "\t"))
    if rule == "amount-format":
        return malformed_amounts()
    if rule == "date-format":
        return malformed_dates()
    if rule == "unknown-field":
        names = {path[0] for path, _ in document.walk(schema)}
        names |= {alias for _, prop in document.walk(schema) for alias in prop.get("x-cesce-aliases", ())}
        return st.from_regex(r"[a-z][A-Za-z]{2,15}", fullmatch=True).filter(lambda name: name not in names)
    return st.none()


def _filler(schema: dict) -> str:
    """A character that fits the field's pattern, so that only the length is wrong."""
    pattern = schema.get("pattern")
    for char in ("A", "1", "a"):
        if pattern is None or re.search(pattern, char * schema["maxLength"]):
            return char
    return "A"
