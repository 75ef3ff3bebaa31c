"""Broken copies of the reference client, each one change away from it, each a bug real Cesce
clients have. Run one as ``python broken_clients.py BUG`` (with the CESCE_* variables, like the
reference client), or call ``sync(config, BUG)`` from Python.

- first-page: reads the first page of a list and stops.
- float-paging: reads nextEndorsementNo as a number. A client that types its fields, or lets
  a JSON or dataframe reader infer them, holds "501" as the float 501.0 and renders it back
  as "501.0" on the next request; Cesce's nextEndorsementNo is a string of digits, so the
  second page is refused (400). (An integer reader would send "501" back and work, which is
  why the faithful rendering of the bug is the float.)
- token-per-call: asks for a new token (password grant) before every call.
- never-renews: keeps its first token for good; when Cesce refuses it as expired it tries
  again with the same one, then gives up.
- keeps-pending: keys the portfolio by debtor, the last record winning, so a debtor's pending
  300xxx request (listed after its firm record) becomes its limit.
- retries-at-once: retries a 429/503 immediately, ignoring Retry-After.
- loops: compares nextEndorsementNo with the number 0, which the string "0" never equals, so
  after the last page it asks for page "0" (the first page) again, for ever.

And the six an earlier kit missed:

- float-amounts: keeps amounts as cents, converted through a binary float and truncated:
  "1234567,89" becomes 123456788 (1234567.89 * 100 is 123456788.99999999), a cent short.
- error-as-last-page: checks the HTTP status but not the body's errorCode, so a 200 whose
  error block says "9000" is read as a page without records or a next page: the end.
- first-refresh-token: keeps the refresh token of its first token answer and renews with it
  for good; Cesce rotates it on every refresh, so the second renewal is refused.
- millisecond-expiry: reads expires_in (3600 seconds) as milliseconds: its token "expires"
  after 3.6 s, and it renews every few seconds.
- retries-refused-refresh: retries the refresh_token grant until it works; a refused (400,
  invalid_grant) refresh token never does, so it asks for ever.
- stops-on-short-page: takes a page of fewer than 500 records for the last one; Cesce sends
  "up to 500", so a short page that is not the last ends its read early.

And the sales tasks' (first-page, token-per-call and the others above break them too):

- both-identifiers: names each sale's debtor by endorsementNo and customerReference, as the
  ERP holds both; Cesce refuses the sale.
- erp-formats: sends the ERP's dates and amounts as they are ("2026-01-10", "1234.56").
- float-cents: converts amounts through a binary float, truncated: "1234567.89" is declared
  as "1234567,88".
- duplicate-is-fatal: ends the run in error on Cesce's duplicate answer, so an invoice declared
  before (or by a declaration whose answer was lost) keeps it from ever finishing.
- retries-duplicate: takes the duplicate answer for a passing failure and declares again, for
  ever.
- duplicate-as-rejection: records a duplicate answer as the invoice's rejection, with no
  reference.
- skips-rejections: writes back only the sales Cesce rated, as if a rejection were no outcome.
- all-sales: reads the whole sales list instead of the movements of the last 48 hours.
- replaces-sales: writes the movements alone, dropping the sales it had.

And claims-follow's:

- dossier-zero: declares every non-payment with dossierNo 0, never the dossier Cesce answered
  for the debtor's first one (the emulator finds the open dossier; Cesce's rule is its number).
- other-debtors-dossier: keeps one dossierNo for every debtor, the last one answered, so a
  second debtor's non-payment is sent to the first debtor's dossier.
- hammers: polls without a pause.
- fixed-pace: polls every 0.15 s, above the kit's floor, however long the answer stays the same:
  it never backs off.
- uploads-every-document: uploads every document GET documents lists for the dossier, those
  received or validated already included.
- believes-in-progress: takes a settlement in progress for one paid: it stops polling once the
  dossier is being settled and believes the settlement's amounts and date.
- comma-thousands: reads Cesce's decimal comma as a thousands separator: "1234,56" is 123456.
"""

from __future__ import annotations

import sys
from typing import Any

from contract_tests.examples.reference_client import (
    BY_SALE,
    CLAIMS,
    DOCUMENTS,
    DUPLICATE,
    SALES,
    SETTLED,
    SETTLEMENTS,
    CesceClient,
    CesceError,
    debtor,
    main,
)
from contract_tests.examples.reference_client import sync as reference_sync

