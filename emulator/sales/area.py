"""The Sales products (sales, extensions, collections), as an area: what the core needs from
them, in one place. Builds on the risk area: a sale is rated against its debtor's limit."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from emulator.areas import Area, Event, ListView, ModelPart, SnapshotError, SnapshotPart
from emulator.clock import format_instant, parse_duration, parse_instant
from emulator.errors import InvalidValue
from emulator.risks import rules as risks
from emulator.sales import api, cesce, rating, store
from emulator.sales.records import DEFAULT_REASON, EXTENSION_REASONS, EXTENSION_STATUSES, REASONS, STATUSES, TABLES, Sale
from emulator.sales.rules import FIRST_SALE, SALES, moved_since, policy_of
from emulator.sales.seeding import seed_sales
from emulator.sandbox_model import ModelError, SandboxModel
from emulator.store import migration_files
from emulator.wire import format_date, parse_date, parse_record, render_record
from emulator.world import Contract, World

HERE = Path(__file__).resolve().parent


def check(model: SandboxModel, contract: dict, where: str) -> None:
    """The sales of a contract document: statuses and reasons in their tables (3 and 4 for an
    extended sale), each naming a debtor the document declares by its endorsementNo or
    customerReference, references used once, an extended sale after the sale it extends."""
    numbers = {seed["endorsementNo"] for seed in contract.get("debtors", []) if "endorsementNo" in seed}
    references = {seed["customerReference"] for seed in contract.get("debtors", []) if "customerReference" in seed}
    for batch in contract.get("generate", []):
        if "firstEndorsementNo" in batch:
            first = int(batch["firstEndorsementNo"])
            numbers |= {str(n) for n in range(first, first + batch["count"])}
    seen: set[str] = set()
    for seed in contract.get("sales", []):
        place = f"{where}, sale {seed.get('saleCesceReferenceNo') or seed.get('invoiceNo')}"
        extension = "extends" in seed
        statuses, reasons = (EXTENSION_STATUSES, EXTENSION_REASONS) if extension else (STATUSES, REASONS)
        if seed["status"] not in model.codes[statuses]:
            raise ModelError(f"{place}: unknown status {seed['status']!r}; known: {', '.join(model.codes[statuses])}")
        reason = seed.get("reason", DEFAULT_REASON.get(seed["status"]))
        if reason not in model.codes[reasons]:
            raise ModelError(f"{place}: unknown reason {reason!r}; known: {', '.join(model.codes[reasons])}")
        if extension and seed["extends"] not in seen:
            raise ModelError(f"{place}: it extends {seed['extends']}, which is not a sale declared before it")
        if not extension and seed.get("endorsementNo", "") not in numbers and seed.get("customerReference") not in references:
            raise ModelError(f"{place}: name a debtor the contract declares, by endorsementNo or customerReference")
        if "saleCesceReferenceNo" in seed:
            if seed["saleCesceReferenceNo"] in seen:
                raise ModelError(f"{place}: saleCesceReferenceNo {seed['saleCesceReferenceNo']} used twice")
            seen.add(seed["saleCesceReferenceNo"])


def seed(world: World, current: Contract, doc: dict) -> None:
    """The covers of the contract's debtors as the risk area seeded them, then its sales, each
    sale marked for re-rating with its date in the due queue; the numbering then continues
    after the highest reference seeded."""
    rating.take_covers(world, current.contract_no)
    if not doc.get("sales"):
        return
    seeded = list(seed_sales(world.tx, world.model, world.tenant, policy_of(world, current), doc, world.now, FIRST_SALE))
    store.insert(world.tx, [sale.to_row(world.tenant) for sale, _ in seeded])
    for sale, rerate_at in seeded:
        if rerate_at is not None:
            world.schedule(rerate_at, rating.NAME, current.contract_no, f"{cesce.RERATE}{sale.sale_cesce_reference_no}")
    last = max(sale.sale_cesce_reference_no for sale, _ in seeded)
    world.tx.set_number(world.tenant, current.contract_no, SALES, max(last + 1, FIRST_SALE))


def state(world: World, contract_no: str) -> dict[str, list[dict]]:
    """Every sale of the contract, with what the wire does not show: its last change, and when
    Cesce rates it again if it is marked for re-rating; then what rating reads besides the
    risk records: when each debtor's limit covered its sales, and the endorsements a claims
    dossier freezes."""
    due = _reratings(world, contract_no)
    tx, tenant = world.tx, world.tenant
    return {
        "sales": [_state_record(Sale.from_row(row), due.get(f"{cesce.RERATE}{row['sale_no']}"))
                  for row in store.sales(tx, tenant, contract_no)],
        "saleCovers": [{"endorsementNo": str(row["endorsement_no"]), "since": format_date(row["since"]),
                        "until": format_date(row["until"])} for row in store.all_covers(tx, tenant, contract_no)],
        "saleClaims": [{"endorsementNo": str(row["endorsement_no"]), "since": format_instant(row["since"])}
                       for row in store.claims(tx, tenant, contract_no)],
    }


def _reratings(world: World, contract_no: str) -> dict[str, datetime]:
    return {row["ref"]: row["due_at"] for row in world.tx.due_rows(world.tenant)
            if row["area"] == rating.NAME and row["contract_no"] == contract_no}


def _state_record(sale: Sale, rerate_at: datetime | None = None) -> dict:
    return {**render_record(sale), "changedAt": format_instant(sale.changed_at) if sale.changed_at else None,
            "rerateAt": format_instant(rerate_at) if rerate_at else None}


def restore(world: World, contract_no: str, part: dict[str, list]) -> None:
    """The inverse of ``state``, for a snapshot: the sales, the covers and the frozen
    endorsements of a contract from their views. When Cesce rates a sale again is the due
    queue's to say (restored before); a ``rerateAt`` that disagrees with it is refused."""
    due, tx, tenant = _reratings(world, contract_no), world.tx, world.tenant
    sales, seen = [], set()
    for index, view in enumerate(part["sales"]):
        try:
            sale = _restored_sale(view, contract_no, due)
        except ValueError as error:
            raise SnapshotError(f"sales/{index}", str(error)) from None
        if sale.sale_cesce_reference_no in seen:
            raise SnapshotError(f"sales/{index}/saleCesceReferenceNo", "a sale is in the contract twice")
        seen.add(sale.sale_cesce_reference_no)
        sales.append(sale.to_row(tenant))
    store.insert(tx, sales)
    for index, view in enumerate(part["saleCovers"]):
        try:
            store.open_cover(tx, tenant, contract_no, int(view["endorsementNo"]), parse_date(view["since"]),
                                parse_date(view["until"]))
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotError(f"saleCovers/{index}", f"endorsementNo, since and until (yyyyMMdd or 0): {error}") from None
    for index, view in enumerate(part["saleClaims"]):
        try:
            store.add_claim(tx, tenant, contract_no, int(view["endorsementNo"]), parse_instant(view["since"]))
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotError(f"saleClaims/{index}", f"endorsementNo and since (an instant): {error}") from None


