"""BG/NBD: the fit on CDNOW, the conditional predictions against the paper's formulas."""

import json
import math

import numpy as np
import pytest

from services.segmentation.domain.bgnbd import (
    BgNbdParameters,
    bgnbd_log_likelihood,
    churn_risk,
    expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    p_alive,
)
from tests.unit.segmentation.cdnow import CustomerSummary, calibration_summary

PUBLISHED = BgNbdParameters(
    r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, customers=2357
)
# (x, t_x, T) in weeks: a repeat buyer, a one-time buyer and a frequent buyer of CDNOW.
HISTORIES = [(2, 30.43, 38.86), (0, 0.0, 38.86), (7, 29.43, 38.86)]


@pytest.fixture(scope="module")
def cdnow() -> CustomerSummary:
    return calibration_summary()


@pytest.fixture(scope="module")
def fitted(cdnow: CustomerSummary) -> BgNbdParameters:
    return fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.age)


def history_columns() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frequency, recency, age = (
        np.array(column, dtype=float) for column in zip(*HISTORIES, strict=True)
    )
    return frequency, recency, age


def hypergeometric_2f1(a: float, b: float, c: float, z: float) -> float:
    total, term, n = 1.0, 1.0, 0
    while abs(term) > 1e-16 * abs(total):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
    return total


def paper_p_alive(params: BgNbdParameters, x: int, t_x: float, big_t: float) -> float:
    if x == 0:
        return 1.0
    r, alpha, a, b = params.as_tuple()
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))


def paper_conditional_expectation(
    params: BgNbdParameters, t: float, x: int, t_x: float, big_t: float
) -> float:
    r, alpha, a, b = params.as_tuple()
    z = t / (alpha + big_t + t)
    hyper = hypergeometric_2f1(r + x, b + x, a + b + x - 1, z)
    power = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
    numerator = (a + b + x - 1) / (a - 1) * (1.0 - power * hyper)
    return numerator * paper_p_alive(params, x, t_x, big_t)


def paper_log_likelihood(params: BgNbdParameters, x: int, t_x: float, big_t: float) -> float:
    r, alpha, a, b = params.as_tuple()

    def log_beta(p: float, q: float) -> float:
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    common = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    likelihood = math.exp(log_beta(a, b + x) - log_beta(a, b)) / (alpha + big_t) ** (r + x)
    if x > 0:
        dropped = math.exp(log_beta(a + 1, b + x - 1) - log_beta(a, b))
        likelihood += dropped / (alpha + t_x) ** (r + x)
    return common + math.log(likelihood)


def test_fit_on_cdnow_reproduces_the_published_parameters(fitted: BgNbdParameters) -> None:
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(getattr(PUBLISHED, name), rel=0.01)
    assert fitted.log_likelihood == pytest.approx(PUBLISHED.log_likelihood, abs=0.1)
    assert fitted.customers == 2357


def test_fit_does_not_depend_on_the_time_unit(cdnow: CustomerSummary) -> None:
    in_weeks = fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.age)
    in_days = fit_bgnbd(cdnow.frequency, cdnow.recency * 7, cdnow.age * 7)
    assert in_days.alpha == pytest.approx(in_weeks.alpha * 7, rel=1e-4)
    for name in ("r", "a", "b"):
        assert getattr(in_days, name) == pytest.approx(getattr(in_weeks, name), rel=1e-4)


def test_fit_on_a_sample_uses_that_many_customers_and_repeats_with_the_seed(
    cdnow: CustomerSummary,
) -> None:
    first = fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.age, max_customers=1000, seed=7)
    again = fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.age, max_customers=1000, seed=7)
    assert first.customers == 1000
    assert first == again


def test_log_likelihood_matches_the_paper_formula() -> None:
    frequency, recency, age = history_columns()
    by_hand = sum(paper_log_likelihood(PUBLISHED, *history) for history in HISTORIES)
    assert bgnbd_log_likelihood(PUBLISHED, frequency, recency, age) == pytest.approx(by_hand)
    assert bgnbd_log_likelihood(PUBLISHED.as_tuple(), frequency, recency, age) == pytest.approx(
        by_hand
    )


def test_conditional_expectation_matches_the_paper_formula() -> None:
    frequency, recency, age = history_columns()
    for t in (1.0, 39.0, 520.0):
        expected = expected_purchases(PUBLISHED, t, frequency, recency, age)
        by_hand = [paper_conditional_expectation(PUBLISHED, t, *history) for history in HISTORIES]
        assert expected == pytest.approx(by_hand, rel=1e-9)


def test_conditional_expectation_broadcasts_over_horizons() -> None:
    frequency, recency, age = history_columns()
    horizons = np.array([[13.0], [39.0]])
    expected = expected_purchases(PUBLISHED, horizons, frequency, recency, age)
    assert expected.shape == (2, 3)
    assert expected[1] == pytest.approx(
        expected_purchases(PUBLISHED, 39.0, frequency, recency, age)
    )


def test_new_customer_expectation_matches_the_paper_formula() -> None:
    r, alpha, a, b = PUBLISHED.as_tuple()
    t = 39.0
    hyper = hypergeometric_2f1(r, b, a + b - 1, t / (alpha + t))
    by_hand = (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * hyper)
    assert float(expected_purchases_new_customer(PUBLISHED, t)) == pytest.approx(by_hand)


def test_p_alive_matches_the_paper_formula_and_is_one_without_repeat_purchases() -> None:
    frequency, recency, age = history_columns()
    alive = p_alive(PUBLISHED, frequency, recency, age)
    assert alive == pytest.approx([paper_p_alive(PUBLISHED, *history) for history in HISTORIES])
    assert alive[1] == 1.0
    assert p_alive(PUBLISHED, [0, 0], [0, 0], [1.0, 500.0]) == pytest.approx([1.0, 1.0])


def test_churn_risk_ranks_old_one_time_buyers_above_young_ones_and_frequent_buyers_last() -> None:
    # young one-time buyer, old one-time buyer, frequent buyer who bought last week
    risk = churn_risk(PUBLISHED, 13.0, [0, 0, 10], [0.0, 0.0, 37.0], [2.0, 38.0, 38.0])
    assert risk[1] > risk[0] > risk[2]
    assert ((risk >= 0) & (risk <= 1)).all()


@pytest.mark.parametrize(
    ("frequency", "recency", "age", "reason"),
    [
        ([1.0] * 9, [1.0] * 9, [2.0] * 9, "at least 10"),
        ([1.0] * 10, [1.0] * 10, [2.0] * 9, "same length"),
        ([-1.0] + [1.0] * 9, [1.0] * 10, [2.0] * 10, "negative"),
        ([1.0] * 10, [3.0] + [1.0] * 9, [2.0] * 10, "must not exceed age"),
        ([1.0] * 10, [math.nan] + [1.0] * 9, [2.0] * 10, "NaN"),
        ([1.5] + [1.0] * 9, [1.0] * 10, [2.0] * 10, "whole numbers"),
        ([0.0] + [1.0] * 9, [1.0] * 10, [2.0] * 10, "recency 0"),
    ],
)
def test_fit_refuses_inconsistent_or_too_little_data(
    frequency: list[float], recency: list[float], age: list[float], reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        fit_bgnbd(np.array(frequency), np.array(recency), np.array(age))


def test_parameters_survive_a_json_round_trip(fitted: BgNbdParameters) -> None:
    stored = json.dumps(fitted.to_json())
    assert BgNbdParameters.from_json(json.loads(stored)) == fitted
