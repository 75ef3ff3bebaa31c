"""Strategies for the claims area's requests: non-payment declarations and the dossierNo of
their path, document uploads (multipart/form-data), the queries of the claims lists and reads,
and declarations that break one rule of Cesce's claims."""

from __future__ import annotations

from dataclasses import dataclass, replace
from io import BytesIO

from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from contract_tests.strategies.common import (
    MAX_AMOUNT,
    InvalidRequest,
    _hundredths,
    _model,
    _or,
    amounts,
    clients,
    endorsement_numbers,
    language_codes,
)
from contract_tests.strategies.sales import sale_identifications
from emulator.claims.records import DOCUMENT_STATUSES, DOSSIER_STATUSES
from emulator.wire import format_amount

#: The rules of Cesce's claims ``invalid_declarations`` breaks, besides the document's
#: (``DECLARATION_FORM_RULES``).
CLAIM_RULES = ("not-rated", "not-due", "collected", "above-unpaid", "not-positive", "unknown-sale", "no-sale-named",
               "unknown-dossier", "blank")
#: The rules of the document a declaration can break (as ``invalid_requests`` breaks them).
DECLARATION_FORM_RULES = ("too-long", "amount-format", "date-format", "missing", "unknown-field")
#: What ``document_uploads`` sends: content types the document names for the file part, each
#: with a file name extension and the bytes its files start with.
FILE_KINDS = (("application/pdf", "pdf", b"%PDF-1.4\n"), ("image/jpeg", "jpg", b"\xff\xd8\xff\xe0"),
              ("image/png", "png", b"\x89PNG\r\n\x1a\n"), ("application/octet-stream", "bin", b""))
#: Numbers from here up name no sale and no dossier of a world that has not handed out that many.
_UNKNOWN_SALES, _UNKNOWN_DOSSIERS = 900_000_000_000, 900_000_000


# -- valid requests -----------------------------------------------------------------------


def dossier_numbers(dossiers: st.SearchStrategy[dict] | None = None, zero: bool = True) -> st.SearchStrategy[str]:
    """dossierNo path values. With ``zero``, "0" too: a declaration's "no dossier known yet" (the
    emulator finds the debtor's open dossier or opens one; a read of one dossier finds no
    dossier 0, so reads want ``zero`` False). With ``dossiers``, a strategy of dossier records (GET dossiers, or a
    declaration's answer's ``client``), the numbers are theirs; otherwise "1" to "999999999"."""
    if dossiers is None:
        numbers = st.integers(1, 999_999_999).map(str)
    else:
        numbers = dossiers.map(lambda record: record["dossierNo"])
    return (st.just("0") | numbers) if zero else numbers


def non_payment_declarations(sales: st.SearchStrategy[dict] | None = None,
                             max_unpaid: int = MAX_AMOUNT) -> st.SearchStrategy[dict]:
    """Bodies of POST non-payments (declareNonPayment, sent with dossierNo "0" or the debtor's
    open dossier in the path): maybe the client block, and the nonPayment: the sale, by
    saleCesceReferenceNo or by invoiceNo and maturityDate (as ``sale_identifications`` names
    it), and the unpaidAmount.

    ``sales``: sale records as GET sales or GET sale give them, each one Cesce takes a
    declaration on (rated, certified or securitised, matured before the tenant's today, not
    fully collected; invoiceNo and maturityDate naming it alone). The sale is one of them and
    the amount from 0,01 to what is still owed on it (currencyAmount less collectedAmount), so
    the emulator takes the declaration as long as the non-payments declared on the sale before
    leave that much. Without ``sales``, any sale and any amount from 0,01 to ``max_unpaid``
    hundredths: well formed, and refused unless the sale exists and owes it."""
    if sales is None:
        return st.builds(_declaration, clients(), sale_identifications(), amounts(1, max_unpaid))

    def body(client: dict, sale: dict, by_reference: bool, share: int) -> dict:
        return _declaration(client, _named(sale, by_reference), _share(min(_owed(sale), max_unpaid), share))

    return st.builds(body, clients(), sales, st.booleans(), st.integers(1, 100))


