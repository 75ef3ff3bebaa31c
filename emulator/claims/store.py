"""The claims area's SQL: dossiers, non-payments, documents, settlements, recoveries, steps, and
the amounts each debtor's limit had (``claim_limits``, taken from the risk area's table
``debtors`` in one statement as a contract is seeded), run through the core's Tx."""

from __future__ import annotations

from emulator.store import Row, Tx

_KEY = "tenant = ? AND contract_no = ?"
#: Each table's key columns after tenant and contract: what an update names a row by.
TABLES = {
    "claim_dossiers": ("dossier_no",),
    "claim_non_payments": ("dossier_no", "internal_no"),
    "claim_documents": ("document_no",),
    "claim_settlements": ("settlement_no",),
    "claim_recoveries": ("dossier_no", "recovery_no"),
    "claim_steps": ("dossier_no", "kind", "step_no"),
}


def insert(tx: Tx, table: str, rows: list[Row]) -> None:
    tx.insert(table, rows)


def update(tx: Tx, table: str, row: Row) -> None:
    """Write a whole row back, named by its key."""
    key = {"tenant": row["tenant"], "contract_no": row["contract_no"], **{name: row[name] for name in TABLES[table]}}
    tx.update(table, key, {name: value for name, value in row.items() if name not in key})


def _where(**filters) -> tuple[str, list]:
    """The conditions of ``filters`` whose value is not None."""
    chosen = {name: value for name, value in filters.items() if value is not None}
    return "".join(f" AND {name} = ?" for name in chosen), list(chosen.values())


def _limit(limit: int | None) -> str:
    return "" if limit is None else " LIMIT ?"


def _bound(limit: int | None) -> list[int]:
    return [] if limit is None else [limit]


# -- dossiers -------------------------------------------------------------------------------


def dossier(tx: Tx, tenant: str, contract_no: str, dossier_no: int) -> Row | None:
    return tx.one("claim_dossiers", f"SELECT * FROM claim_dossiers WHERE {_KEY} AND dossier_no = ?",
                  tenant, contract_no, dossier_no)


def open_dossier_of(tx: Tx, tenant: str, contract_no: str, endorsement_no: int) -> Row | None:
    """The debtor's dossier still open (one at most)."""
    return tx.one("claim_dossiers", f"SELECT * FROM claim_dossiers WHERE {_KEY} AND endorsement_no = ?"
                  " AND closing_date IS NULL ORDER BY dossier_no DESC LIMIT 1", tenant, contract_no, endorsement_no)


def dossiers(tx: Tx, tenant: str, contract_no: str, start: int = 0, limit: int | None = None, endorsement_no: int | None = None,
             status_code: str | None = None) -> list[Row]:
    more, params = _where(endorsement_no=endorsement_no, status_code=status_code)
    return tx.all("claim_dossiers", f"SELECT * FROM claim_dossiers WHERE {_KEY} AND dossier_no >= ?{more}"
                  f" ORDER BY dossier_no{_limit(limit)}", tenant, contract_no, start, *params, *_bound(limit))


# -- non-payments ---------------------------------------------------------------------------


def non_payment(tx: Tx, tenant: str, contract_no: str, dossier_no: int, internal_no: int) -> Row | None:
    return tx.one("claim_non_payments", f"SELECT * FROM claim_non_payments WHERE {_KEY} AND dossier_no = ?"
                  " AND internal_no = ?", tenant, contract_no, dossier_no, internal_no)


def non_payments(tx: Tx, tenant: str, contract_no: str, dossier_no: int | None = None,
                 settlement_no: int | None = None) -> list[Row]:
    more, params = _where(dossier_no=dossier_no, settlement_no=settlement_no)
    return tx.all("claim_non_payments", f"SELECT * FROM claim_non_payments WHERE {_KEY}{more}"
                  " ORDER BY dossier_no, internal_no", tenant, contract_no, *params)


def declared_on_sale(tx: Tx, tenant: str, contract_no: str, sale_no: int) -> int:
    """The unpaid amounts already declared on a sale, summed."""
    rows = tx.all("claim_non_payments", f"SELECT * FROM claim_non_payments WHERE {_KEY} AND sale_cesce_reference_no = ?",
                  tenant, contract_no, sale_no)
    return sum(row["unpaid_amount"] for row in rows)


