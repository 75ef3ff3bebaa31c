"""Claims from a world document: the ``claims`` of a contract in mocks/ or in a scenario, each a
non-payment declared at its ``declared`` time and taken as far as its ``steps`` say, each at its
own time, by the same rules a request or a Cesce-side event runs. Times are relative to the
moment of seeding, so a dossier stands at the same milestone in the sandbox and in a fresh dev
tenant; what the steps leave for later falls due on the tenant's clock."""

from __future__ import annotations

from emulator.claims import lifecycle, rules, store
from emulator.claims.records import DOCUMENT_STATUSES, SETTLEMENT_STATUSES
from emulator.clock import resolve_time
from emulator.risks import records as risk_records
from emulator.sales import store as sale_store
from emulator.sales.records import Sale
from emulator.sandbox_model import ModelError
from emulator.wire import parse_amount
from emulator.world import Contract, World


def seed_claims(world: World, current: Contract, doc: dict) -> None:
    """The amounts of the debtors' limits as the risk records show them, then the claims."""
    model, contract_no = world.model, current.contract_no
    store.take_limits(world.tx, world.tenant, contract_no, risk_records.status(model, "in-force"),
                      risk_records.status(model, "cancelled"))
    for claim in doc.get("claims", []):
        row = sale_store.sale(world.tx, world.tenant, contract_no, int(claim["saleCesceReferenceNo"]))
        if row is None:
            raise ModelError(f"contract {contract_no}: a claim on sale {claim['saleCesceReferenceNo']}, which it does not have")
        found = rules.declare_on(world.at(resolve_time(claim["declared"], world.now)), contract_no, 0,
                                 Sale.from_row(row), parse_amount(claim["amount"]))
        for step in claim.get("steps", []):
            _step(world.at(resolve_time(step["at"], world.now)), contract_no, found.dossier_no, found.internal_no, step)


def _step(world: World, contract_no: str, dossier_no: int, internal_no: int, step: dict) -> None:
    tx, tenant, action = world.tx, world.tenant, step["do"]
    if action == "analyse":
        covered = parse_amount(step["covered"]) if "covered" in step else None
        lifecycle.analyse(world, contract_no, dossier_no, internal_no, covered)
    elif action in ("receive", "validate"):
        awaited = {lifecycle.code(world, DOCUMENT_STATUSES, key) for key in lifecycle.AWAITED}
        received = lifecycle.code(world, DOCUMENT_STATUSES, "received")
        for row in store.documents(tx, tenant, contract_no, dossier_no=dossier_no):
            if action == "receive" and row["status_code"] in awaited:
                rules.receive(world, contract_no, dossier_no, row["document_no"], f"document-{row['document_no']}.pdf",
                              "application/pdf", b"%PDF-1.4 sandbox document")
            elif action == "validate" and row["status_code"] == received:
                lifecycle.validate(world, contract_no, row["document_no"])
    elif action == "pay":
        in_progress = lifecycle.code(world, SETTLEMENT_STATUSES, "in-progress")
        for row in store.settlements(tx, tenant, contract_no, dossier_no=dossier_no):
            if row["settlement_status_code"] == in_progress:
                lifecycle.pay(world, contract_no, row["settlement_no"])
    elif action == "recover":
        lifecycle.recover(world, contract_no, dossier_no, parse_amount(step["amount"]))
    elif action == "close":
        lifecycle.close(world, contract_no, dossier_no)
