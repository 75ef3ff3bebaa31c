"""Hypothesis strategies for everything a Cesce client sends and everything a test sets up.

- Wire values: ``amounts``, ``dates``, ``contract_numbers``, ``country_codes``, ``tax_codes``,
  ``customer_references``, ``endorsement_numbers``, ``language_codes``.
- Requests the API accepts, one strategy per body and query: ``token_requests``,
  ``classification_requests`` (``new_debtor_classifications``, ``known_debtor_classifications``),
  ``cancel_requests``, ``activate_deactivate_requests``, ``accept_deny_premium_requests``,
  ``classification_queries``, ``page_queries``; ``request_bodies(operation_id)`` and
  ``queries(operation_id)`` find them by the OpenAPI document's operationId.
- Sales requests: ``sale_requests``, ``sale_modifications``, ``sale_queries``,
  ``sales_list_queries``, ``extension_requests``, ``collection_requests``,
  ``subsidiaries_queries``; their values ``invoice_numbers``, ``sale_references``,
  ``invoice_months`` and ``sale_identifications``.
- Claims requests: ``non_payment_declarations`` (on sales a user declared, with ``sales``),
  ``dossier_numbers`` (dossierNo path values, "0" for none yet), ``document_uploads`` (a
  ``DocumentUpload``: the multipart form of POST documents), ``dossier_list_queries``,
  ``settlement_list_queries``, ``document_list_queries`` and ``language_queries`` (the reads of
  one record or one dossier's list).
- Requests that break one rule each: ``invalid_requests(operation_id, rule)`` draws an
  ``InvalidRequest`` (the body, the rule, the field, the answer to expect) for the rules of the
  document (lengths, formats, required and unknown fields), ``invalid_sales(rule, known)`` for
  the rules of Cesce's sales (both debtor identifiers, a duplicate, a credit note without the
  Abonos supplement, a maturity changed outside the modification window),
  ``invalid_declarations(rule, ...)`` for the rules of Cesce's claims (a sale not rated, not yet
  due or collected, an amount above what is unpaid or not above zero, an unknown sale or
  dossier, no sale named, blank or malformed fields), and
  ``malformed_amounts`` and ``malformed_dates`` draw values in the wrong format.
- Worlds to seed through /_emulator/scenarios (``scenarios``, ``portfolios``, ``debtors``: the
  ``scenario`` definition of emulator/schemas/sandbox-model.yaml) and what Cesce does on its side
  (``cesce_events(contract)``: bodies of POST /_emulator/events that apply to that contract).

Formats come from emulator.wire and lengths, required fields and the fields in each format from
the OpenAPI document (contract_tests.document), so what is drawn is what the emulator reads.
Valid requests are valid in the emulator's strict mode; the dev, pre and pro catalogs accept
any of them for any contract (the sandbox catalog only for its mock data).
"""

from contract_tests.strategies.claims import (
    CLAIM_RULES,
    DECLARATION_FORM_RULES,
    FILE_KINDS,
    DocumentUpload,
    document_list_queries,
    document_uploads,
    dossier_list_queries,
    dossier_numbers,
    invalid_declarations,
    language_queries,
    non_payment_declarations,
    settlement_list_queries,
)
from contract_tests.strategies.common import (
    COUNTRIES,
    MAX_AMOUNT,
    PENDING_REQUESTS_FROM,
    InvalidRequest,
    amounts,
    clients,
    contract_numbers,
    country_codes,
    customer_references,
    dates,
    endorsement_numbers,
    language_codes,
    malformed_amounts,
    malformed_dates,
    tax_codes,
)
from contract_tests.strategies.operations import RULES, invalid_requests, queries, request_bodies
from contract_tests.strategies.risks import (
    accept_deny_premium_requests,
    activate_deactivate_requests,
    cancel_requests,
    classification_queries,
    classification_requests,
    debtor_identifications,
    known_debtor_classifications,
    new_debtor_classifications,
    page_queries,
    token_requests,
)
from contract_tests.strategies.sales import (
    SALE_RULES,
    collection_requests,
    extension_requests,
    invalid_sales,
    invoice_months,
    invoice_numbers,
    sale_identifications,
    sale_modifications,
    sale_queries,
    sale_references,
    sale_requests,
    sales_list_queries,
    subsidiaries_queries,
)
from contract_tests.strategies.worlds import cesce_events, debtors, events, portfolios, scenarios

__all__ = [
    "CLAIM_RULES", "DECLARATION_FORM_RULES", "FILE_KINDS", "DocumentUpload", "document_list_queries",
    "document_uploads", "dossier_list_queries", "dossier_numbers", "invalid_declarations", "language_queries",
    "non_payment_declarations", "settlement_list_queries",
    "COUNTRIES", "MAX_AMOUNT", "PENDING_REQUESTS_FROM", "RULES", "SALE_RULES", "InvalidRequest",
    "accept_deny_premium_requests", "activate_deactivate_requests", "amounts", "cancel_requests", "cesce_events",
    "classification_queries", "classification_requests", "clients", "collection_requests", "contract_numbers",
    "country_codes", "customer_references", "dates", "debtor_identifications", "debtors", "endorsement_numbers",
    "events", "extension_requests", "invalid_requests", "invalid_sales", "invoice_months", "invoice_numbers",
    "known_debtor_classifications", "language_codes", "malformed_amounts", "malformed_dates",
    "new_debtor_classifications", "page_queries", "portfolios", "queries", "request_bodies", "sale_identifications",
    "sale_modifications", "sale_queries", "sale_references", "sale_requests", "sales_list_queries", "scenarios",
    "subsidiaries_queries", "tax_codes", "token_requests",
]
