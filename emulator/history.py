"""Time passing in a tenant's world.

Before anything reads or changes a world, whatever fell due up to its "now" happens, each at its
own emulated moment: after a 30-day clock jump, a pending request that the committee decides on
day 7 is a day-7 change (so it is not among the last 48 hours' movements), not a change of today.
Each area with work that falls due adds its step here, in order.
"""

from __future__ import annotations

from emulator.risks import rules as risks
from emulator.world import World


def catch_up(world: World) -> None:
    risks.settle_due(world)
