"""CX measures carry their sample size and interval; figures checked by hand."""

import pytest

from services.experience.domain.measures import mean, median, net_promoter_score, nps_class, share


def test_wilson_interval_of_eight_in_ten_matches_the_textbook_figures() -> None:
    estimate = share(8, 10)

    assert estimate.value == pytest.approx(0.8)
    assert estimate.sample_size == 10
    assert estimate.low == pytest.approx(0.4902, abs=1e-4)
    assert estimate.high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_stays_inside_zero_and_one_when_every_answer_agrees() -> None:
    none, every = share(0, 5), share(5, 5)

    assert none.low == 0.0 and none.high == pytest.approx(0.4345, abs=1e-4)
    assert every.high == 1.0 and every.low == pytest.approx(0.5655, abs=1e-4)


def test_a_share_of_nothing_has_no_value_and_no_interval() -> None:
    estimate = share(0, 0)

    assert (estimate.value, estimate.sample_size, estimate.low, estimate.high) == (
        None,
        0,
        None,
        None,
    )


def test_nps_is_promoters_minus_detractors_in_points_with_its_interval() -> None:
    # 5 promoters, 3 passives, 2 detractors: 50% - 20% = 30 points; variance (0.7 - 0.09) / 10
    estimate = net_promoter_score(promoters=5, detractors=2, answers=10)

    assert estimate.value == pytest.approx(30.0)
    assert estimate.sample_size == 10
    assert estimate.low == pytest.approx(30 - 48.41, abs=0.01)
    assert estimate.high == pytest.approx(30 + 48.41, abs=0.01)


def test_nps_answers_are_classed_by_the_usual_bands() -> None:
    assert [nps_class(answer) for answer in (0, 6, 7, 8, 9, 10)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]


def test_nps_refuses_more_promoters_and_detractors_than_answers() -> None:
    with pytest.raises(ValueError):
        net_promoter_score(promoters=3, detractors=2, answers=4)


def test_mean_interval_comes_from_the_sample_variance() -> None:
    # answers 3, 4, 5: mean 4, sample variance 1, half width 1.96 * sqrt(1 / 3)
    estimate = mean(total=12, squares=50, n=3)

    assert estimate.value == pytest.approx(4.0)
    assert estimate.low == pytest.approx(4 - 1.1316, abs=1e-4)
    assert estimate.high == pytest.approx(4 + 1.1316, abs=1e-4)


def test_a_single_answer_has_a_mean_but_no_interval() -> None:
    estimate = mean(total=5, squares=25, n=1)

    assert (estimate.value, estimate.low, estimate.high) == (5.0, None, None)


def test_median_of_an_even_count_is_the_middle_pair_average() -> None:
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([]) is None
