"""How Cesce rates a sale, and how a sale follows its debtor's limit. Sources: the guide §4.1,
PUBLIC-FACTS §2.6 and §2.10 (rules R15-R19, R21). Where they are silent, cesce-sandbox's choices
are documented in mocks/README.md ("How a sale is rated").

A sale is rated against what its debtor's limit covered on the sale's date (the invoice date,
or the acquisition date on a factoring policy). The sales area keeps those periods
(``sale_covers``) from the risk records as a contract is seeded and from every firm change the
risk area announces (``risks.limit``): a limit in force covers from the day its request entered
Cesce, and stops covering on its cancellation date. Plain Python; no HTTP.
"""

from __future__ import annotations

from emulator.risks import records as risk_records
from emulator.risks import store as risk_store
from emulator.risks.records import Debtor
from emulator.sales import store
from emulator.sales.policy import ABONOS, ENDOSOS, SalesPolicy
from emulator.sales.records import IN_FORCE, Outcome, Sale, settle, status_key
from emulator.world import World

NAME = "sales"


def rate(world: World, contract_no: str, policy: SalesPolicy, sale: Sale, again: bool = False) -> Outcome:
    """What Cesce says of ``sale`` now: TARIFICADA (5) with its premium, RECHAZADA (9) with the
    reason, or EN TRÁMITE (1) while its debtor's limit waits for a decision. ``again``: a sale
    rated before (modified, re-rated by Cesce) is TARIFICADA with reason "rerated"."""
    if sale.credit_note:
        return _rate_credit_note(world, contract_no, policy, sale)
    debtor = debtor_of(world, contract_no, sale.endorsement_no)
    if limit_pending(world, debtor):
        return Outcome("pending", "pending-limit")
    rated = "rerated" if again else "rated"
    if sale.extension:
        return _rate_extension(world, contract_no, policy, sale, debtor, rated)
    if not _covered(world, debtor, sale.sale_date(policy.factoring_policy)):
        return Outcome("rejected", "no-credit")
    if (sale.maturity_date - sale.invoice_date).days > _payment_terms(policy, debtor):
        return Outcome("rejected", "maturity-beyond-terms")
    premium = policy.premium(sale.currency_amount)
    if not in_force(world, debtor):
        # A sale on an annulled or expired endorsement, from when it still covered: an endorsed
        # sale, rated only with the Endosos supplement (R19).
        if ENDOSOS not in policy.supplements:
            return Outcome("rejected", "endorsed-without-endosos")
        return Outcome("rated", "rated-endorsed", premium)
    if sale.currency_amount > debtor.credit_limit_granted:
        return Outcome("rejected", "above-limit")
    return Outcome("rated", rated, premium)


def _rate_credit_note(world: World, contract_no: str, policy: SalesPolicy, sale: Sale) -> Outcome:
    """R18: a credit note needs the Abonos supplement and positive sales of its debtor in force;
    its premium is negative, and never more negative than what those sales (less the credit
    notes already rated against them) accrued."""
    if ABONOS not in policy.supplements:
        return Outcome("rejected", "credit-note-without-abonos")
    others = [other for row in store.debtor_sales(world.tx, world.tenant, contract_no, sale.endorsement_no)
              if (other := Sale.from_row(row)).sale_cesce_reference_no != sale.sale_cesce_reference_no
              and status_key(world.model, other) in IN_FORCE]
    if not any(other.currency_amount > 0 for other in others):
        return Outcome("rejected", "credit-note-without-sales")
    left = max(sum(other.accrued_premium for other in others), 0)
    return Outcome("rated", "rated-credit-note", max(policy.premium(sale.currency_amount), -left))


