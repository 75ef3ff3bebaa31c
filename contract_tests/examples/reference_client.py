"""A reference Cesce client: portfolio and movements sync, sales declaration and sales sync,
following claims, standard library only.

Run it as ``python -m contract_tests.examples.reference_client [--task TASK]`` (portfolio-sync,
movements-sync, sales-declare, sales-sync or claims-follow) with the CESCE_* variables set
(CESCE_TASK when --task is not given); it writes the records it believes current to CESCE_OUTPUT as JSON. From
Python, ``sync(config)`` does the same for any object with the attributes base_url, token_url,
client_id, client_secret, username, password, contract_no, task, previous and input, and
returns the records.

What it does, and why:

- One access token (password grant) for every call, renewed shortly before it expires (a
  minute early, or a tenth of its life for a token that lives under ten minutes) by the
  refresh_token grant with the refresh token of the last token answer, falling back to the
  password grant when the refresh is refused (invalid_grant). Tokens run on Cesce's clock, not
  ours, so a 401 also renews the token once and retries the call.
- Lists are read page by page: the cursor is sent back exactly as received until it says the
  list ends (``client.nextEndorsementNo`` until "0"; for sales ``client.initialValue``, sent
  as ``initialValue``, until it comes back empty); an empty page comes as ``null``.
- Every value is kept as the string Cesce sent ("1234,56", "20260115", "2"): nothing is parsed
  into numbers, so nothing is re-rendered differently (a binary float would lose cents).
- An answer whose ``error.errorCode`` is not "0" is an error, even with status 200, and so is
  any status but 200 once retries are spent: the run ends in error (exit 1) and leaves the
  records it had as they were, never a part of a list.
- 429 and 503 (and 502/504) are retried after the pause Retry-After asks for, or after an
  exponential backoff, a few times.
- Portfolio: a debtor with a pending request has a second, 300xxx record EN TRÁMITE; the
  debtor's limit is its other record until the request is decided, so the 300xxx is skipped.
- Movements: merged into the records the client had (CESCE_OUTPUT), by endorsementNo.
- Sales declaration: each invoice of CESCE_INPUT (the ERP's: "2026-01-10", "1234.56") is
  declared once, naming its debtor by endorsementNo when the ERP has it (else by
  customerReference, never both), with its dates and amount rewritten digit for digit in
  Cesce's form (20260110, "1234,56"). Each invoice's saleCesceReferenceNo, statusCode and
  reasonStatusCode are written back, rejections (9) with their reason. An invoice the client
  recorded in an earlier run is not declared again. Cesce's duplicate answer (3003) means
  the invoice is declared already (a declaration whose answer was lost, or one made before):
  the client looks it up (GET sale by invoiceNo and maturityDate) and records it, once.
- Sales sync: GET sales with movementsInd=Y (what moved from two calendar days before today),
  merged into the sales the client had, by saleCesceReferenceNo.
- Claims: the dossiers are read first (GET dossiers, and the non-payments of each open one),
  so a non-payment declared before (by a run that met a lost answer: a declaration is never
  sent twice, the run ends in error instead) is not declared again, and each of CESCE_INPUT's
  goes in its debtor's open dossier: its dossierNo once known (from that list or the answer
  of the debtor's first declaration), 0 only for a debtor with none. Then each dossier is
  polled (its documents, then the dossier) with a pause that starts at a quarter of a second
  and doubles up to a second: every document it asks for (statusCode 1 requested, 2 chased, 5
  rejected) is uploaded once, and nothing is believed until the dossier says there is nothing
  left to settle (statusCode 5, 6 or 7). Then its paid settlements (settlementStatusCode 2)
  give the amount indemnified, principal plus interest added in whole cents, and the last
  paymentDate.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

TASKS = ("portfolio-sync", "movements-sync", "sales-declare", "sales-sync", "claims-follow")
PORTFOLIO = "portfolio/v1/contracts/{contract}/portfolio"
MOVEMENTS = "portfolio-movements/v1/contracts/{contract}/movements"
SALES = "sales/v1/contracts/{contract}/sales"
SALE = "sales/v1/contracts/{contract}/sale"
CLAIMS = "claims/v1/contracts/{contract}"
#: Cesce's errorCode for a sale already declared (same invoice, dates, debtor and amount).
DUPLICATE = "3003"
#: Pending re-requests on a known debtor are numbered from 300000 ("300xxx").
PENDING_REQUEST_BASE = 300000
RETRIED = (429, 502, 503, 504)
#: Document statusCodes the insured still owes (requested, chased, rejected); the dossier
#: statusCodes with nothing left to settle (indemnified, in recovery, closed); a paid settlement.
AWAITED, SETTLED, PAID = ("1", "2", "5"), ("5", "6", "7"), "2"


class CesceError(RuntimeError):
    """Cesce answered with something this client cannot go on from."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Listing:
    """How a list pages: the entity its records come under, the cursor (sent under the same
    name as it comes back in ``client``) and the mark of the last page."""

    entity: str
    cursor: str
    last: str


