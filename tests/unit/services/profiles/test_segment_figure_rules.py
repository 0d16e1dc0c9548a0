"""Rules of segment figures: moments, effect sizes, distinctions, NPS and drift."""

import math
import statistics

import pytest

from services.profiles.segment_figure_rules import (
    Moments,
    distinctions,
    drifts,
    net_promoter_score,
    proportion_difference,
    relative_change,
    rest_share,
    standardised_difference,
)


def moments(values: list[float], reference: float = 0.0) -> Moments:
    deviations = [v - reference for v in values]
    return Moments(len(values), sum(deviations), sum(d * d for d in deviations), reference)


def test_moments_give_mean_and_sample_variance_whatever_the_reference() -> None:
    values = [1_000_001.0, 1_000_003.0, 1_000_008.0]

    for reference in (0.0, 1_000_004.0):
        found = moments(values, reference)
        assert found.mean == pytest.approx(statistics.mean(values))
        assert found.variance == pytest.approx(statistics.variance(values))


def test_the_rest_is_everyone_minus_the_segment() -> None:
    segment, rest = [1.0, 2.0, 3.0], [10.0, 12.0]
    everyone = moments(segment + rest, reference=5.0)

    found = everyone.minus(moments(segment, reference=5.0))

    assert found.count == 2
    assert found.mean == pytest.approx(11.0)
    assert found.variance == pytest.approx(statistics.variance(rest))


def test_standardised_difference_is_cohens_d() -> None:
    segment, rest = [4.0, 5.0, 6.0], [1.0, 2.0, 3.0]

    effect = standardised_difference(moments(segment), moments(rest))

    assert effect == pytest.approx(3.0)  # means 5 and 2, pooled standard deviation 1


def test_no_difference_without_two_values_on_each_side_or_any_spread() -> None:
    assert standardised_difference(moments([1.0]), moments([1.0, 2.0])) is None
    assert standardised_difference(moments([2.0, 2.0]), moments([2.0, 2.0])) is None
    assert Moments(0, 0.0, 0.0).mean is None


def test_proportion_difference_is_cohens_h() -> None:
    assert proportion_difference(0.5, 0.5) == 0
    assert proportion_difference(1.0, 0.0) == pytest.approx(math.pi)
    assert proportion_difference(0.1, 0.4) < 0


def test_distinctions_keep_the_strongest_above_a_small_effect() -> None:
    numeric = {
        "clv": (moments([4.0, 5.0, 6.0]), moments([1.0, 2.0, 3.0])),
        "churn_risk": (moments([0.5, 0.6]), moments([0.5, 0.61])),
    }
    shares = {"lifecycle_stage=at_risk": (0.6, 0.1), "channel=web": (0.3, 0.31)}

    found = distinctions(numeric, shares, top=5)

    assert [d.feature for d in found] == ["clv", "lifecycle_stage=at_risk"]
    assert found[0].segment_value == pytest.approx(5.0)
    assert found[0].rest_value == pytest.approx(2.0)
    assert found[1].effect > 0


def test_distinctions_are_limited_to_the_top_ones() -> None:
    shares = {f"channel=c{n}": (0.9, 0.1 * n / 10) for n in range(1, 9)}

    found = distinctions({}, shares, top=3)

    assert [d.feature for d in found] == ["channel=c1", "channel=c2", "channel=c3"]


def test_rest_share_counts_the_customers_outside_the_segment() -> None:
    assert rest_share(segment_count=3, segment_size=4, all_count=5, all_size=10) == 2 / 6
    assert rest_share(segment_count=3, segment_size=4, all_count=3, all_size=4) == 0.0


def test_net_promoter_score() -> None:
    assert net_promoter_score(promoters=5, detractors=2, answers=10) == 30
    assert net_promoter_score(0, 0, 0) is None


def test_relative_change() -> None:
    assert relative_change(100.0, 125.0) == 0.25
    assert relative_change(-200.0, -100.0) == 0.5  # a negative margin that improved
    assert relative_change(0.0, 5.0) is None
    assert relative_change(None, 5.0) is None


def test_drift_beyond_the_threshold_flags_the_figure() -> None:
    approved = {"size": 100.0, "contribution_margin_3_12m": 5000.0, "csat_mean": None}
    current = {"size": 121.0, "contribution_margin_3_12m": 4100.0, "csat_mean": 4.2}

    found = {d.figure: d for d in drifts(approved, current, list(approved), threshold=0.2)}

    assert found["size"].beyond_threshold
    assert found["size"].change == pytest.approx(0.21)
    assert not found["contribution_margin_3_12m"].beyond_threshold  # -18 %
    assert not found["csat_mean"].beyond_threshold
    assert found["csat_mean"].change is None


def test_a_figure_that_was_zero_at_approval_drifts_once_it_is_not() -> None:
    [grown] = drifts({"size": 0.0}, {"size": 3.0}, ["size"], threshold=0.2)
    [still] = drifts({"size": 0.0}, {"size": 0.0}, ["size"], threshold=0.2)

    assert grown.beyond_threshold and grown.change is None
    assert not still.beyond_threshold