# -- documents, settlements, recoveries, steps ----------------------------------------------


def document(tx: Tx, tenant: str, contract_no: str, document_no: int) -> Row | None:
    return tx.one("claim_documents", f"SELECT * FROM claim_documents WHERE {_KEY} AND document_no = ?",
                  tenant, contract_no, document_no)


def documents(tx: Tx, tenant: str, contract_no: str, start: int = 0, limit: int | None = None, dossier_no: int | None = None,
              status_code: str | None = None) -> list[Row]:
    more, params = _where(dossier_no=dossier_no, status_code=status_code)
    return tx.all("claim_documents", f"SELECT * FROM claim_documents WHERE {_KEY} AND document_no >= ?{more}"
                  f" ORDER BY document_no{_limit(limit)}", tenant, contract_no, start, *params, *_bound(limit))


def settlement(tx: Tx, tenant: str, contract_no: str, settlement_no: int) -> Row | None:
    return tx.one("claim_settlements", f"SELECT * FROM claim_settlements WHERE {_KEY} AND settlement_no = ?",
                  tenant, contract_no, settlement_no)


def settlements(tx: Tx, tenant: str, contract_no: str, start: int = 0, limit: int | None = None,
                dossier_no: int | None = None) -> list[Row]:
    more, params = _where(dossier_no=dossier_no)
    return tx.all("claim_settlements", f"SELECT * FROM claim_settlements WHERE {_KEY} AND settlement_no >= ?{more}"
                  f" ORDER BY settlement_no{_limit(limit)}", tenant, contract_no, start, *params, *_bound(limit))


def recoveries(tx: Tx, tenant: str, contract_no: str, dossier_no: int | None = None) -> list[Row]:
    more, params = _where(dossier_no=dossier_no)
    return tx.all("claim_recoveries", f"SELECT * FROM claim_recoveries WHERE {_KEY}{more} ORDER BY dossier_no, recovery_no",
                  tenant, contract_no, *params)


def steps(tx: Tx, tenant: str, contract_no: str, dossier_no: int | None = None, kind: str | None = None) -> list[Row]:
    more, params = _where(dossier_no=dossier_no, kind=kind)
    return tx.all("claim_steps", f"SELECT * FROM claim_steps WHERE {_KEY}{more} ORDER BY dossier_no, kind, step_no",
                  tenant, contract_no, *params)


# -- the debtors' limits --------------------------------------------------------------------


def take_limits(tx: Tx, tenant: str, contract_no: str, in_force: str, cancelled: str) -> None:
    """The limits the risk records show as a contract is seeded: one in force covers its granted
    amount from its request's entry; a cancelled one covered what was asked until its
    cancellation (the records keep no amount granted before). ``in_force`` and ``cancelled``
    are the risk statusCodes."""
    tx.execute(
        "INSERT INTO claim_limits (tenant, contract_no, endorsement_no, since, amount)"
        " SELECT tenant, contract_no, endorsement_no, request_entry_date,"
        " CASE WHEN status_code = ? THEN credit_limit_granted ELSE credit_limit_requested END"
        f" FROM debtors WHERE {_KEY} AND pending_of IS NULL AND status_code IN (?, ?)",
        in_force, tenant, contract_no, in_force, cancelled)
    tx.execute(
        "INSERT INTO claim_limits (tenant, contract_no, endorsement_no, since, amount)"
        " SELECT tenant, contract_no, endorsement_no, cancellation_date, 0"
        f" FROM debtors WHERE {_KEY} AND pending_of IS NULL AND status_code = ? AND cancellation_date IS NOT NULL",
        tenant, contract_no, cancelled)


def limits(tx: Tx, tenant: str, contract_no: str, endorsement_no: int | None = None) -> list[Row]:
    more, params = _where(endorsement_no=endorsement_no)
    return tx.all("claim_limits", f"SELECT * FROM claim_limits WHERE {_KEY}{more} ORDER BY endorsement_no, id",
                  tenant, contract_no, *params)


def add_limit(tx: Tx, row: Row) -> None:
    tx.insert("claim_limits", [row])