BY_ENDORSEMENT = Listing("debtor", "nextEndorsementNo", "0")
BY_SALE = Listing("sale", "initialValue", "")
DOSSIERS, DOCUMENTS, SETTLEMENTS = (Listing(entity, "initialValue", "")
                                     for entity in ("dossier", "document", "settlement"))


@dataclass(frozen=True)
class Config:
    """The client's settings, as the CESCE_* variables give them."""

    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    contract_no: str
    task: str = "portfolio-sync"
    output: str | None = None
    previous: list[dict[str, Any]] | None = None
    input: list[dict[str, Any]] | None = None

    @classmethod
    def from_env(cls, task: str | None = None, environ: dict[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        missing = [name for name in ("CESCE_BASE_URL", "CESCE_CLIENT_ID", "CESCE_CLIENT_SECRET", "CESCE_CONTRACT_NO")
                   if not env.get(name)]
        if missing:
            raise SystemExit(f"set {', '.join(missing)}")
        base = env["CESCE_BASE_URL"].rstrip("/")
        output = env.get("CESCE_OUTPUT") or None
        return cls(
            base_url=base,
            token_url=env.get("CESCE_TOKEN_URL") or f"{base}/oauth2/v1/token",
            client_id=env["CESCE_CLIENT_ID"],
            client_secret=env["CESCE_CLIENT_SECRET"],
            username=env.get("CESCE_USERNAME", ""),
            password=env.get("CESCE_PASSWORD", ""),
            contract_no=env["CESCE_CONTRACT_NO"],
            task=task or env.get("CESCE_TASK") or "portfolio-sync",
            output=output,
            previous=read_records(output),
            input=read_records(env.get("CESCE_INPUT") or None),
        )


class CesceClient:
    """Tokens, retries and paging. Subclass and override one method to change one behaviour."""

    #: Renew the access token this many seconds before it expires (as a production client does).
    renew_before = 60
    #: Attempts of one request when the gateway answers 429/503.
    attempts = 5
    #: The first backoff pause without Retry-After, doubled on every further attempt.
    backoff = 0.5
    language = "ES"
    #: The first pause between two polls of a dossier, doubled each time up to ``poll_most``.
    poll_first = 0.25
    poll_most = 1.0

    def __init__(self, config: Any) -> None:
        self.config = config
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.expires_at = 0.0
        self.margin = 0.0
        self.listing = BY_ENDORSEMENT

    # -- tokens ------------------------------------------------------------------------------

    def token(self) -> str:
        """The access token, renewed when it is about to expire."""
        if self.access_token is None or time.monotonic() >= self.expires_at - self.margin:
            self.renew()
        return self.access_token

    def renew(self) -> None:
        """A new access token: refresh_token grant when there is a refresh token, else (or if
        Cesce refuses the refresh) the password grant."""
        if self.refresh_token:
            status, body = self.token_request({"grant_type": "refresh_token", "refresh_token": self.refresh_token})
            if status == 200:
                return self.keep(body)
        status, body = self.token_request({"grant_type": "password", "username": self.config.username,
                                           "password": self.config.password})
        if status != 200:
            raise CesceError(f"token refused ({status}): {body}")
        self.keep(body)

    def token_request(self, grant: dict[str, str]) -> tuple[int, Any]:
        form = {"client_id": self.config.client_id, "client_secret": self.config.client_secret, **grant}
        data = urllib.parse.urlencode(form).encode()
        status, _, body = self.send("POST", self.config.token_url, data,
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        return status, body

    def keep(self, body: dict[str, Any]) -> None:
        """Keep a token answer: its access token, and its refresh token for the next renewal
        (each refresh answer carries a new one; the one traded in no longer works)."""
        self.access_token = body["access_token"]
        self.refresh_token = body.get("refresh_token")
        lifetime = self.lifetime(body)
        self.expires_at = time.monotonic() + lifetime
        self.margin = min(self.renew_before, lifetime / 10)

    def lifetime(self, body: dict[str, Any]) -> float:
        """Seconds the access token lives: ``expires_in`` counts seconds (3600, an hour)."""
        return float(body.get("expires_in", 3600))

    # -- HTTP ----------------------------------------------------------------------------------

    def send(self, method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
             resend: bool = True) -> tuple[int, dict[str, str], Any]:
        """One request, retried on 429/503/502/504 and (unless ``resend`` is False: a request
        that may have been carried out, its answer lost, and must not be made twice) on
        connection errors, after a pause."""
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, head, raw = response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                status, head, raw = error.code, dict(error.headers), error.read()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if attempt == self.attempts or not resend:
                    raise
                time.sleep(self.pause(attempt, None))
                continue
            if status in RETRIED and attempt < self.attempts:
                time.sleep(self.pause(attempt, head.get("Retry-After")))
                continue
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            return status, head, body
        raise AssertionError("unreachable")

    def pause(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before attempt ``attempt + 1``: what Retry-After asks (seconds or an
        HTTP date), else an exponential backoff."""
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), 300.0)
            except ValueError:
                when = email.utils.parsedate_to_datetime(retry_after)
                if when is not None:
                    return min(max(when.timestamp() - time.time(), 0.0), 300.0)
        return self.backoff * 2 ** (attempt - 1)

    def get(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        """A business GET below the catalog base; renews the token once on a 401."""
        return self.call("GET", path, query)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A business POST of a JSON body below the catalog base; renews the token once on a 401."""
        return self.call("POST", path, {}, json.dumps(body).encode(), expected=201)

    def call(self, method: str, path: str, query: dict[str, str], data: bytes | None = None,
             expected: int = 200, content_type: str = "application/json", resend: bool = True) -> dict[str, Any]:
        url = f"{self.config.base_url}/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        for renewed in (False, True):
            headers = {"Authorization": f"Bearer {self.token()}"}
            if data is not None:
                headers["Content-Type"] = content_type
            status, _, body = self.send(method, url, data, headers, resend)
            if status == 401 and not renewed:
                self.renew()  # expired on Cesce's clock before ours said so
                continue
            break
        self.check(path, status, body, expected, method)
        return body

    def check(self, path: str, status: int, body: Any, expected: int = 200, method: str = "GET") -> None:
        """Raise CesceError unless the answer is the expected status with an error block saying
        "0": Cesce may answer an error with status 200 and the error only in ``error.errorCode``."""
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("errorCode") if isinstance(error, dict) else None
        if status != expected:
            raise CesceError(f"{method} {path} answered {status}: {body}", code)
        if code != "0":
            raise CesceError(f"{method} {path} answered {status} with error {error}", code)

    # -- lists ---------------------------------------------------------------------------------

    def pages(self, path: str, listing: Listing = BY_ENDORSEMENT, **filters: str) -> list[dict[str, Any]]:
        """Every record of a list, following its cursor until the last page."""
        self.listing = listing
        records: list[dict[str, Any]] = []
        following = None
        while True:
            page = self.get(path, {**self.page_query(following), **filters})
            records += [self.record(raw) for raw in page.get(listing.entity) or []]  # a page may be null
            following = self.next_page(page)
            if following is None:
                return records

    def record(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A record as the client keeps it: as Cesce sent it, every value the string it was."""
        return raw

    def page_query(self, following: str | None) -> dict[str, str]:
        """The query of a list request: languageCode, and the cursor after the first page."""
        query = {"languageCode": self.language}
        if following is not None:
            query[self.listing.cursor] = following
        return query

    def next_page(self, page: dict[str, Any]) -> str | None:
        """What to send as the cursor for the page after ``page``: the value Cesce gave,
        untouched, however few records the page held; None after the last page ("0" for
        nextEndorsementNo, empty for initialValue)."""
        following = (page.get("client") or {}).get(self.listing.cursor, self.listing.last)
        return None if following in (self.listing.last, "", None) else following

    # -- the two tasks ---------------------------------------------------------------------------

    def portfolio_sync(self) -> list[dict[str, Any]]:
        """Each debtor's current record, from the whole portfolio."""
        return self.current_records(self.pages(PORTFOLIO.format(contract=self.config.contract_no)))

    def movements_sync(self, known: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records known before, updated with the movements of the last 48 hours."""
        return self.merge(known, self.pages(MOVEMENTS.format(contract=self.config.contract_no)))

    def current_records(self, portfolio: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A 300xxx record of a debtor that has another record is a pending request, not the
        debtor's limit: leave it out."""
        records_of: dict[tuple[str, str], int] = {}
        for record in portfolio:
            records_of[debtor(record)] = records_of.get(debtor(record), 0) + 1
        return [record for record in portfolio
                if not (int(record["endorsementNo"]) >= PENDING_REQUEST_BASE and records_of[debtor(record)] > 1)]

    def merge(self, known: list[dict[str, Any]], movements: list[dict[str, Any]],
              key: str = "endorsementNo") -> list[dict[str, Any]]:
        """Each movement added, or replacing the known record with its key."""
        by_number = {record[key]: record for record in known}
        by_number.update({record[key]: record for record in movements})
        return sorted(by_number.values(), key=lambda record: int(record[key]))

    # -- sales -----------------------------------------------------------------------------------

    def sales_sync(self, known: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The sales known before, updated with those that moved in the last 48 hours."""
        moved = self.pages(SALES.format(contract=self.config.contract_no), BY_SALE, movementsInd="Y")
        return self.merge(known, moved, "saleCesceReferenceNo")

    def declare_sales(self, invoices: list[dict[str, Any]], known: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each invoice's outcome, in the ERP's order: as recorded by an earlier run, or declared now."""
        recorded = {record["invoiceNo"]: record for record in known if record.get("saleCesceReferenceNo")}
        return [recorded.get(invoice["invoiceNo"]) or self.declare(invoice) for invoice in invoices]

    def declare(self, invoice: dict[str, Any]) -> dict[str, Any]:
        """Declare one invoice; a duplicate answer means Cesce holds it already: look it up."""
        sale = self.sale(invoice)
        path = SALES.format(contract=self.config.contract_no)
        try:
            answer = self.post(path, {"client": {"languageCode": self.language}, "sale": sale})
        except CesceError as error:
            if error.code != DUPLICATE:
                raise
            answer = self.get(SALE.format(contract=self.config.contract_no),
                              {"languageCode": self.language, "invoiceNo": sale["invoiceNo"],
                               "maturityDate": sale["maturityDate"]})
        return self.outcome(invoice, answer["sale"])

    def sale(self, invoice: dict[str, Any]) -> dict[str, Any]:
        """The invoice as Cesce takes a sale: its debtor named once, dates and amount in Cesce's form."""
        debtor = ({"endorsementNo": invoice["endorsementNo"]} if invoice.get("endorsementNo")
                  else {"customerReference": invoice["customerReference"]})
        return {**debtor, "invoiceNo": invoice["invoiceNo"], "invoiceDate": cesce_date(invoice["invoiceDate"]),
                "maturityDate": cesce_date(invoice["maturityDate"]), "currencyAmount": self.amount(invoice["amount"])}

    def amount(self, text: str) -> str:
        """An ERP amount ("1234567.89") in Cesce's form ("1234567,89"), digit for digit."""
        whole, _, cents = text.partition(".")
        return f"{whole},{(cents + '00')[:2]}"

    def outcome(self, invoice: dict[str, Any], sale: dict[str, Any]) -> dict[str, Any]:
        """What is written back of an invoice: Cesce's reference, status and reason."""
        return {"invoiceNo": invoice["invoiceNo"], "saleCesceReferenceNo": sale["saleCesceReferenceNo"],
                "statusCode": sale["statusCode"], "reasonStatusCode": sale["reasonStatusCode"]}


    # -- claims ----------------------------------------------------------------------------------

    def follow_claims(self, non_payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Declare each non-payment not yet declared, in its debtor's open dossier, then follow
        every dossier of the input until nothing is left to settle."""
        base = CLAIMS.format(contract=self.config.contract_no)
        open_of = {d["endorsementNo"]: d["dossierNo"] for d in self.pages(f"{base}/dossiers", DOSSIERS)
                   if d["statusCode"] != "7"}
        declared = set()
        for debtor in {n["endorsementNo"] for n in non_payments if n["endorsementNo"] in open_of}:
            answer = self.get(f"{base}/dossiers/{open_of[debtor]}/non-payments", {"languageCode": self.language})
            declared |= {n["saleCesceReferenceNo"] for n in answer.get("nonPayment") or []}
        for non_payment in non_payments:
            if non_payment["saleCesceReferenceNo"] in declared:
                continue
            debtor = non_payment["endorsementNo"]
            open_of[debtor] = self.declare_non_payment(non_payment, open_of.get(debtor, "0"))
        return self.follow({open_of[n["endorsementNo"]] for n in non_payments})

    def declare_non_payment(self, non_payment: dict[str, Any], dossier_no: str) -> str:
        """Declare one non-payment in ``dossier_no`` (0: the debtor has none yet); the dossier it is
        in. A declaration whose answer is lost is not sent again: the run ends in error."""
        path = f"{CLAIMS.format(contract=self.config.contract_no)}/dossiers/{dossier_no}/non-payments"
        body = {"client": {"languageCode": self.language},
                "nonPayment": {"saleCesceReferenceNo": non_payment["saleCesceReferenceNo"],
                               "unpaidAmount": non_payment["unpaidAmount"]}}
        try:
            answer = self.call("POST", path, {}, json.dumps(body).encode(), expected=201, resend=False)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            # Declared or not, nobody knows: the next run finds it in the dossier if it was.
            raise CesceError(f"the answer to the declaration of sale {non_payment['saleCesceReferenceNo']} was lost "
                             f"({error}); run again") from None
        return answer["client"]["dossierNo"]

    def follow(self, dossier_nos: set[str]) -> list[dict[str, Any]]:
        """Poll each dossier, uploading what it asks for, until it has nothing left to settle."""
        base = CLAIMS.format(contract=self.config.contract_no)
        beliefs: dict[str, dict[str, Any]] = {}
        waiting, pause = sorted(dossier_nos, key=int), self.poll_first
        while True:
            for dossier_no in list(waiting):
                self.upload_awaited(dossier_no)
                dossier = self.get(f"{base}/dossiers/{dossier_no}", {"languageCode": self.language})["dossier"]
                if self.settled(dossier):
                    beliefs[dossier_no] = self.belief(dossier)
                    waiting.remove(dossier_no)
            if not waiting:
                return [beliefs[number] for number in sorted(beliefs, key=int)]
            time.sleep(pause)
            pause = min(pause * 2, self.poll_most)

    def settled(self, dossier: dict[str, Any]) -> bool:
        """Whether Cesce has nothing left to settle in the dossier."""
        return dossier["statusCode"] in SETTLED

    def upload_awaited(self, dossier_no: str) -> None:
        """Upload each document the dossier still asks for."""
        base = CLAIMS.format(contract=self.config.contract_no)
        for document in self.pages(f"{base}/documents", DOCUMENTS, dossierNo=dossier_no):
            if document["statusCode"] in AWAITED:
                self.upload(dossier_no, document)

    def upload(self, dossier_no: str, document: dict[str, Any]) -> None:
        """POST documents: a multipart/form-data body with documentNo and the file."""
        boundary = uuid.uuid4().hex
        name = f"document-{document['documentNo']}.pdf"
        data = (f'--{boundary}\r\nContent-Disposition: form-data; name="documentNo"\r\n\r\n{document["documentNo"]}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: application/pdf\r\n\r\n").encode() + b"%PDF-1.4 " + name.encode() + \
            f"\r\n--{boundary}--\r\n".encode()
        path = f"{CLAIMS.format(contract=self.config.contract_no)}/dossiers/{dossier_no}/documents"
        self.call("POST", path, {}, data, expected=201, content_type=f"multipart/form-data; boundary={boundary}")

    def belief(self, dossier: dict[str, Any]) -> dict[str, Any]:
        """What is written back of a dossier: the amount its paid settlements indemnified
        (principal and interest) and the last of their payment dates."""
        settlements = self.pages(f"{CLAIMS.format(contract=self.config.contract_no)}/settlements", SETTLEMENTS,
                                 dossierNo=dossier["dossierNo"])
        paid = [s for s in settlements if s["settlementStatusCode"] == PAID]
        cents = sum(self.cents(s["amtPrinIndemnified"]) + self.cents(s["amtIntIndemnified"]) for s in paid)
        return {"dossierNo": dossier["dossierNo"], "endorsementNo": dossier["endorsementNo"],
                "indemnifiedAmount": f"{cents // 100},{cents % 100:02d}",
                "paymentDate": max((s["paymentDate"] for s in paid), default="")}

    def cents(self, text: str) -> int:
        """Cesce's "1234,56" in whole cents (its comma is the decimal separator)."""
        whole, _, part = text.partition(",")
        return int(whole or "0") * 100 + int((part + "00")[:2])


def cesce_date(text: str) -> str:
    """An ERP date ("2026-01-10") as Cesce writes it ("20260110")."""
    return text.replace("-", "")


def debtor(record: dict[str, Any]) -> tuple[str, str]:
    """Who a record is about: country and tax code."""
    return record.get("countryCode", ""), record.get("taxCode", "")


def sync(config: Any, client_class: type[CesceClient] = CesceClient) -> list[dict[str, Any]]:
    """Run ``config.task`` and return the records the client now believes current."""
    client = client_class(config)
    if config.task == "movements-sync":
        return client.movements_sync(config.previous or [])
    if config.task == "sales-sync":
        return client.sales_sync(config.previous or [])
    if config.task == "claims-follow":
        return client.follow_claims(config.input or [])
    if config.task == "sales-declare":
        return client.declare_sales(config.input or [], config.previous or [])
    return client.portfolio_sync()


def read_records(path: str | None) -> list[dict[str, Any]] | None:
    """The records a previous run left in ``path`` (None when there is no such file)."""
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def write_records(path: str, records: list[dict[str, Any]]) -> None:
    """Write the records as JSON, replacing the file in one step."""
    partial = f"{path}.partial"
    with open(partial, "w", encoding="utf-8") as file:
        json.dump(records, file, ensure_ascii=False, indent=1)
    os.replace(partial, path)


def main(argv: list[str] | None = None, client_class: type[CesceClient] = CesceClient) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=TASKS, help="default: CESCE_TASK, else portfolio-sync")
    args = parser.parse_args(argv)
    config = Config.from_env(args.task)
    if config.task not in TASKS:
        parser.error(f"CESCE_TASK must be one of {', '.join(TASKS)}")
    try:
        records = sync(config, client_class)
    except CesceError as error:
        print(f"cesce: {error}", file=sys.stderr)
        return 1
    if config.output:
        write_records(config.output, records)
    else:
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
    print(f"{config.task}: {len(records)} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
