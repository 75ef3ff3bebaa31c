"""Policy (contract) settings, as mocks/policies.yaml declares them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from emulator.clock import parse_duration
from emulator.wire import Amount, camel, format_amount, parse_amount

_AMOUNTS = ("auto_grant_threshold", "commercial_risk_cover_pct", "political_risk_cover_pct", "premium_rate")


@dataclass(frozen=True)
class Policy:
    modality: str
    ppc: bool
    auto_grant_threshold: Amount
    committee_delay: timedelta
    committee_grant_ratio: Decimal
    commercial_risk_cover_pct: Amount
    political_risk_cover_pct: Amount
    premium_rate: Amount  # hundredths of a percent: 30 is 0.30 %
    description: str = ""

    @classmethod
    def from_doc(cls, doc: dict) -> Policy:
        return cls(
            modality=doc["modality"],
            ppc=doc["ppc"],
            committee_delay=parse_duration(doc["committeeDelay"]),
            committee_grant_ratio=Decimal(str(doc["committeeGrantRatio"])),
            description=doc.get("description", ""),
            **{name: parse_amount(doc[camel(name)]) for name in _AMOUNTS},
        )

    def to_doc(self) -> dict:
        doc = {camel(k): v for k, v in asdict(self).items()}
        doc.update({camel(name): format_amount(getattr(self, name)) for name in _AMOUNTS})
        seconds = int(self.committee_delay.total_seconds())
        doc["committeeDelay"] = f"PT{seconds}S"
        doc["committeeGrantRatio"] = float(self.committee_grant_ratio)
        return doc

    def cover_cost(self, granted: Amount) -> Amount:
        """The yearly cost of a PPC cover of ``granted``."""
        cost = Decimal(granted) * self.premium_rate / 10000
        return int(cost.quantize(Decimal(1), ROUND_HALF_UP))

    def committee_grant(self, requested: Amount) -> Amount:
        """What the Risk Committee grants on a request it does not reject, in whole euros."""
        euros = (Decimal(requested) * self.committee_grant_ratio / 100).quantize(Decimal(1), ROUND_HALF_UP)
        return int(euros) * 100