@dataclass(frozen=True)
class DocumentUpload:
    """A POST documents request (contributeDocument), multipart/form-data: the text field
    ``documentNo`` and the file part ``file`` (its name and Content-Type are what the emulator
    keeps of it, with its size and SHA-256), sent to the dossier of the path (``dossier_no``)."""

    dossier_no: str
    document_no: str
    file_name: str
    content_type: str
    data: bytes

    @property
    def form(self) -> dict[str, str]:
        """The text fields, as ``data=`` of requests or httpx takes them."""
        return {"documentNo": self.document_no}

    @property
    def files(self) -> dict[str, tuple[str, bytes, str]]:
        """The file part, as ``files=`` of requests or httpx takes it."""
        return {"file": (self.file_name, self.data, self.content_type)}

    def encoded(self) -> tuple[bytes, str]:
        """The whole body and its Content-Type header, for any HTTP client."""
        boundary, body = encode_multipart({
            **self.form, "file": FileStorage(BytesIO(self.data), filename=self.file_name, content_type=self.content_type)})
        return body, f"multipart/form-data; boundary={boundary}"


def document_uploads(documents: st.SearchStrategy[dict] | None = None, max_size: int = 4096,
                     ) -> st.SearchStrategy[DocumentUpload]:
    """``DocumentUpload``s: a document of a dossier and a file for it, a PDF, JPEG, PNG or other
    file (``FILE_KINDS``) of 1 to ``max_size`` bytes under a plain ASCII name with the kind's
    extension. ``documents``: document records as GET documents gives them, each one the
    dossier awaits (statusCode 1 requested, 2 chased or 5 rejected): the upload answers one of
    them, in its dossier, and the emulator takes it (201, received). Without, any documentNo
    and dossierNo: well formed, and refused unless the dossier awaits that document."""
    if documents is None:
        numbers = st.tuples(dossier_numbers(zero=False), st.integers(1, 999_999_999).map(str))
    else:
        numbers = documents.map(lambda record: (record["dossierNo"], record["documentNo"]))
    names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", fullmatch=True)
    body = st.binary(min_size=1, max_size=max_size)

    def upload(ids: tuple[str, str], kind: tuple[str, str, bytes], name: str, data: bytes) -> DocumentUpload:
        content_type, extension, start = kind
        return DocumentUpload(ids[0], ids[1], f"{name}.{extension}", content_type, (start + data)[:max_size])

    return st.builds(upload, numbers, st.sampled_from(FILE_KINDS), names, body)


def dossier_list_queries(known: st.SearchStrategy[dict] | None = None,
                         initial_values: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict]:
    """Query parameters of GET dossiers: any combination of a debtor's endorsementNo (of
    ``known``'s records, debtors or dossiers, when given), a statusCode of the dossier statuses
    table (mocks/codes/claim-dossier-statuses.yaml) and languageCode, and maybe the
    initialValue a previous page gave ("" or absent for the first)."""
    debtor = endorsement_numbers() if known is None else known.map(lambda record: record["endorsementNo"])
    return st.fixed_dictionaries({}, optional={
        "languageCode": language_codes(), "endorsementNo": debtor, "statusCode": _codes(DOSSIER_STATUSES),
        "initialValue": _or(initial_values, _initial_values())})


def settlement_list_queries(dossiers: st.SearchStrategy[dict] | None = None,
                            initial_values: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict]:
    """Query parameters of GET settlements: maybe a dossierNo (of ``dossiers``'s records when
    given), languageCode and the initialValue a previous page gave."""
    return st.fixed_dictionaries({}, optional={
        "languageCode": language_codes(), "dossierNo": dossier_numbers(dossiers, zero=False),
        "initialValue": _or(initial_values, _initial_values())})


