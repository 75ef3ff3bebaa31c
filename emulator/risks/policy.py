"""What a policy (contract) says of its risks, as mocks/policies.yaml declares it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from emulator.clock import parse_duration
from emulator.wire import Amount, camel, parse_amount

_AMOUNTS = ("auto_grant_threshold", "commercial_risk_cover_pct", "political_risk_cover_pct", "premium_rate")
_KEYS = ("ppc", "committeeDelay", "committeeGrantRatio", *(camel(name) for name in _AMOUNTS))


@dataclass(frozen=True)
class Policy:
    ppc: bool
    auto_grant_threshold: Amount
    committee_delay: timedelta
    committee_grant_ratio: Decimal
    commercial_risk_cover_pct: Amount
    political_risk_cover_pct: Amount
    premium_rate: Amount  # hundredths of a percent: 30 is 0.30 %

    @classmethod
    def of(cls, doc: dict) -> Policy:
        """The risk settings of a policy document (read once per distinct document)."""
        return _parsed(tuple((key, doc[key]) for key in _KEYS))

    def cover_cost(self, granted: Amount) -> Amount:
        """The yearly cost of a PPC cover of ``granted``."""
        cost = Decimal(granted) * self.premium_rate / 10000
        return int(cost.quantize(Decimal(1), ROUND_HALF_UP))

    def committee_grant(self, requested: Amount) -> Amount:
        """What the Risk Committee grants on a request it does not reject, in whole euros."""
        euros = (Decimal(requested) * self.committee_grant_ratio / 100).quantize(Decimal(1), ROUND_HALF_UP)
        return int(euros) * 100


@cache
def _parsed(items: tuple[tuple[str, object], ...]) -> Policy:
    doc = dict(items)
    return Policy(
        ppc=doc["ppc"],
        committee_delay=parse_duration(doc["committeeDelay"]),
        committee_grant_ratio=Decimal(str(doc["committeeGrantRatio"])),
        **{name: parse_amount(doc[camel(name)]) for name in _AMOUNTS},
    )
