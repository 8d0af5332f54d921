"""Exact money: decimal text <-> integer hundredths, and revenue shares that add up."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services import money
from services.commerce import sales_stats
from services.money import InvalidAmount, split, to_minor, to_text


@given(st.integers(min_value=0, max_value=money.MAX_TOTAL_MINOR))
def test_text_round_trips_through_minor_units(minor):
    assert to_minor(to_text(minor)) == minor
    assert Decimal(to_text(minor)) * 100 == minor


@given(st.integers(min_value=0, max_value=10**9 - 1), st.integers(min_value=0, max_value=99))
def test_one_or_two_decimals_mean_the_same_amount(units, cents):
    assert to_minor(f"{units}.{cents:02d}") == units * 100 + cents
    if cents % 10 == 0:
        assert to_minor(f"{units}.{cents // 10}") == units * 100 + cents


def test_tenths_add_up_exactly():
    assert to_text(to_minor("0.10") + to_minor("0.20")) == "0.30"
    # (0.1 + 0.2 != 0.3 in binary floats: why amounts never pass through one.)


@pytest.mark.parametrize("bad", [0.1, 10, True, None, "1.234", "-1", "1.", ".5", " 1", "1e3", "1,00", "١٢",
                                 "+1", "1.0\n", "12345678901234"])
def test_anything_but_a_plain_decimal_string_is_refused(bad):
    with pytest.raises(InvalidAmount):
        to_minor(bad)


@given(st.integers(min_value=0, max_value=10**12),
       st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=20))
def test_shares_are_proportional_and_sum_exactly(amount, weights):
    shares = split(amount, weights)
    assert sum(shares) == amount and all(share >= 0 for share in shares)
    whole = sum(weights)
    largest = weights.index(max(weights))
    for i, (share, weight) in enumerate(zip(shares, weights)):
        fair = amount * weight // whole if whole else 0
        assert share == fair or (i == largest and share >= fair)


def test_the_order_bound_keeps_every_all_time_figure_inside_64_bit_integers():
    """The worst case: every one of a tenant's MAX_ORDERS_PER_TENANT orders at the bound,
    completed (revenue = total, in the totals and once more split over its product
    types, each within the totals), on top of the largest imported legacy figure."""
    worst = money.MAX_TOTAL_MINOR * money.MAX_ORDERS_PER_TENANT + money.MAX_IMPORTED_MINOR
    assert worst <= money.INT64_MAX == 2**63 - 1
    assert to_minor(money.MAX_TOTAL_TEXT) == money.MAX_TOTAL_MINOR
    assert to_text(money.MAX_TOTAL_MINOR) == money.MAX_TOTAL_TEXT


@pytest.mark.parametrize("over", ["1000000000.01", "9999999999.99", "9999999999999.99"])
def test_amounts_over_the_bound_are_refused(over):
    with pytest.raises(InvalidAmount, match="At most 1000000000.00"):
        to_minor(over)


def test_the_statistics_refuse_to_add_a_revenue_over_the_bound():
    order = {"revenue": money.MAX_TOTAL_MINOR + 1, "items": [{"product_type": "x", "total": 1}]}
    with pytest.raises(InvalidAmount):
        sales_stats.increments(order, "completed")
    assert sales_stats.increments({**order, "revenue": money.MAX_TOTAL_MINOR}, "completed")["revenue"] \
        == money.MAX_TOTAL_MINOR
