"""Cesce's cover analysis of a non-payment, and how what it pays and recovers is shared: plain
arithmetic on hundredths, with no store or clock, so each rule is tested at its boundaries.

- The limit that covers a sale is the one the debtor had on the sale's date (the invoice date;
  the acquisition date on factoring policies): a sale made after the limit was cancelled has
  none, one made after a reduction only the reduced amount.
- The covered amount is the unpaid amount up to what is left of that limit once the dossier's
  non-payments analysed before took their covered part; the rest is not covered.
- The indemnifiable amount is the covered amount times the debtor's cover percentage (the
  insured keeps the rest of the risk); everything else of the unpaid amount is non-indemnifiable.
  Each pair (covered + not covered, indemnifiable + non-indemnifiable) adds up to the unpaid amount.
- The settlement adds late-payment interest on the principal indemnified: the policy's yearly
  rate, for the days from the maturity to the settlement, over 365.
- A recovery made after Cesce indemnified is shared as the cover percentage says, Cesce's part
  never more than it paid less what it already recovered; before any payment it is the insured's.
  Cesce's own recovery is the policy's share of what is still unpaid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from emulator.wire import Amount


@dataclass(frozen=True)
class Analysis:
    limit: Amount
    covered: Amount
    not_covered: Amount
    indemnifiable: Amount
    non_indemnifiable: Amount


def limit_on(entries: Iterable[tuple[date | None, Amount]], day: date) -> Amount:
    """The amount of the debtor's limit on ``day``: of the last entry (since, amount) in force
    by then, an entry without a date counting from always; later entries of one date win."""
    known = [(since or date.min, amount) for since, amount in entries if since is None or since <= day]
    return sorted(known, key=lambda entry: entry[0])[-1][1] if known else 0


def analyse(unpaid: Amount, limit: Amount, taken: Amount, cover_pct: Amount, covered: Amount | None = None) -> Analysis:
    """The analysis of ``unpaid`` against ``limit``, of which the dossier's earlier non-payments
    took ``taken``; ``covered``: the experts' own figure (at most the unpaid amount)."""
    if covered is None:
        covered = min(unpaid, max(0, limit - taken))
    covered = max(0, min(covered, unpaid))
    indemnifiable = share(covered, cover_pct)
    return Analysis(limit, covered, unpaid - covered, indemnifiable, unpaid - indemnifiable)


def interest(principal: Amount, yearly_rate: Amount, maturity: date, settled: date) -> Amount:
    """Late-payment interest on ``principal`` at ``yearly_rate`` (hundredths of a percent) from
    the maturity to the settlement."""
    days = max(0, (settled - maturity).days)
    return _round(Decimal(principal) * yearly_rate * days / (10000 * 365))


def recovery_shares(amount: Amount, cover_pct: Amount, indemnified: Amount, cesce_recovered: Amount) -> tuple[Amount, Amount]:
    """(Cesce's part, the insured's part) of an amount recovered."""
    cesce = min(share(amount, cover_pct), max(0, indemnified - cesce_recovered)) if indemnified else 0
    return cesce, amount - cesce


def share(amount: Amount, pct: Amount) -> Amount:
    """``pct`` (hundredths of a percent) of ``amount``, rounded half up to the cent."""
    return _round(Decimal(amount) * pct / 10000)


def _round(value: Decimal) -> Amount:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))
