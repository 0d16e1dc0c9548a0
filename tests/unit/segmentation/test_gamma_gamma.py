"""Gamma-Gamma: the fit on CDNOW and the conditional expected value per purchase."""

import json

import numpy as np
import pytest

from services.segmentation.domain.gamma_gamma import (
    GammaGammaParameters,
    expected_average_value,
    fit_gamma_gamma,
)
from tests.unit.segmentation.cdnow import calibration_summary

PUBLISHED = GammaGammaParameters(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, customers=946)


@pytest.fixture(scope="module")
def fitted() -> GammaGammaParameters:
    cdnow = calibration_summary()
    return fit_gamma_gamma(cdnow.frequency, cdnow.monetary)


def test_fit_on_cdnow_repeat_buyers_reproduces_the_published_parameters(
    fitted: GammaGammaParameters,
) -> None:
    for name in ("p", "q", "gamma"):
        assert getattr(fitted, name) == pytest.approx(getattr(PUBLISHED, name), rel=0.01)
    assert fitted.customers == 946


def test_conditional_expected_value_weighs_own_mean_against_the_population() -> None:
    p, q, gamma = PUBLISHED.p, PUBLISHED.q, PUBLISHED.gamma
    value = expected_average_value(PUBLISHED, [2.0, 7.0], [22.35, 73.74])
    by_hand = [(gamma + mean * x) * p / (p * x + q - 1) for x, mean in ((2, 22.35), (7, 73.74))]
    assert value == pytest.approx(by_hand)


def test_customer_without_repeat_purchases_gets_the_population_mean() -> None:
    population_mean = PUBLISHED.p * PUBLISHED.gamma / (PUBLISHED.q - 1)
    value = expected_average_value(PUBLISHED, [0.0, 0.0], [0.0, np.nan])
    assert value == pytest.approx([population_mean, population_mean])


def test_non_positive_mean_pulls_further_below_the_population_mean_with_purchases() -> None:
    population_mean = PUBLISHED.p * PUBLISHED.gamma / (PUBLISHED.q - 1)
    value = expected_average_value(PUBLISHED, [1.0, 5.0, 5.0], [-10.0, -10.0, 0.0])
    assert value[1] < value[0] < population_mean
    assert value[1] == pytest.approx(value[2])


def test_fit_refuses_fewer_than_ten_usable_customers() -> None:
    frequency = np.array([1.0] * 9 + [0.0] * 20 + [2.0] * 5)
    monetary = np.array([10.0] * 9 + [0.0] * 20 + [-5.0] * 5)
    with pytest.raises(ValueError, match="at least 10"):
        fit_gamma_gamma(frequency, monetary)


def test_missing_mean_of_a_repeat_buyer_is_refused() -> None:
    with pytest.raises(ValueError, match="monetary must be finite"):
        expected_average_value(PUBLISHED, [0.0, 2.0], [np.nan, np.nan])


def test_parameters_survive_a_json_round_trip(fitted: GammaGammaParameters) -> None:
    stored = json.dumps(fitted.to_json())
    assert GammaGammaParameters.from_json(json.loads(stored)) == fitted
