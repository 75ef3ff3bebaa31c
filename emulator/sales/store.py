"""The sales area's SQL: sales (table ``sales``), the periods each debtor's limit covered its
sales (``sale_covers``) and the endorsements a claims dossier freezes (``sale_claims``), run
through the core's Tx.

Each sale keeps its wire text in ``wire`` (written by ``Sale.to_row``); a page of the sales list
reads only that and the sale's number.

The covers are taken from the risk area's records (its table ``debtors``, which the sales area
builds on) in one statement, as a contract is seeded: a portfolio of 100,000 debtors costs one
INSERT ... SELECT, not 100,000 rows read into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from emulator.store import Row, Tx

_KEY = "tenant = ? AND contract_no = ?"


@dataclass(frozen=True)
class Filters:
    """What a sales list asks for; None: any."""

    endorsement_no: int | None = None
    #: Sales invoiced in [first, last] (an invoice month).
    invoiced: tuple[date, date] | None = None
    status_code: str | None = None
    #: Sales changed in [since, until].
    moved: tuple[datetime, datetime] | None = None


def sale(tx: Tx, tenant: str, contract_no: str, sale_no: int) -> Row | None:
    return tx.one("sales", f"SELECT * FROM sales WHERE {_KEY} AND sale_no = ?", tenant, contract_no, sale_no)


def by_invoice(tx: Tx, tenant: str, contract_no: str, invoice_no: str, maturity_date: date) -> list[Row]:
    return tx.all("sales", f"SELECT * FROM sales WHERE {_KEY} AND invoice_no = ? AND maturity_date = ? ORDER BY sale_no",
                  tenant, contract_no, invoice_no, maturity_date)


def duplicate(tx: Tx, tenant: str, contract_no: str, invoice_no: str, invoice_date: date, maturity_date: date,
              endorsement_no: int, amount: int, other_than: int | None = None) -> Row | None:
    """A sale of the contract with the same duplicate key (R15), other than ``other_than``."""
    return tx.one("sales", f"SELECT * FROM sales WHERE {_KEY} AND invoice_no = ? AND maturity_date = ?"
                  " AND invoice_date = ? AND endorsement_no = ? AND currency_amount = ? AND sale_no <> ? LIMIT 1",
                  tenant, contract_no, invoice_no, maturity_date, invoice_date, endorsement_no, amount,
                  -1 if other_than is None else other_than)


def debtor_sales(tx: Tx, tenant: str, contract_no: str, endorsement_no: int) -> list[Row]:
    return tx.all("sales", f"SELECT * FROM sales WHERE {_KEY} AND endorsement_no = ? ORDER BY sale_no",
                  tenant, contract_no, endorsement_no)


def page(tx: Tx, tenant: str, contract_no: str, filters: Filters, start: int, limit: int) -> list[Row]:
    """The saleCesceReferenceNo (``sale_no``) and wire text of the sales matching ``filters``
    from saleCesceReferenceNo ``start`` on, in that order."""
    where, params = [_KEY, "sale_no >= ?"], [tenant, contract_no, start]
    if filters.endorsement_no is not None:
        where.append("endorsement_no = ?")
        params.append(filters.endorsement_no)
    if filters.invoiced is not None:
        where.append("invoice_date >= ? AND invoice_date <= ?")
        params += list(filters.invoiced)
    if filters.status_code is not None:
        where.append("status_code = ?")
        params.append(filters.status_code)
    if filters.moved is not None:
        where.append("changed_at >= ? AND changed_at <= ?")
        params += list(filters.moved)
    return tx.all("sales", f"SELECT sale_no, wire FROM sales WHERE {' AND '.join(where)} ORDER BY sale_no LIMIT ?",
                  *params, limit)


def sales(tx: Tx, tenant: str, contract_no: str) -> list[Row]:
    return tx.all("sales", f"SELECT * FROM sales WHERE {_KEY} ORDER BY sale_no", tenant, contract_no)


def insert(tx: Tx, rows: list[Row]) -> None:
    tx.insert("sales", rows)


def update(tx: Tx, tenant: str, contract_no: str, sale_no: int, changes: Row) -> None:
    tx.update("sales", {"tenant": tenant, "contract_no": contract_no, "sale_no": sale_no}, changes)


# -- covers ---------------------------------------------------------------------------------


def take_covers(tx: Tx, tenant: str, contract_no: str, in_force: str, cancelled: str,
                endorsement_no: int | None = None) -> None:
    """The covers the risk records show (of the whole contract, or of one debtor): a limit in
    force covers from the day its request entered, a cancelled one until its cancellation
    date. ``in_force`` and ``cancelled`` are the risk statusCodes."""
    one = "" if endorsement_no is None else " AND endorsement_no = ?"
    tx.execute(
        "INSERT INTO sale_covers (tenant, contract_no, endorsement_no, since, until)"
        " SELECT tenant, contract_no, endorsement_no,"
        " CASE WHEN status_code = ? THEN request_entry_date END, CASE WHEN status_code = ? THEN cancellation_date END"
        f" FROM debtors WHERE {_KEY} AND pending_of IS NULL AND status_code IN (?, ?){one}",
        in_force, cancelled, tenant, contract_no, in_force, cancelled, *([] if endorsement_no is None else [endorsement_no]),
    )


def covers(tx: Tx, tenant: str, contract_no: str, endorsement_no: int) -> list[Row]:
    return tx.all("sale_covers",
                  f"SELECT * FROM sale_covers WHERE {_KEY} AND endorsement_no = ? ORDER BY since NULLS FIRST, id",
                  tenant, contract_no, endorsement_no)


def all_covers(tx: Tx, tenant: str, contract_no: str) -> list[Row]:
    return tx.all("sale_covers", f"SELECT * FROM sale_covers WHERE {_KEY} ORDER BY endorsement_no, since NULLS FIRST, id",
                  tenant, contract_no)


def covered(tx: Tx, tenant: str, contract_no: str, endorsement_no: int, day: date) -> bool:
    """Whether a period of the debtor's covers holds ``day``."""
    return tx.one("sale_covers", f"SELECT * FROM sale_covers WHERE {_KEY} AND endorsement_no = ?"
                  " AND (since IS NULL OR since <= ?) AND (until IS NULL OR until > ?) LIMIT 1",
                  tenant, contract_no, endorsement_no, day, day) is not None


