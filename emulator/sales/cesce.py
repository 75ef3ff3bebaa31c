"""What Cesce does on its side to sales (POST /_emulator/events: certify, securitise, cancel,
mark for re-rating), and what follows, in the sales area, from what other areas announce: a
debtor's limit decided, reduced, increased or cancelled (the risk area's ``risks.limit``), a
claims dossier opened on an endorsement (``claims.dossier-opened``).

When a debtor's limit changes, at that instant:

- its covers follow (a limit that comes into force opens a period, one that stops covering
  closes it);
- its sales EN TRÁMITE (declared while the limit, or a 300xxx request on it, waited for the
  committee) are rated;
- its sales dated from that day on, rated before, are rated again, and those the changed limit
  no longer covers (cancelled, or reduced below their amount) become RECHAZADA. Sales dated
  before the change keep their rating: the limit covered them when they were made.
"""

from __future__ import annotations

from datetime import timedelta

from emulator.sales import rating, store
from emulator.sales.errors import NoSale, SaleEventNotAllowed
from emulator.sales.records import Outcome, Sale, status_key
from emulator.sales.rules import policy_of
from emulator.world import World, contract

#: What a claims area announces when a non-payment dossier opens on an endorsement (ref: its
#: endorsementNo): the sales on it can no longer be modified (guide §4.2, rule 5).
CLAIM_DOSSIER_OPENED = "claims.dossier-opened"
#: The due queue's references of re-ratings: "rerate:<saleCesceReferenceNo>".
RERATE = "rerate:"


def after_limit_change(world: World, contract_no: str, ref: str) -> None:
    """The reaction to the risk area's announcement that debtor ``ref``'s limit changed now."""
    endorsement_no = int(ref)
    rating.follow_limit(world, contract_no, endorsement_no)
    rows = store.debtor_sales(world.tx, world.tenant, contract_no, endorsement_no)
    if not rows:
        return
    policy = policy_of(world, contract(world, contract_no))
    for row in rows:
        sale = Sale.from_row(row)
        state = status_key(world.model, sale)
        if state == "pending":
            rating.save(world, sale, rating.rate(world, contract_no, policy, sale))
        elif state == "rated" and not sale.credit_note and sale.sale_date(policy.factoring_policy) >= world.today:
            outcome = rating.rate(world, contract_no, policy, sale, again=True)
            if outcome.status != state or outcome.premium != sale.accrued_premium:
                rating.save(world, sale, outcome)


def dossier_opened(world: World, contract_no: str, ref: str) -> None:
    """The reaction to a claims dossier opened on endorsement ``ref`` (rule 5)."""
    store.add_claim(world.tx, world.tenant, contract_no, int(ref), world.now)


def certify(world: World, contract_no: str, sale_no: int) -> Sale:
    """Cesce certifies a rated sale (certificada): it can no longer be modified (rule 4)."""
    return _change(world, contract_no, sale_no, "certify-sale", {"rated"}, "certified")


def securitise(world: World, contract_no: str, sale_no: int) -> Sale:
    """A rated or certified sale is securitised (titulizada): no longer modifiable (rule 4)."""
    return _change(world, contract_no, sale_no, "securitise-sale", {"rated", "certified"}, "securitised")


def cancel(world: World, contract_no: str, sale_no: int) -> Sale:
    """Cesce takes a sale off (Baja): it accrues no premium and can no longer be modified
    (rule 6); a re-rating it waited for is dropped."""
    sale = _sale(world, contract_no, sale_no)
    if status_key(world.model, sale) == "cancelled":
        raise SaleEventNotAllowed(saleCesceReferenceNo=str(sale_no), statusCode=sale.status_code, event="cancel-sale")
    world.tx.unschedule(world.tenant, contract_no, rating.NAME, f"{RERATE}{sale_no}")
    return rating.save(world, sale, Outcome("cancelled", "cancelled", 0))


def mark_for_rerating(world: World, contract_no: str, sale_no: int, rerate_in: timedelta) -> Sale:
    """Cesce marks a rated or rejected sale pendiente de retarificar: it cannot be modified
    (rule 6) until Cesce rates it again, ``rerate_in`` later on the tenant's clock."""
    sale = _change(world, contract_no, sale_no, "rerate-sale", {"rated", "rejected"}, "rerating")
    world.schedule(world.now + rerate_in, rating.NAME, contract_no, f"{RERATE}{sale_no}")
    return sale


def due(world: World, contract_no: str, ref: str) -> None:
    """The due queue's work: a sale marked for re-rating is rated again at its date."""
    if not ref.startswith(RERATE):
        return
    row = store.sale(world.tx, world.tenant, contract_no, int(ref.removeprefix(RERATE)))
    if row is None or status_key(world.model, sale := Sale.from_row(row)) != "rerating":
        return  # taken off, or changed, since it was marked
    policy = policy_of(world, contract(world, contract_no))
    rating.save(world, sale, rating.rate(world, contract_no, policy, sale, again=True))


def _change(world: World, contract_no: str, sale_no: int, event: str, allowed: set[str], target: str) -> Sale:
    sale = _sale(world, contract_no, sale_no)
    if status_key(world.model, sale) not in allowed:
        raise SaleEventNotAllowed(saleCesceReferenceNo=str(sale_no), statusCode=sale.status_code, event=event)
    reason = "pending-rerating" if target == "rerating" else target
    return rating.save(world, sale, Outcome(target, reason, sale.accrued_premium))


def _sale(world: World, contract_no: str, sale_no: int) -> Sale:
    contract(world, contract_no)
    row = store.sale(world.tx, world.tenant, contract_no, sale_no)
    if row is None:
        raise NoSale()
    return Sale.from_row(row)
