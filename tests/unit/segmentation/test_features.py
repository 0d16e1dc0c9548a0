"""From ledger sums to model inputs: purchase history, margins and behaviour."""

import math
from typing import Any

import numpy as np

from services.segmentation.domain.features import derive_features
from services.segmentation.ledger_query import CONTACT_COLUMNS, DAY_COLUMNS

UNIT = 10_000


def _one_customer(**sums: float) -> dict[str, Any]:
    columns: dict[str, Any] = {name: np.zeros(1) for name in (*DAY_COLUMNS, *CONTACT_COLUMNS)}
    columns["customer_id"] = np.array(["c1"], dtype=object)
    columns["peer_group"] = np.array([None], dtype=object)
    for name, value in sums.items():
        columns[name] = np.array([value], dtype=np.float64)
    return columns


def test_margins_follow_the_definitions_of_cm1_cm2_and_cm3() -> None:
    columns = _one_customer(
        purchase_days=2,
        first_day=100,
        last_day=114,
        revenue_window=1000 * UNIT,
        cost_of_goods_window=600 * UNIT,
        returns_window=50 * UNIT,
        discounts_window=30 * UNIT,
        shipping_costs_window=20 * UNIT,
        other_direct_costs_window=10 * UNIT,
        return_handling_window=7 * UNIT,
        unpriced_returns_window=2,
        contact_cost_window=40 * UNIT,
    )

    features = derive_features(columns, as_of_day=128, return_handling_rate=10 * UNIT)
    margins = {name: float(values[0]) / UNIT for name, values in features.margins_window.items()}

    # cm1 = 1000 - 600 - 50; cm2 = cm1 - 30 - 20 - 10; cost to serve = 40 + 7 + 2 x 10
    assert margins == {
        "revenue": 1000.0,
        "contribution_margin_1": 350.0,
        "contribution_margin_2": 290.0,
        "cost_to_serve": 67.0,
        "contribution_margin_3": 223.0,
    }


def test_purchase_history_is_in_weeks_from_the_first_purchase() -> None:
    columns = _one_customer(
        purchase_days=3,
        first_day=100,
        last_day=114,
        previous_purchase_day=107,
        repeat_margin=90 * UNIT,
    )

    features = derive_features(columns, as_of_day=128, return_handling_rate=0.0)

    assert features.frequency[0] == 2
    assert features.recency_weeks[0] == 2.0
    assert features.age_weeks[0] == 4.0
    assert features.monetary[0] == 45.0
    assert features.recency_days[0] == 14
    assert features.previous_gap_days[0] == 7


def test_a_prospect_has_no_history_and_unknown_behaviour() -> None:
    features = derive_features(_one_customer(), as_of_day=128, return_handling_rate=0.0)

    assert not features.has_orders[0]
    assert features.frequency[0] == 0 and features.age_weeks[0] == 0
    assert math.isnan(features.recency_days[0])
    assert math.isnan(features.behaviour["online_share"][0])


def test_revenue_trend_compares_the_window_with_the_one_before() -> None:
    columns = _one_customer(revenue_window=40 * UNIT, revenue_prior=100 * UNIT)

    features = derive_features(columns, as_of_day=128, return_handling_rate=0.0)

    assert features.revenue_trend[0] == -0.6
