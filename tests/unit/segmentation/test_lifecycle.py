"""Lifecycle stages from purchase rhythm, each with the reason a person reads."""

import math
from typing import Any

import numpy as np
import pytest

from services.segmentation.domain.config import LifecycleRule
from services.segmentation.domain.lifecycle import (
    LifecycleInput,
    lifecycle_stages,
    population_interval_days,
)

TIMES = "\N{MULTIPLICATION SIGN}"
RULE = LifecycleRule()
POPULATION_INTERVAL = 90.0
NAN = math.nan


def history(**changes: Any) -> dict[str, Any]:
    """A developing customer (3 orders in 220 days, every 100 days) with the given changes."""
    return {
        "purchase_days": 3,
        "tenure_days": 220.0,
        "recency_days": 20.0,
        "repeat_span_days": 200.0,
        "previous_gap_days": 100.0,
        "churn_risk": 0.1,
        "revenue_trend": 0.0,
    } | changes


PROSPECT = history(
    purchase_days=0,
    tenure_days=NAN,
    recency_days=NAN,
    repeat_span_days=NAN,
    previous_gap_days=NAN,
    churn_risk=NAN,
    revenue_trend=NAN,
)


def one_time_buyer(days_ago: float) -> dict[str, Any]:
    return history(
        purchase_days=1,
        tenure_days=days_ago,
        recency_days=days_ago,
        repeat_span_days=0.0,
        previous_gap_days=NAN,
    )


def lifecycle_input(*histories: dict[str, Any]) -> LifecycleInput:
    return LifecycleInput(
        purchase_days=np.array([h["purchase_days"] for h in histories], dtype=np.int64),
        **{
            field: np.array([h[field] for h in histories], dtype=np.float64)
            for field in (
                "tenure_days",
                "recency_days",
                "repeat_span_days",
                "previous_gap_days",
                "churn_risk",
                "revenue_trend",
            )
        },
    )


def stage_of(customer: dict[str, Any]) -> tuple[str, str]:
    stages, reasons = lifecycle_stages(lifecycle_input(customer), RULE, POPULATION_INTERVAL)
    return str(stages[0]), reasons[0]


def test_customer_without_orders_is_a_prospect() -> None:
    assert stage_of(PROSPECT) == ("prospect", "no order yet")


def test_customer_silent_for_four_intervals_is_lapsed_with_reason() -> None:
    every_45_days = history(
        purchase_days=5, tenure_days=370.0, recency_days=190.0, repeat_span_days=180.0
    )

    assert stage_of(every_45_days) == (
        "lapsed",
        f"no order for 190 days, 4.2{TIMES} its usual interval of 45 days",
    )


def test_lapsed_needs_the_minimum_days_however_short_the_rhythm() -> None:
    every_10_days = history(
        purchase_days=31, tenure_days=360.0, recency_days=60.0, repeat_span_days=300.0
    )

    assert stage_of(every_10_days) == (
        "at_risk",
        f"no order for 60 days, 6.0{TIMES} its usual interval of 10 days",
    )


def test_one_time_buyer_is_measured_against_the_population_rhythm() -> None:
    assert stage_of(one_time_buyer(400.0)) == (
        "lapsed",
        f"no order for 400 days, 4.4{TIMES} the usual interval of customers (90 days)",
    )
    assert stage_of(one_time_buyer(200.0)) == (
        "at_risk",
        f"no order for 200 days, 2.2{TIMES} the usual interval of customers (90 days)",
    )


def test_lapsed_customer_who_orders_again_is_reactivated() -> None:
    # Orders 520, 480, 440, 420 and 20 days ago: every ~33 days before the 400-day silence.
    returned = history(
        purchase_days=5,
        tenure_days=520.0,
        recency_days=20.0,
        repeat_span_days=500.0,
        previous_gap_days=400.0,
    )

    assert stage_of(returned) == (
        "reactivated",
        "ordered again 20 days ago after 400 days without an order",
    )