def document_list_queries(dossiers: st.SearchStrategy[dict] | None = None,
                          initial_values: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict]:
    """Query parameters of GET documents: any combination of a dossierNo (of ``dossiers``'s
    records when given), a statusCode of the document statuses table
    (mocks/codes/claim-document-statuses.yaml) and languageCode, and maybe the initialValue a
    previous page gave."""
    return st.fixed_dictionaries({}, optional={
        "languageCode": language_codes(), "dossierNo": dossier_numbers(dossiers, zero=False),
        "statusCode": _codes(DOCUMENT_STATUSES), "initialValue": _or(initial_values, _initial_values())})


def language_queries() -> st.SearchStrategy[dict]:
    """Query parameters of a claims read of one record or of one dossier's list (GET dossier,
    non-payments, settlement, unpaid-settlements, recoveries, processing-steps,
    recovery-procedures, dates-pending-settlements): maybe languageCode."""
    return st.fixed_dictionaries({}, optional={"languageCode": language_codes()})


# -- invalid requests ---------------------------------------------------------------------


def invalid_declarations(rule: str | None = None, *, claimable: st.SearchStrategy[dict] | None = None,
                         not_rated: st.SearchStrategy[dict] | None = None,
                         not_due: st.SearchStrategy[dict] | None = None,
                         collected: st.SearchStrategy[dict] | None = None) -> st.SearchStrategy[InvalidRequest]:
    """Non-payment declarations that break one rule (any of ``CLAIM_RULES`` and
    ``DECLARATION_FORM_RULES`` when ``rule`` is None, of those the sales given allow), each an
    ``InvalidRequest`` for declareNonPayment with the dossierNo of its path in ``params``, which
    the emulator refuses with 400 and ``error`` (the form rules, in strict mode as Cesce does):

    - "not-rated": on a sale of ``not_rated`` (pending, rejected, extended, cancelled, a credit
      note): sale_not_claimable, naming the sale;
    - "not-due": on a sale of ``not_due`` (rated, maturing today or later): sale_not_due;
    - "collected": on a sale of ``collected`` (rated and collected in full): sale_collected;
    - "above-unpaid": on a sale of ``claimable`` (as ``non_payment_declarations`` takes them),
      more than is still owed on it: unpaid_too_high;
    - "not-positive": on a sale of ``claimable``, an amount of 0,00 or less: unpaid_not_positive;
    - "unknown-dossier": on a sale of ``claimable``, to a dossierNo from 900000000 up, which a
      world of fewer dossiers does not have: no_dossier;
    - "unknown-sale": a saleCesceReferenceNo from 900000000000 up, beyond those a world of
      fewer sales handed out: no_sale;
    - "no-sale-named": neither saleCesceReferenceNo nor invoiceNo: missing_sale_identifier;
    - "blank": a blank saleCesceReferenceNo, invoiceNo, maturityDate or unpaidAmount: invalid_format;
    - the document's rules, as ``invalid_requests("declareNonPayment", rule)`` draws them: an
      invoiceNo over 30 characters, a malformed unpaidAmount or maturityDate, nonPayment or
      unpaidAmount left out, a field the operation does not have.

    Non-payments declared on a sale before do not change the answer: they only leave less
    unpaid, further below what "above-unpaid" asks for."""
    given = {"not-rated": not_rated, "not-due": not_due, "collected": collected, "above-unpaid": claimable,
             "not-positive": claimable, "unknown-dossier": claimable}
    every = CLAIM_RULES + DECLARATION_FORM_RULES
    if rule is not None and rule not in every:
        raise ValueError(f"unknown rule {rule!r}; rules: {', '.join(every)}")
    if rule is not None and rule in given and given[rule] is None:
        raise ValueError(f"the rule {rule!r} declares on a sale: give the sales it may name")
    rules = [r for r in every if rule in (None, r) and (r not in given or given[r] is not None)]
    return st.sampled_from(rules).flatmap(lambda chosen: _breaking_declaration(chosen, given.get(chosen)))


# -- inside the strategies ----------------------------------------------------------------


