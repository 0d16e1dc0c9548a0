"""ABC classes, value tiers, share-of-wallet gaps and potential tiers on hand-checked data."""

import numpy as np
import numpy.typing as npt
import pytest

from services.segmentation.domain.config import PotentialTierRule, ValueTierRule
from services.segmentation.domain.tiers import (
    abc_classes,
    potential_tiers,
    share_of_wallet_gaps,
    value_tiers,
)


def _floats(*values: float) -> npt.NDArray[np.float64]:
    return np.array(values, dtype=np.float64)


def _flags(*values: bool) -> npt.NDArray[np.bool_]:
    return np.array(values, dtype=bool)


def test_abc_cuts_cumulative_revenue_at_80_and_95_percent() -> None:
    # Total 100; revenue share before each customer: 50→0, 30→.50, 10→.80, 5→.90, 3→.95,
    # 2→.98. A while the share before is below .80 (30 crosses 80% and is still A), B below .95.
    revenue = _floats(3, 50, 2, 10, 30, 5)

    assert abc_classes(revenue).tolist() == ["C", "A", "C", "B", "A", "B"]


def test_customers_without_positive_revenue_are_class_c() -> None:
    assert abc_classes(_floats(100, 0, -20)).tolist() == ["A", "C", "C"]
    assert abc_classes(_floats(0, 0)).tolist() == ["C", "C"]


def test_equal_revenue_earns_an_equal_class() -> None:
    # Shares before: 40→0, 40→0 (a tie starts where its first member starts), 20→.80.
    assert abc_classes(_floats(40, 20, 40)).tolist() == ["A", "B", "A"]


def test_abc_uses_the_configured_cutoffs() -> None:
    # Shares before: 50→0, 30→.50, 20→.80.
    assert abc_classes(_floats(50, 30, 20), (0.5, 0.75)).tolist() == ["A", "B", "C"]


def test_class_a_customer_with_negative_cm3_is_value_tier_negative() -> None:
    revenue = _floats(9_000, 500, 500)
    cm3 = _floats(-1_200, 100, 50)

    tiering = value_tiers(cm3, ValueTierRule(), _flags(True, True, True))

    assert abc_classes(revenue)[0] == "A"
    assert tiering.tiers[0] == "negative"


def test_quantile_tiers_cut_at_the_quantiles_of_buyers_with_non_negative_cm3() -> None:
    # Buyers 0, 10, …, 100: the median is 50 and the 80% quantile 80. The negative buyer
    # and the prospect do not move the cut-offs.
    cm3 = _floats(*range(0, 101, 10), -5, 0)
    has_orders = _flags(*[True] * 12, False)

    tiering = value_tiers(cm3, ValueTierRule(method="quantiles"), has_orders)

    assert (tiering.low_medium_cutoff, tiering.medium_high_cutoff) == (50.0, 80.0)
    assert tiering.tiers.tolist() == (
        ["low"] * 5 + ["medium"] * 3 + ["high"] * 3 + ["negative", "low"]
    )


def test_customer_without_orders_is_low_unless_negative() -> None:
    tiering = value_tiers(
        _floats(0, -30, 10, 20), ValueTierRule(), _flags(False, False, True, True)
    )

    assert tiering.tiers[:2].tolist() == ["low", "negative"]


def test_quantile_cutoffs_are_nan_when_no_buyer_qualifies() -> None:
    tiering = value_tiers(_floats(0, -10), ValueTierRule(), _flags(False, True))

    assert np.isnan(tiering.low_medium_cutoff)
    assert tiering.tiers.tolist() == ["low", "negative"]


def test_threshold_tiers_cut_at_fixed_amounts() -> None:
    rule = ValueTierRule(method="thresholds")  # medium from 500, high from 5000
    cm3 = _floats(499.99, 500, 4_999, 5_000, -0.01)

    tiering = value_tiers(cm3, rule, _flags(*[True] * 5))

    assert (tiering.low_medium_cutoff, tiering.medium_high_cutoff) == (500.0, 5_000.0)
    assert tiering.tiers.tolist() == ["low", "medium", "medium", "high", "negative"]


PEER_RULE = PotentialTierRule(peer_quantile=0.5, min_peers=3)


