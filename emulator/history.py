"""Time passing in a tenant's world: the due queue.

Everything that happens later on a tenant's clock (a committee decision, a sale rated when its
debtor's limit is decided, a claim's cover analysis, a settlement paid) is a row of one queue:
tenant, contract, due instant, area, reference. Before anything reads or changes a world, the
rows due by its "now" are popped in time order, across areas, and each is handed to its area
at its own emulated moment: after a 30-day clock jump, a request the committee decides on day 7
is a day-7 change (so it is not among the last 48 hours' movements), and what another area does
on day 10 already sees it. When nothing is due this costs one indexed query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.world import World


def catch_up(world: World) -> None:
    """Carry out, in time order, every row of the queue due by the world's now."""
    areas = world.model.areas
    while (row := world.tx.next_due(world.tenant, world.now)) is not None:
        world.tx.done(row["id"])
        area = areas.get(row["area"])
        if area is None or area.due is None:
            continue  # an area no longer served (a state file of a richer release): nothing to do
        area.due(world.at(row["due_at"]), row["contract_no"], row["ref"])