_SALE_ERRORS = {"not-rated": "sale_not_claimable", "not-due": "sale_not_due", "collected": "sale_collected"}
_BLANKABLE = ("saleCesceReferenceNo", "invoiceNo", "maturityDate", "unpaidAmount")


def _breaking_declaration(rule: str, sales: st.SearchStrategy[dict] | None) -> st.SearchStrategy[InvalidRequest]:
    def invalid(body: dict, field: str, error: str, dossier_no: str = "0") -> InvalidRequest:
        return InvalidRequest(body, rule, field, 400, error, "declareNonPayment", params={"dossierNo": dossier_no})

    if rule in _SALE_ERRORS:
        return st.builds(lambda client, sale, by_reference, amount: invalid(
            _declaration(client, _named(sale, by_reference), amount), "nonPayment", _SALE_ERRORS[rule]),
            clients(), sales, st.booleans(), amounts(1, 10**9))
    if rule == "above-unpaid":
        return st.builds(lambda client, sale, by_reference, more: invalid(
            _declaration(client, _named(sale, by_reference), format_amount(min(_owed(sale) + more, MAX_AMOUNT))),
            "nonPayment.unpaidAmount", "unpaid_too_high"), clients(), sales, st.booleans(), st.integers(1, 10**8))
    if rule == "not-positive":
        return st.builds(lambda client, sale, by_reference, amount: invalid(
            _declaration(client, _named(sale, by_reference), amount), "nonPayment.unpaidAmount", "unpaid_not_positive"),
            clients(), sales, st.booleans(), amounts(-10**9, 0))
    if rule == "unknown-dossier":
        return st.builds(lambda body, number: invalid(body, "dossierNo", "no_dossier", str(number)),
                         non_payment_declarations(sales), st.integers(_UNKNOWN_DOSSIERS, 999_999_999))
    if rule == "unknown-sale":
        return st.builds(lambda client, number, amount: invalid(
            _declaration(client, {"saleCesceReferenceNo": str(number)}, amount), "nonPayment.saleCesceReferenceNo",
            "no_sale"), clients(), st.integers(_UNKNOWN_SALES, 10**12 - 1), amounts(1, 10**9))
    if rule == "no-sale-named":
        return st.builds(lambda client, amount: invalid(_declaration(client, {}, amount), "nonPayment.saleCesceReferenceNo",
                                                        "missing_sale_identifier"), clients(), amounts(1, 10**9))
    if rule == "blank":
        return st.builds(lambda body, name, value: invalid(
            {**body, "nonPayment": {**body["nonPayment"], name: value}}, f"nonPayment.{name}", "invalid_format"),
            non_payment_declarations(), st.sampled_from(_BLANKABLE), st.sampled_from((" ", "  ", "\t")))
    from contract_tests.strategies.operations import invalid_requests  # it dispatches to this module

    return invalid_requests("declareNonPayment", rule).map(
        lambda drawn: replace(drawn, operation_id="declareNonPayment", params={"dossierNo": "0"}))


def _declaration(client: dict, sale: dict, amount: str) -> dict:
    return {**({"client": client} if client else {}), "nonPayment": {**sale, "unpaidAmount": amount}}


def _named(sale: dict, by_reference: bool) -> dict[str, str]:
    if by_reference:
        return {"saleCesceReferenceNo": sale["saleCesceReferenceNo"]}
    return {"invoiceNo": sale["invoiceNo"], "maturityDate": sale["maturityDate"]}


def _owed(sale: dict) -> int:
    return _hundredths(sale["currencyAmount"]) - _hundredths(sale.get("collectedAmount") or "0,00")


def _share(owed: int, share: int) -> str:
    return format_amount(max(1, owed * share // 100))


def _codes(table: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted({entry["code"] for entry in _model().codes[table].values()}, key=lambda c: (len(c), c)))


def _initial_values() -> st.SearchStrategy[str]:
    return st.just("") | st.integers(1, 999_999_999).map(str)
