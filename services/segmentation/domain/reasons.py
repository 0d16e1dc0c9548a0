"""Why a customer is where it is, in words: one sentence per part of its assignment."""

import numpy as np
import numpy.typing as npt

from services.segmentation.domain.config import SegmentationConfig
from services.segmentation.domain.features import UNITS_PER_CURRENCY
from services.segmentation.domain.model import SegmentationModel

FloatArray = npt.NDArray[np.float64]


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _value_reason(tier: str, cm3: float, cutoffs: tuple[float, float]) -> str:
    low_medium, medium_high = (cut / UNITS_PER_CURRENCY for cut in cutoffs)
    figure = f"cm3 of the last 12 months {_money(cm3)}"
    if tier == "negative":
        return f"{figure}: below zero, negative value"
    if tier == "high":
        return f"{figure}: high value (from {_money(medium_high)})"
    if tier == "medium":
        return f"{figure}: medium value (from {_money(low_medium)})"
    if np.isnan(low_medium):
        return f"{figure}: low value"
    return f"{figure}: low value (medium from {_money(low_medium)})"


def assignment_reasons(
    model: SegmentationModel,
    config: SegmentationConfig,
    *,
    value_tiers: npt.NDArray[np.str_],
    potential_tiers: npt.NDArray[np.str_],
    scores: dict[str, FloatArray],
    stage_reasons: list[str],
    segment_reasons: list[str],
) -> list[list[str]]:
    """Value, potential, lifecycle and segment reasons per customer."""
    cm3 = (scores["contribution_margin_3_12m"] / UNITS_PER_CURRENCY).tolist()
    clv = np.nan_to_num(scores["clv"], nan=0.0).tolist()
    gaps = scores["share_of_wallet_gap"].tolist()
    horizon = config.horizon_months
    reasons = []
    for index, (value, potential) in enumerate(
        zip(value_tiers.tolist(), potential_tiers.tolist(), strict=True)
    ):
        reasons.append(
            [
                _value_reason(value, cm3[index], model.value_cutoffs),
                f"CLV {_money(clv[index])} over {horizon} months, 12-month cm2 "
                f"{_money(gaps[index])} below comparable customers: {potential} potential",
                stage_reasons[index],
                segment_reasons[index],
            ]
        )
    return reasons