def open_cover(tx: Tx, tenant: str, contract_no: str, endorsement_no: int, since: date | None,
               until: date | None = None) -> None:
    """A period in which the debtor's limit covers its sales (still open without ``until``)."""
    tx.insert("sale_covers", [{"tenant": tenant, "contract_no": contract_no, "endorsement_no": endorsement_no,
                               "since": since, "until": until}])


def close_cover(tx: Tx, tenant: str, contract_no: str, endorsement_no: int, until: date) -> None:
    tx.execute(f"UPDATE sale_covers SET until = ? WHERE {_KEY} AND endorsement_no = ? AND until IS NULL",
               until, tenant, contract_no, endorsement_no)


# -- claims dossiers ------------------------------------------------------------------------


def add_claim(tx: Tx, tenant: str, contract_no: str, endorsement_no: int, since: datetime) -> None:
    if not in_claim(tx, tenant, contract_no, endorsement_no):
        tx.insert("sale_claims", [{"tenant": tenant, "contract_no": contract_no, "endorsement_no": endorsement_no,
                                   "since": since}])


def claims(tx: Tx, tenant: str, contract_no: str) -> list[Row]:
    return tx.all("sale_claims", f"SELECT * FROM sale_claims WHERE {_KEY} ORDER BY endorsement_no", tenant, contract_no)


def in_claim(tx: Tx, tenant: str, contract_no: str, endorsement_no: int) -> bool:
    return tx.one("sale_claims", f"SELECT * FROM sale_claims WHERE {_KEY} AND endorsement_no = ?",
                  tenant, contract_no, endorsement_no) is not None