def _rate_extension(world: World, contract_no: str, policy: SalesPolicy, sale: Sale, debtor: Debtor,
                    rated: str) -> Outcome:
    """An extended sale (R21) needs the debtor's limit in force when it is declared, a new
    maturity within the policy's maximum extension, and an unpaid part the limit covers; its
    premium is on that part."""
    if not in_force(world, debtor):
        return Outcome("rejected", "no-credit")
    original = Sale.from_row(store.sale(world.tx, world.tenant, contract_no, sale.original_sale_cesce_reference_no))
    if (sale.maturity_date - original.maturity_date).days > policy.max_extension_days:
        return Outcome("rejected", "extension-too-long")
    if sale.maturity_amount > debtor.credit_limit_granted:
        return Outcome("rejected", "above-limit")
    return Outcome("rated", rated, policy.premium(sale.maturity_amount))


def _payment_terms(policy: SalesPolicy, debtor: Debtor) -> int:
    """Days from invoice to maturity the debtor's limit covers: its granted payment terms, or
    the policy's when it grants none."""
    terms = debtor.payment_terms_granted
    return int(terms) if terms and terms.isdigit() else policy.max_payment_terms


# -- the debtor's limit ---------------------------------------------------------------------


def debtor_of(world: World, contract_no: str, endorsement_no: int) -> Debtor:
    row = risk_store.debtor(world.tx, world.tenant, contract_no, endorsement_no)
    return Debtor.from_row(row)


def limit_pending(world: World, debtor: Debtor) -> bool:
    """The debtor's classification, or a 300xxx request on it, waits EN TRÁMITE."""
    return (risk_records.status_key(world.model, debtor.status_code) == "pending"
            or risk_store.request_pending_on(world.tx, world.tenant, debtor.contract_no, debtor.endorsement_no) is not None)


def in_force(world: World, debtor: Debtor) -> bool:
    """The debtor's limit covers now: in force, and not past its validity date."""
    live = risk_records.status_key(world.model, debtor.status_code) == "in-force"
    return live and (debtor.validity_date is None or debtor.validity_date >= world.today)


def _covered(world: World, debtor: Debtor, day) -> bool:
    _ensure_covers(world, debtor.contract_no, debtor.endorsement_no)
    return store.covered(world.tx, world.tenant, debtor.contract_no, debtor.endorsement_no, day)


def take_covers(world: World, contract_no: str, endorsement_no: int | None = None) -> None:
    """The covers the risk records of a contract (or of one debtor) show as they stand."""
    model = world.model
    store.take_covers(world.tx, world.tenant, contract_no, risk_records.status(model, "in-force"),
                      risk_records.status(model, "cancelled"), endorsement_no)


def _ensure_covers(world: World, contract_no: str, endorsement_no: int) -> bool:
    """Take the debtor's covers from its record if the sales area has none yet (a debtor
    classified after its contract was seeded, or one of a state file from before sales); True
    when it had some."""
    if store.covers(world.tx, world.tenant, contract_no, endorsement_no):
        return True
    take_covers(world, contract_no, endorsement_no)
    return False


def follow_limit(world: World, contract_no: str, endorsement_no: int) -> None:
    """Keep the debtor's covers as its limit changes: a limit that comes into force opens a
    period (from its request's entry, or from today when it comes back after a gap), one that
    stops covering (cancelled, deactivated) closes the open period."""
    if not _ensure_covers(world, contract_no, endorsement_no):
        return
    debtor = debtor_of(world, contract_no, endorsement_no)
    rows = store.covers(world.tx, world.tenant, contract_no, endorsement_no)
    open_ = any(row["until"] is None for row in rows)
    live = risk_records.status_key(world.model, debtor.status_code) == "in-force"
    if live and not open_:
        gap = max((row["until"] for row in rows if row["until"] is not None), default=None)
        entered = debtor.request_entry_date
        since = entered if entered and (gap is None or entered >= gap) else world.today
        store.open_cover(world.tx, world.tenant, contract_no, endorsement_no, since)
    elif not live and open_:
        store.close_cover(world.tx, world.tenant, contract_no, endorsement_no, debtor.cancellation_date or world.today)


def save(world: World, sale: Sale, outcome: Outcome) -> Sale:
    """Store the sale as Cesce rates it now: a movement."""
    rated = settle(world.model, sale, outcome, world.now)
    store.update(world.tx, world.tenant, sale.contract_no, sale.sale_cesce_reference_no, rated.to_row(world.tenant))
    return rated
