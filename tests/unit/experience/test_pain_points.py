"""Gap to the targets, margin per contact and impact of pain points."""

from decimal import Decimal

import pytest

from services.experience.domain.pain_points import (
    Targets,
    experience_gap,
    impact,
    margin_per_contact,
    rank_key,
)

TARGETS = Targets(csat=4.0, nps=30.0)


def test_the_gap_is_the_shortfall_as_a_share_of_the_way_to_the_worst_answer() -> None:
    assert experience_gap(2.5, None, TARGETS) == pytest.approx(1.5 / 3)
    assert experience_gap(None, -35.0, TARGETS) == pytest.approx(65 / 130)
    assert experience_gap(3.7, -70.0, TARGETS) == pytest.approx(100 / 130)
    assert experience_gap(4.5, 50.0, TARGETS) == 0.0
    assert experience_gap(None, None, TARGETS) is None


def test_impact_is_volume_times_gap_times_margin_per_contact() -> None:
    margin = margin_per_contact(Decimal("3000.00"), 10)

    assert margin == Decimal("300")
    assert impact(40, 0.5, margin) == Decimal("6000.0")
    assert margin_per_contact(Decimal("-50.00"), 2) == Decimal(0)
    assert margin_per_contact(Decimal(0), 0) is None
    assert impact(40, 0.5, None) is None


def test_known_impacts_rank_first_then_volume_times_gap() -> None:
    ranked = sorted(
        [("a", 100, 0.2, None), ("b", 10, 0.5, Decimal(50)), ("c", 10, 0.5, Decimal(80))],
        key=lambda p: rank_key(p[1], p[2], p[3]),
    )

    assert [p[0] for p in ranked] == ["c", "b", "a"]


def test_targets_outside_the_scales_are_refused() -> None:
    with pytest.raises(ValueError):
        Targets(csat=0.5)
    with pytest.raises(ValueError):
        Targets(nps=120)
