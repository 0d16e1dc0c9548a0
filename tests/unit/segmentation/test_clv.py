"""Discounted CLV: monthly expected purchases times expected value, discounted per month."""

import itertools

import numpy as np
import pytest

from services.segmentation.domain.bgnbd import BgNbdParameters, expected_purchases
from services.segmentation.domain.clv import discounted_clv
from services.segmentation.domain.gamma_gamma import GammaGammaParameters
from tests.unit.segmentation.cdnow import calibration_summary

PURCHASES = BgNbdParameters(r=1.0, alpha=10.0, a=2.0, b=3.0, log_likelihood=0.0, customers=0)
VALUES = GammaGammaParameters(p=2.0, q=3.0, gamma=10.0, log_likelihood=0.0, customers=0)
# One customer, in weeks: 1 repeat purchase of value 20 in week 5, observed for 10 weeks.
HISTORY = {"frequency": [1.0], "recency": [5.0], "age": [10.0], "monetary": [20.0]}


def expected_by_week(weeks: float) -> float:
    return float(expected_purchases(PURCHASES, weeks, [1.0], [5.0], [10.0])[0])


def test_clv_is_the_sum_of_discounted_monthly_purchases_times_value() -> None:
    weeks_per_month = 365.25 / 12 / 7
    monthly_rate = 1.10 ** (1 / 12) - 1
    value = (10.0 + 20.0 * 1) * 2.0 / (2.0 * 1 + 3.0 - 1)
    by_hand = sum(
        (
            expected_by_week(month * weeks_per_month)
            - expected_by_week((month - 1) * weeks_per_month)
        )
        * value
        / (1 + monthly_rate) ** month
        for month in (1, 2, 3)
    )
    clv = discounted_clv(PURCHASES, VALUES, **HISTORY, horizon_months=3, annual_discount_rate=0.10)
    assert clv == pytest.approx([by_hand])


def test_zero_discount_rate_gives_expected_purchases_times_value() -> None:
    value = (10.0 + 20.0) * 2.0 / (2.0 + 3.0 - 1)
    clv = discounted_clv(PURCHASES, VALUES, **HISTORY, horizon_months=24, annual_discount_rate=0.0)
    assert clv == pytest.approx([expected_by_week(24 * 365.25 / 12 / 7) * value])


def test_time_unit_of_days_gives_the_same_value_as_weeks() -> None:
    in_weeks = discounted_clv(PURCHASES, VALUES, **HISTORY)
    in_days = discounted_clv(
        BgNbdParameters(r=1.0, alpha=70.0, a=2.0, b=3.0, log_likelihood=0.0, customers=0),
        VALUES,
        frequency=[1.0],
        recency=[35.0],
        age=[70.0],
        monetary=[20.0],
        days_per_time_unit=1.0,
    )
    assert in_days == pytest.approx(in_weeks)


def test_longer_horizon_never_gives_less_value() -> None:
    cdnow = calibration_summary()
    purchases = BgNbdParameters(
        r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, customers=0
    )
    values = GammaGammaParameters(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, customers=0)
    by_horizon = [
        discounted_clv(
            purchases,
            values,
            cdnow.frequency,
            cdnow.recency,
            cdnow.age,
            cdnow.monetary,
            horizon_months=months,
        )
        for months in (0, 1, 12, 36, 120)
    ]
    assert (by_horizon[0] == 0).all()
    for shorter, longer in itertools.pairwise(by_horizon):
        assert (longer >= shorter).all()
    assert np.isfinite(by_horizon[-1]).all()
