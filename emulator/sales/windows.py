"""When a declared sale may still change: rules 1 to 3 and 7 of the guide's §4.2, on the
tenant's clock. Plain functions of dates.

1. A sale dated in the current month or the month before: every field.
2. A sale dated in the month before those, during the policy's grace days (the first N days of
   the current month): every field but the maturity date.
3. Any other sale: nothing.
7. Its invoice or acquisition date moves only within the month the sale is dated in.

The guide's example, with 10 grace days: from 1 to 10 April 2023, sales of April and March
change in full and sales of February in all but their maturity; from 11 to 30 April, only
April's and March's. A sale dated ahead, in a month to come, is in no closed month: it changes
in full.
"""

from __future__ import annotations

from datetime import date
from enum import Enum


class Window(Enum):
    """What a sale's date lets change on a given day."""

    EVERYTHING = "everything"
    ALL_BUT_MATURITY = "all-but-maturity"
    NOTHING = "nothing"


def window(sale_day: date, today: date, grace_days: int) -> Window:
    """Rules 1 to 3: what a sale dated ``sale_day`` lets change ``today``."""
    age = month_number(today) - month_number(sale_day)
    if age <= 1:
        return Window.EVERYTHING
    if age == 2 and today.day <= grace_days:
        return Window.ALL_BUT_MATURITY
    return Window.NOTHING


def same_month(one: date, other: date) -> bool:
    """Rule 7."""
    return month_number(one) == month_number(other)


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_label(day: date) -> str:
    """A month as the sales list's filter names it: yyyyMM."""
    return f"{day.year:04d}{day.month:02d}"
