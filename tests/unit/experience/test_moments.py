"""Lift against the base rate with its Katz interval, on hand-checked numbers."""

import pytest

from services.experience.domain.moments import lift, moments_of_truth, verdict


def test_lift_is_the_rate_over_the_base_rate_with_the_katz_interval() -> None:
    # 30 of 100 bought again after the type, 200 of 1000 after any contact: 0.3 / 0.2 = 1.5;
    # ln 1.5 +- 1.96 * sqrt(1/30 - 1/100 + 1/200 - 1/1000) = 0.405465 +- 0.324037
    found = lift(30, 100, 200, 1000)

    assert found.value == pytest.approx(1.5)
    assert found.low == pytest.approx(1.084835, abs=1e-6)
    assert found.high == pytest.approx(2.074047, abs=1e-6)
    assert found.sample_size == 100
    assert verdict(found) == "more_likely_to_buy"


def test_a_lift_below_one_whose_interval_excludes_one_marks_lapsing() -> None:
    # 70 of 100 lapsed against 800 of 1000: 0.875, interval 0.766799 .. 0.998469
    lapsed = lift(70, 100, 800, 1000)
    bought = lift(30, 100, 200, 1000)

    assert lapsed.value == pytest.approx(0.875)
    assert lapsed.low == pytest.approx(0.766799, abs=1e-6)
    assert lapsed.high == pytest.approx(0.998469, abs=1e-6)
    assert verdict(lift(5, 100, 200, 1000)) == "more_likely_to_lapse"
    assert bought.value is not None and bought.value > 1


def test_small_samples_and_intervals_around_one_are_not_marked() -> None:
    assert verdict(lift(3, 10, 200, 1000)) == "no_marked_difference"
    assert verdict(lift(22, 100, 200, 1000)) == "no_marked_difference"
    assert lift(3, 0, 200, 1000).value is None
    assert lift(3, 10, 0, 1000).value is None


def test_a_type_never_followed_by_a_purchase_gets_a_corrected_interval() -> None:
    found = lift(0, 50, 200, 1000)

    assert found.value == 0.0
    assert found.low is not None and found.high is not None
    assert 0 < found.low < found.high < 1


def test_moments_of_truth_compare_each_type_with_every_contact() -> None:
    base, found = moments_of_truth({"demo": (60, 100), "complaint": (10, 100), "login": (50, 200)})

    assert base.value == pytest.approx(120 / 400)
    assert base.sample_size == 400
    by_type = {m.touchpoint_type: m for m in found}
    assert by_type["demo"].buy_lift.value == pytest.approx(0.6 / 0.3)
    assert by_type["demo"].verdict == "more_likely_to_buy"
    assert by_type["complaint"].verdict == "more_likely_to_lapse"
    assert by_type["complaint"].lapse_lift.value == pytest.approx(0.9 / 0.7)
    assert by_type["login"].verdict == "no_marked_difference"
    assert [m.touchpoint_type for m in found][-1] == "login"
