"""Discounted customer lifetime value from BG/NBD purchases and Gamma-Gamma value per purchase."""

import numpy as np
import numpy.typing as npt

from services.segmentation.domain.bgnbd import BgNbdParameters, expected_purchases
from services.segmentation.domain.gamma_gamma import GammaGammaParameters, expected_average_value

FloatArray = npt.NDArray[np.float64]

DAYS_PER_MONTH = 365.25 / 12


# The history is passed positionally in the same order as to the models' own functions.
def discounted_clv(  # noqa: PLR0917
    bgnbd: BgNbdParameters,
    gamma_gamma: GammaGammaParameters,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
    monetary: npt.ArrayLike,
    *,
    horizon_months: int = 36,
    annual_discount_rate: float = 0.10,
    days_per_time_unit: float = 7.0,
) -> FloatArray:
    """Return each customer's expected value over the horizon, month by month discounted."""
    if horizon_months < 0:
        raise ValueError("horizon_months must not be negative")
    if annual_discount_rate <= -1.0:
        raise ValueError("annual_discount_rate must be above -100%")
    month_ends = np.arange(horizon_months + 1, dtype=np.float64) * (
        DAYS_PER_MONTH / days_per_time_unit
    )
    cumulative = expected_purchases(bgnbd, month_ends[:, None], frequency, recency, age)
    # E[X(t)] rises with t; rounding in 2F1 must not let a later month subtract value.
    purchases_per_month = np.maximum(np.diff(cumulative, axis=0), 0.0)
    monthly_rate = (1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0
    discount = (1.0 + monthly_rate) ** -np.arange(1, horizon_months + 1, dtype=np.float64)
    value_per_purchase = expected_average_value(gamma_gamma, frequency, monetary)
    clv: FloatArray = (discount @ purchases_per_month) * value_per_purchase
    return clv