def _restored_sale(view: dict, contract_no: str, due: dict[str, datetime]) -> Sale:
    if not isinstance(view, dict):
        raise ValueError("a record is an object of text fields")
    changed, rerate = view.get("changedAt"), view.get("rerateAt")
    sale = Sale(**parse_record(Sale, {k: v for k, v in view.items() if k not in ("changedAt", "rerateAt")}),
                contract_no=contract_no, changed_at=parse_instant(changed) if changed else None)
    scheduled = due.get(f"{cesce.RERATE}{sale.sale_cesce_reference_no}")
    if (parse_instant(rerate) if rerate else None) != scheduled:
        raise ValueError(f"rerateAt: {rerate}, but the due queue has {format_instant(scheduled) if scheduled else 'nothing'}"
                         " for this sale (rerateAt is read from the due queue)")
    return sale


# -- what Cesce does on its side (POST /_emulator/events) -----------------------------------

_CONTRACT = {"type": "string", "pattern": "^[0-9]{1,11}$"}
_SALE = {"type": "string", "pattern": "^[1-9][0-9]{0,11}$"}


def _event_schema(**more: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["contractNo", "saleCesceReferenceNo"],
            "properties": {"contractNo": _CONTRACT, "saleCesceReferenceNo": _SALE, **more}}


def _on_sale(change):
    def apply(world: World, event: dict) -> list[dict]:
        return [_state_record(change(world, event["contractNo"], int(event["saleCesceReferenceNo"])))]

    return apply


def _rerate(world: World, event: dict) -> list[dict]:
    try:
        delay = parse_duration(event.get("rerateIn", "P1D"))
    except ValueError as error:
        raise InvalidValue(field="rerateIn", allowed="an ISO 8601 duration (P1D, PT4H)") from error
    if delay < timedelta(0):
        raise InvalidValue(field="rerateIn", allowed="a duration not below zero")
    sale = cesce.mark_for_rerating(world, event["contractNo"], int(event["saleCesceReferenceNo"]), delay)
    return [_state_record(sale, world.now + delay)]


EVENTS = {
    "certify-sale": Event(_event_schema(), _on_sale(cesce.certify), "certify a rated sale (certificada)"),
    "securitise-sale": Event(_event_schema(), _on_sale(cesce.securitise), "securitise a rated or certified sale (titulizada)"),
    "cancel-sale": Event(_event_schema(), _on_sale(cesce.cancel), "take a sale off (Baja)"),
    "rerate-sale": Event(_event_schema(rerateIn={"type": "string", "maxLength": 40}), _rerate,
                         "mark a rated or rejected sale for re-rating (pendiente de retarificar); Cesce rates it again"
                         " `rerateIn` later (P1D by default)"),
}

AREA = Area(
    name=rating.NAME,
    document=HERE / "openapi.yaml",
    operations=api.operations,
    requires=("risks",),
    model=ModelPart(schema=HERE / "model.yaml", codes=TABLES, check=check),
    seed=seed,
    due=cesce.due,
    state=state,
    lists={"sales": ListView("Sales", ("saleCesceReferenceNo", "endorsementNo", "invoiceNo", "invoiceDate", "maturityDate",
                                       "currencyAmount", "statusCode", "reasonStatusCode", "accruedPremium",
                                       "collectedAmount", "changedAt", "rerateAt"),
                             recent=moved_since, recent_title="Sales moved in the last 48 hours (calendar days)",
                             limit_events=False),
           "saleCovers": ListView("When each limit covered its sales", limit_events=False),
           "saleClaims": ListView("Endorsements frozen by a claims dossier", limit_events=False)},
    events=EVENTS,
    journal_fields={"sale": ("saleCesceReferenceNo", "statusCode", "reasonStatusCode")},
    snapshot=SnapshotPart(keys=("sales", "saleCovers", "saleClaims"), restore=restore),
    migrations=migration_files(HERE / "migrations"),
    reactions={risks.LIMIT_CHANGED: cesce.after_limit_change, cesce.CLAIM_DOSSIER_OPENED: cesce.dossier_opened},
)
