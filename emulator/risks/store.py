"""The risk area's SQL: classification records (table ``debtors``), run through the core's Tx.

"ORDER BY +endorsement_no" in the lookups and the movements query: the unary plus (valid in any
SQL) stops SQLite from walking the primary key in endorsement order to skip a sort, which would
read every debtor of the contract; it then uses the index on the filtered columns, so the cost
follows the rows found, not the size of the portfolio.

Each record keeps its wire text in ``wire`` (written by ``Debtor.to_row``); pages read only that
and the endorsementNo, and a record of an older file that has none yet is read whole.
"""

from __future__ import annotations

from datetime import datetime

from emulator.store import Row, Tx

_KEY = "tenant = ? AND contract_no = ?"


def debtor(tx: Tx, tenant: str, contract_no: str, endorsement_no: int) -> Row | None:
    return tx.one("debtors", f"SELECT * FROM debtors WHERE {_KEY} AND endorsement_no = ?",
                  tenant, contract_no, endorsement_no)


def firm_by_reference(tx: Tx, tenant: str, contract_no: str, reference: str) -> Row | None:
    return tx.one("debtors", f"SELECT * FROM debtors WHERE {_KEY} AND customer_reference = ?"
                  " AND pending_of IS NULL ORDER BY +endorsement_no", tenant, contract_no, reference)


def firm_by_tax_code(tx: Tx, tenant: str, contract_no: str, country: str, tax_code: str) -> Row | None:
    return tx.one("debtors", f"SELECT * FROM debtors WHERE {_KEY} AND country_code = ? AND tax_code = ?"
                  " AND pending_of IS NULL ORDER BY +endorsement_no", tenant, contract_no, country, tax_code)


def request_pending_on(tx: Tx, tenant: str, contract_no: str, endorsement_no: int) -> Row | None:
    """The 300xxx request waiting on a debtor's endorsement, if any."""
    return tx.one("debtors", f"SELECT * FROM debtors WHERE {_KEY} AND pending_of = ?", tenant, contract_no, endorsement_no)


def portfolio_page(tx: Tx, tenant: str, contract_no: str, start: int, limit: int) -> list[Row]:
    """The endorsementNo and wire text of the records from endorsement ``start`` on."""
    return tx.all("debtors", f"SELECT endorsement_no, wire FROM debtors WHERE {_KEY} AND endorsement_no >= ?"
                  " ORDER BY endorsement_no LIMIT ?", tenant, contract_no, start, limit)


def movements_page(tx: Tx, tenant: str, contract_no: str, since: datetime, until: datetime, start: int,
                   limit: int) -> list[Row]:
    """The endorsementNo and wire text of the firm records changed in (since, until], from
    endorsement ``start`` on. The range on changed_at is what keeps the cost tied to the number
    of movements, not of debtors."""
    return tx.all("debtors", f"SELECT endorsement_no, wire FROM debtors WHERE {_KEY} AND changed_at > ? AND changed_at <= ?"
                  " AND endorsement_no >= ? ORDER BY +endorsement_no LIMIT ?",
                  tenant, contract_no, since, until, start, limit)


def debtors(tx: Tx, tenant: str, contract_no: str) -> list[Row]:
    return tx.all("debtors", f"SELECT * FROM debtors WHERE {_KEY} ORDER BY endorsement_no", tenant, contract_no)


def insert(tx: Tx, rows: list[Row]) -> None:
    tx.insert("debtors", rows)


def update(tx: Tx, tenant: str, contract_no: str, endorsement_no: int, changes: Row) -> None:
    tx.update("debtors", {"tenant": tenant, "contract_no": contract_no, "endorsement_no": endorsement_no}, changes)


def delete(tx: Tx, tenant: str, contract_no: str, endorsement_no: int) -> None:
    tx.delete("debtors", {"tenant": tenant, "contract_no": contract_no, "endorsement_no": endorsement_no})
