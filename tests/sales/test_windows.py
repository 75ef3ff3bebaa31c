"""The modification windows (rules 1 to 3 and 7 of the guide's §4.2) and the premium, as plain
functions: what the API tests drive through the clock, held here for every day and month."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from emulator.sales.policy import SalesPolicy
from emulator.sales.windows import Window, month_label, same_month, window

days = st.dates(date(2000, 3, 1), date(2099, 12, 31))


def months_back(day: date, count: int) -> date:
    """A day of the month ``count`` months before ``day``'s."""
    for _ in range(count):
        day = day.replace(day=1) - timedelta(days=1)
    return day


@given(today=days, grace=st.integers(0, 31), back=st.integers(0, 1), day_of_month=st.integers(1, 28))
def test_rule_1_the_current_and_previous_months_change_in_full(today, grace, back, day_of_month):
    sale_day = months_back(today, back).replace(day=day_of_month)
    assert window(sale_day, today, grace) is Window.EVERYTHING


@given(today=days, grace=st.integers(0, 31), day_of_month=st.integers(1, 28))
def test_rule_2_the_month_before_those_only_in_the_grace_days_and_never_its_maturity(today, grace, day_of_month):
    sale_day = months_back(today, 2).replace(day=day_of_month)
    expected = Window.ALL_BUT_MATURITY if today.day <= grace else Window.NOTHING
    assert window(sale_day, today, grace) is expected


@given(today=days, grace=st.integers(0, 31), back=st.integers(3, 60))
def test_rule_3_nothing_older_changes(today, grace, back):
    assert window(months_back(today, back), today, grace) is Window.NOTHING


@given(today=days, grace=st.integers(0, 31), ahead=st.integers(1, 400))
def test_a_sale_dated_ahead_changes_in_full(today, grace, ahead):
    assert window(today + timedelta(days=ahead), today, grace) is Window.EVERYTHING


def test_across_a_year_end():
    assert window(date(2022, 11, 30), date(2023, 1, 10), 10) is Window.ALL_BUT_MATURITY
    assert window(date(2022, 11, 30), date(2023, 1, 11), 10) is Window.NOTHING
    assert window(date(2022, 12, 1), date(2023, 1, 31), 0) is Window.EVERYTHING


@given(one=days, other=days)
def test_rule_7_same_month(one, other):
    assert same_month(one, other) == (month_label(one) == month_label(other))


def test_the_premium_follows_the_policys_rate_and_sign():
    policy = SalesPolicy.of({"sales": {"graceDays": 10, "factoring": "none", "premiumRate": "0,25", "maxPaymentTerms": 120,
                                       "maxExtensionDays": 90}})
    assert (policy.premium(1250000), policy.premium(-200000), policy.premium(199), policy.premium(201)) == (3125, -500, 0, 1)
    assert policy.grace_days == 10 and not policy.factoring_policy and not policy.supplements