def test_gap_is_measured_to_the_peer_group_and_falls_back_to_cluster_and_population() -> None:
    # Peer group a|s (3 buyers): median 200. Peer group b|l has 2 buyers, too few, so its
    # customers use cluster 1 (buyers 1000, 1000, 400, 600): median 800. Cluster 2 has a
    # single buyer, so it uses all buyers (50 … 1000, nine of them): median 400.
    customers = [
        ("a|s", 0, 100.0, True),
        ("a|s", 0, 200.0, True),
        ("a|s", 0, 300.0, True),
        ("a|s", 0, 0.0, False),
        ("b|l", 1, 1_000.0, True),
        ("b|l", 1, 1_000.0, True),
        (None, 1, 400.0, True),
        (None, 1, 600.0, True),
        (None, 2, 50.0, True),
        (None, -1, 700.0, True),
        (None, -1, 0.0, False),
    ]
    peer_group = np.array([peer for peer, _, _, _ in customers], dtype=object)
    cluster = np.array([label for _, label, _, _ in customers], dtype=np.int64)
    cm2 = _floats(*(margin for _, _, margin, _ in customers))
    has_orders = _flags(*(buyer for _, _, _, buyer in customers))

    gaps = share_of_wallet_gaps(cm2, peer_group, cluster, has_orders, PEER_RULE)

    assert gaps.tolist() == [100, 0, 0, 200, 0, 0, 400, 200, 350, 0, 400]


def test_gap_is_zero_when_nobody_has_ordered() -> None:
    gaps = share_of_wallet_gaps(
        _floats(0, 0),
        np.array([None, "a|s"], dtype=object),
        np.array([-1, -1], dtype=np.int64),
        _flags(False, False),
        PEER_RULE,
    )

    assert gaps.tolist() == [0, 0]


def test_gap_quantile_interpolates_between_peers() -> None:
    rule = PotentialTierRule(peer_quantile=0.75, min_peers=2)
    gaps = share_of_wallet_gaps(
        _floats(0, 100, 200, 300, 400),
        np.array(["x|y"] * 5, dtype=object),
        np.full(5, -1, dtype=np.int64),
        _flags(*[True] * 5),
        rule,
    )

    assert gaps.tolist() == [300, 200, 100, 0, 0]


POTENTIAL_RULE = PotentialTierRule(high_quantile=0.75, low_quantile=0.4)


def test_potential_tier_follows_the_clv_rank_among_buyers() -> None:
    # Share of buyers with a smaller CLV: 0.0, 0.1, …, 0.9; high from .75, low below .4.
    clv = _floats(*range(10))

    tiers = potential_tiers(clv, np.zeros(10), _flags(*[True] * 10), POTENTIAL_RULE)

    assert tiers.tolist() == ["low"] * 4 + ["medium"] * 4 + ["high"] * 2


def test_large_gap_lifts_a_low_clv_buyer_to_high_potential() -> None:
    gap = _floats(*[0] * 9, 5_000)
    clv = _floats(*range(9, -1, -1))  # the customer with the gap has the lowest CLV

    tiers = potential_tiers(clv, gap, _flags(*[True] * 10), POTENTIAL_RULE)

    assert tiers[-1] == "high"


def test_buyers_with_equal_clv_share_a_tier() -> None:
    clv = _floats(1, 2, 3, 3, 3, 3, 7, 8)

    tiers = potential_tiers(clv, np.zeros(8), _flags(*[True] * 8), POTENTIAL_RULE)

    assert len(set(tiers[2:6].tolist())) == 1


@pytest.mark.parametrize(("prospect_gap", "expected"), [(900.0, "high"), (0.0, "low")])
def test_prospect_potential_ranks_its_gap_against_buyers(
    prospect_gap: float, expected: str
) -> None:
    # Buyers' gaps 0, 100, …, 900; a prospect at 900 has nine of ten buyers below (.9).
    gap = _floats(*range(0, 1_000, 100), prospect_gap)
    clv = _floats(*[0] * 10, 1e9)  # a prospect's own CLV does not count
    has_orders = _flags(*[True] * 10, False)

    tiers = potential_tiers(clv, gap, has_orders, POTENTIAL_RULE)

    assert tiers[-1] == expected
