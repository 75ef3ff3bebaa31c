"""Sales from a world document: the ``sales`` of a contract in mocks/ or in a scenario, each as
its document says Cesce left it, as if it had happened at its ``since``. Dates are absolute
("2026-01-05") or relative to the moment of seeding ("-P20D"), so the same sales fall in the
same modification windows and 48-hour list in the sandbox and in a fresh dev tenant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from emulator.clock import parse_duration, resolve_time, today
from emulator.risks import store as risk_store
from emulator.risks.records import Debtor
from emulator.sales.policy import SalesPolicy
from emulator.sales.records import DEFAULT_REASON, Sale, reason_table, status_table
from emulator.sandbox_model import ModelError, SandboxModel
from emulator.store import Tx
from emulator.wire import parse_amount

#: A sale to seed, and when Cesce rates it again if it is marked for re-rating.
Seeded = tuple[Sale, datetime | None]
#: When a sale changed last, if its document does not say: before the 48 hours of the sales list.
_SINCE = "-P4D"
#: Statuses in which a sale keeps the premium it accrued when it was rated.
_ACCRUING = frozenset({"rated", "certified", "securitised", "extended", "rerating"})


def seed_sales(tx: Tx, model: SandboxModel, tenant: str, policy: SalesPolicy, doc: dict, now: datetime,
               first: int) -> Iterator[Seeded]:
    """The sales of a contract document in order, numbered from ``first`` where they do not
    give their saleCesceReferenceNo; each extended sale after the sale it extends."""
    contract_no = doc["contractNo"]
    taken = {int(seed["saleCesceReferenceNo"]) for seed in doc.get("sales", []) if "saleCesceReferenceNo" in seed}
    seeded: dict[int, Sale] = {}
    number = first
    for seed in doc.get("sales", []):
        if "saleCesceReferenceNo" in seed:
            own = int(seed["saleCesceReferenceNo"])
        else:
            while number in taken:
                number += 1
            own = number
            taken.add(own)
        original = seeded.get(int(seed["extends"])) if "extends" in seed else None
        debtor = None if original is not None else _debtor(tx, tenant, contract_no, seed)
        sale = _sale(model, policy, contract_no, own, debtor, seed, original, now)
        seeded[own] = sale
        rerate_at = now + parse_duration(seed.get("rerateIn", "P1D")) if seed["status"] == "rerating" else None
        yield sale, rerate_at


def _debtor(tx: Tx, tenant: str, contract_no: str, seed: dict) -> Debtor:
    if "endorsementNo" in seed:
        row = risk_store.debtor(tx, tenant, contract_no, int(seed["endorsementNo"]))
    else:
        row = risk_store.firm_by_reference(tx, tenant, contract_no, seed["customerReference"])
    if row is None or row["pending_of"] is not None:
        named = seed.get("endorsementNo") or seed.get("customerReference")
        raise ModelError(f"contract {contract_no}, sale {seed.get('invoiceNo')}: no debtor {named} in the contract")
    return Debtor.from_row(row)


def _sale(model: SandboxModel, policy: SalesPolicy, contract_no: str, number: int, debtor: Debtor | None, seed: dict,
          original: Sale | None, now: datetime) -> Sale:
    since = resolve_time(seed.get("since", _SINCE), now)
    if original is not None:
        sale = original.changed(maturity_date=day(seed["maturityDate"], now), collected_amount=0, collection_date=None,
                                maturity_amount=parse_amount(seed["maturityAmount"]),
                                original_sale_cesce_reference_no=original.sale_cesce_reference_no)
        base = sale.maturity_amount
    else:
        sale = Sale(
            sale_cesce_reference_no=number, endorsement_no=debtor.endorsement_no,
            customer_reference=debtor.customer_reference, subsidiary_no=seed.get("subsidiaryNo", "0"),
            invoice_no=seed["invoiceNo"], invoice_date=day(seed["invoiceDate"], now),
            acquisition_date=day(seed["acquisitionDate"], now) if "acquisitionDate" in seed else None,
            maturity_date=day(seed["maturityDate"], now), currency_amount=parse_amount(seed["amount"]),
            payment_terms=seed.get("paymentTerms"), tax_code_transferor=seed.get("taxCodeTransferor"),
            status_code="", reason_status_code="",
        )
        base = sale.currency_amount
    state = seed["status"]
    premium = parse_amount(seed["premium"]) if "premium" in seed else policy.premium(base) if state in _ACCRUING else 0
    collected = parse_amount(seed.get("collected", "0,00"))
    return sale.changed(
        contract_no=contract_no,
        sale_cesce_reference_no=number,
        status_code=model.codes[status_table(sale)].code(state),
        reason_status_code=model.codes[reason_table(sale)].code(seed.get("reason", DEFAULT_REASON[state])),
        accrued_premium=premium,
        collected_amount=collected,
        collection_date=day(seed.get("collectedOn", seed.get("since", _SINCE)), now) if collected else None,
        declaration_date=today(since),
        status_date=today(since),
        changed_at=since,
    )


def day(text: str, now: datetime) -> date:
    """A date of a world document: "2026-01-05", or relative to the moment of seeding ("-P20D")."""
    return today(resolve_time(text, now))