AMOUNTS = ("creditLimitRequested", "creditLimitGranted")


class FirstPage(CesceClient):
    def next_page(self, page: dict[str, Any]) -> str | None:
        return None


class FloatPaging(CesceClient):
    def next_page(self, page: dict[str, Any]) -> str | None:
        following = float(page["client"]["nextEndorsementNo"])
        return None if following == 0 else str(following)


class TokenPerCall(CesceClient):
    def token(self) -> str:
        self.refresh_token = None
        self.renew()
        return self.access_token


class NeverRenews(CesceClient):
    def renew(self) -> None:
        if self.access_token is None:
            super().renew()


class KeepsPending(CesceClient):
    def current_records(self, portfolio: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return list({debtor(record): record for record in portfolio}.values())


class RetriesAtOnce(CesceClient):
    def pause(self, attempt: int, retry_after: str | None) -> float:
        return 0.0


class Loops(CesceClient):
    def next_page(self, page: dict[str, Any]) -> str | None:
        following = page["client"]["nextEndorsementNo"]
        return None if following == 0 else following


class FloatAmounts(CesceClient):
    def record(self, raw: dict[str, Any]) -> dict[str, Any]:
        record = dict(raw)
        for name in AMOUNTS:
            cents = int(float(raw[name].replace(",", ".")) * 100)
            record[name] = f"{cents // 100},{cents % 100:02d}"
        return record


class ErrorAsLastPage(CesceClient):
    def check(self, path: str, status: int, body: Any, expected: int = 200, method: str = "GET") -> None:
        if status != expected:
            raise CesceError(f"{method} {path} answered {status}: {body}")


class FirstRefreshToken(CesceClient):
    def keep(self, body: dict[str, Any]) -> None:
        first = self.refresh_token
        super().keep(body)
        self.refresh_token = first or self.refresh_token


class MillisecondExpiry(CesceClient):
    def lifetime(self, body: dict[str, Any]) -> float:
        return float(body["expires_in"]) / 1000


class RetriesRefusedRefresh(CesceClient):
    def renew(self) -> None:
        while self.refresh_token:
            status, body = self.token_request({"grant_type": "refresh_token", "refresh_token": self.refresh_token})
            if status == 200:
                return self.keep(body)
        super().renew()


class StopsOnShortPage(CesceClient):
    def next_page(self, page: dict[str, Any]) -> str | None:
        return super().next_page(page) if len(page.get(self.listing.entity) or []) >= 500 else None


class BothIdentifiers(CesceClient):
    def sale(self, invoice: dict[str, Any]) -> dict[str, Any]:
        return {**super().sale(invoice), "customerReference": invoice["customerReference"]}


class ErpFormats(CesceClient):
    def sale(self, invoice: dict[str, Any]) -> dict[str, Any]:
        return {**super().sale(invoice), "invoiceDate": invoice["invoiceDate"],
                "maturityDate": invoice["maturityDate"], "currencyAmount": invoice["amount"]}


class FloatCents(CesceClient):
    def amount(self, text: str) -> str:
        cents = int(float(text) * 100)
        return f"{cents // 100},{cents % 100:02d}"


class DuplicateIsFatal(CesceClient):
    def declare(self, invoice: dict[str, Any]) -> dict[str, Any]:
        answer = self.post(SALES.format(contract=self.config.contract_no), {"sale": self.sale(invoice)})
        return self.outcome(invoice, answer["sale"])


class RetriesDuplicate(CesceClient):
    def declare(self, invoice: dict[str, Any]) -> dict[str, Any]:
        while True:
            try:
                answer = self.post(SALES.format(contract=self.config.contract_no), {"sale": self.sale(invoice)})
            except CesceError as error:
                if error.code != DUPLICATE:
                    raise
                continue
            return self.outcome(invoice, answer["sale"])


class DuplicateAsRejection(CesceClient):
    def declare(self, invoice: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = self.post(SALES.format(contract=self.config.contract_no), {"sale": self.sale(invoice)})
        except CesceError as error:
            if error.code != DUPLICATE:
                raise
            return {"invoiceNo": invoice["invoiceNo"], "saleCesceReferenceNo": None, "statusCode": "9",
                    "reasonStatusCode": DUPLICATE}
        return self.outcome(invoice, answer["sale"])


class SkipsRejections(CesceClient):
    def declare_sales(self, invoices: list[dict[str, Any]], known: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [record for record in super().declare_sales(invoices, known) if record["statusCode"] != "9"]


class AllSales(CesceClient):
    def sales_sync(self, known: list[dict[str, Any]]) -> list[dict[str, Any]]:
        every = self.pages(SALES.format(contract=self.config.contract_no), BY_SALE)
        return self.merge(known, every, "saleCesceReferenceNo")


class DossierZero(CesceClient):
    def declare_non_payment(self, non_payment: dict[str, Any], dossier_no: str) -> str:
        return super().declare_non_payment(non_payment, "0")


class OtherDebtorsDossier(CesceClient):
    last = "0"

    def declare_non_payment(self, non_payment: dict[str, Any], dossier_no: str) -> str:
        self.last = super().declare_non_payment(non_payment, self.last)
        return self.last


class Hammers(CesceClient):
    poll_first = poll_most = 0.0


class FixedPace(CesceClient):
    poll_first = poll_most = 0.15


class UploadsEveryDocument(CesceClient):
    def upload_awaited(self, dossier_no: str) -> None:
        for document in self.pages(f"{CLAIMS.format(contract=self.config.contract_no)}/documents", DOCUMENTS,
                                   dossierNo=dossier_no):
            self.upload(dossier_no, document)


class BelievesInProgress(CesceClient):
    def settled(self, dossier: dict[str, Any]) -> bool:
        return dossier["statusCode"] in ("4", *SETTLED)

    def belief(self, dossier: dict[str, Any]) -> dict[str, Any]:
        settlements = self.pages(f"{CLAIMS.format(contract=self.config.contract_no)}/settlements", SETTLEMENTS,
                                 dossierNo=dossier["dossierNo"])
        cents = sum(self.cents(s["amtPrinIndemnified"]) + self.cents(s["amtIntIndemnified"]) for s in settlements)
        return {"dossierNo": dossier["dossierNo"], "endorsementNo": dossier["endorsementNo"],
                "indemnifiedAmount": f"{cents // 100},{cents % 100:02d}",
                "paymentDate": max((s["settlementDate"] for s in settlements), default="")}


class CommaThousands(CesceClient):
    def cents(self, text: str) -> int:
        return int(text.replace(",", "")) * 100


class ReplacesSales(CesceClient):
    def sales_sync(self, known: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return super().sales_sync([])


BUGS: dict[str, type[CesceClient]] = {
    "first-page": FirstPage,
    "float-paging": FloatPaging,
    "token-per-call": TokenPerCall,
    "never-renews": NeverRenews,
    "keeps-pending": KeepsPending,
    "retries-at-once": RetriesAtOnce,
    "loops": Loops,
    "float-amounts": FloatAmounts,
    "error-as-last-page": ErrorAsLastPage,
    "first-refresh-token": FirstRefreshToken,
    "millisecond-expiry": MillisecondExpiry,
    "retries-refused-refresh": RetriesRefusedRefresh,
    "stops-on-short-page": StopsOnShortPage,
    "both-identifiers": BothIdentifiers,
    "erp-formats": ErpFormats,
    "float-cents": FloatCents,
    "duplicate-is-fatal": DuplicateIsFatal,
    "retries-duplicate": RetriesDuplicate,
    "duplicate-as-rejection": DuplicateAsRejection,
    "skips-rejections": SkipsRejections,
    "all-sales": AllSales,
    "replaces-sales": ReplacesSales,
    "dossier-zero": DossierZero,
    "other-debtors-dossier": OtherDebtorsDossier,
    "hammers": Hammers,
    "fixed-pace": FixedPace,
    "uploads-every-document": UploadsEveryDocument,
    "believes-in-progress": BelievesInProgress,
    "comma-thousands": CommaThousands,
}


def sync(config: Any, bug: str) -> list[dict[str, Any]]:
    """The broken copy ``bug`` as a Python client function."""
    return reference_sync(config, BUGS[bug])


if __name__ == "__main__":
    sys.exit(main(sys.argv[2:], BUGS[sys.argv[1]]))