def test_reactivated_customer_moves_on_after_the_reactivation_period() -> None:
    returned_long_ago = history(
        purchase_days=5,
        tenure_days=700.0,
        recency_days=200.0,
        repeat_span_days=500.0,
        previous_gap_days=400.0,
    )

    assert stage_of(returned_long_ago)[0] != "reactivated"


def test_recent_first_order_is_new() -> None:
    assert stage_of(one_time_buyer(45.0)) == ("new", "first order 45 days ago")


def test_new_customer_stays_new_despite_high_churn_risk() -> None:
    assert stage_of(one_time_buyer(1.0) | {"churn_risk": 0.99}) == ("new", "first order 1 day ago")


def test_customer_overdue_by_two_intervals_is_at_risk() -> None:
    every_45_days = history(
        purchase_days=5, tenure_days=300.0, recency_days=120.0, repeat_span_days=180.0
    )

    assert stage_of(every_45_days) == (
        "at_risk",
        f"no order for 120 days, 2.7{TIMES} its usual interval of 45 days",
    )


def test_high_churn_risk_puts_a_customer_at_risk() -> None:
    assert stage_of(history(churn_risk=0.91)) == (
        "at_risk",
        "churn risk 0.91: unlikely to order within the next period",
    )


def test_halving_revenue_puts_a_customer_at_risk() -> None:
    assert stage_of(history(revenue_trend=-0.55)) == (
        "at_risk",
        "12-month revenue down 55% on the year before",
    )


def test_unknown_revenue_trend_does_not_put_a_customer_at_risk() -> None:
    assert stage_of(history(revenue_trend=NAN))[0] == "developing"


def test_regular_long_standing_customer_is_loyal() -> None:
    fourteen_orders = history(
        purchase_days=14, tenure_days=1_132.0, recency_days=32.0, repeat_span_days=1_100.0
    )

    assert stage_of(fourteen_orders) == ("loyal", "14 orders over 3.1 years, at its usual rhythm")


def test_customer_between_new_and_loyal_is_developing() -> None:
    assert stage_of(history()) == ("developing", "3 orders in 220 days")


def test_stages_are_decided_for_many_customers_at_once() -> None:
    customers = [PROSPECT, history(), one_time_buyer(45.0), history(churn_risk=0.9), PROSPECT]

    stages, reasons = lifecycle_stages(lifecycle_input(*customers), RULE, POPULATION_INTERVAL)

    assert stages.tolist() == ["prospect", "developing", "new", "at_risk", "prospect"]
    assert reasons[1] == "3 orders in 220 days"


def test_population_interval_is_the_median_own_interval_of_regular_customers() -> None:
    # Own intervals 60/2 = 30, 200/4 = 50, 300/3 = 100; the 2-order and the prospect don't count.
    customers = lifecycle_input(
        history(purchase_days=3, repeat_span_days=60.0),
        history(purchase_days=5, repeat_span_days=200.0),
        history(purchase_days=4, repeat_span_days=300.0),
        history(purchase_days=2, repeat_span_days=1_000.0),
        PROSPECT,
    )

    assert population_interval_days(customers) == 50.0


def test_population_interval_falls_back_to_90_days_without_regular_customers() -> None:
    assert population_interval_days(lifecycle_input(PROSPECT, one_time_buyer(10.0))) == 90.0


@pytest.mark.parametrize(("own_rhythm_min_repeats", "expected"), [(1, "lapsed"), (2, "at_risk")])
def test_own_rhythm_needs_the_configured_repeats(
    own_rhythm_min_repeats: int, expected: str
) -> None:
    # Two orders 30 days apart, the last 200 days ago: 6.7 own intervals, 2.2 population ones.
    two_orders = history(
        purchase_days=2,
        tenure_days=230.0,
        recency_days=200.0,
        repeat_span_days=30.0,
        previous_gap_days=30.0,
    )
    rule = LifecycleRule(own_rhythm_min_repeats=own_rhythm_min_repeats)

    stages, _ = lifecycle_stages(lifecycle_input(two_orders), rule, POPULATION_INTERVAL)

    assert stages[0] == expected
