"""The outcome of scoring customers: their segments, tiers and stage, with scores and reasons."""

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
NO_CLUSTER = -1

IDENTITY = (
    "strategic_segment",
    "value_tier",
    "potential_tier",
    "lifecycle_stage",
    "needs_cluster",
    "abc_class",
)
"""The parts of an assignment whose change is news."""


@dataclass(frozen=True)
class ScoreChange:
    """How far CLV and churn risk must move to be news too (they shift a little every refit)."""

    clv_share: float = 0.1
    churn_risk: float = 0.1

    def moved(self, before: tuple[Any, ...], after: tuple[Any, ...]) -> bool:
        (old_clv, old_risk), (new_clv, new_risk) = before[-2:], after[-2:]
        if old_clv is None or (old_risk is None) != (new_risk is None):
            return True
        if abs(new_clv - old_clv) > self.clv_share * max(abs(old_clv), 1.0):
            return True
        return new_risk is not None and abs(new_risk - old_risk) > self.churn_risk


@dataclass(frozen=True)
class Assignments:
    """Per-customer arrays in the order of `customer_ids`."""

    customer_ids: npt.NDArray[Any]
    strategic_segment: npt.NDArray[Any]
    thrust: npt.NDArray[Any]
    value_tier: npt.NDArray[Any]
    potential_tier: npt.NDArray[Any]
    lifecycle_stage: npt.NDArray[Any]
    lifecycle_reason: list[str]
    needs_cluster: npt.NDArray[np.int64]
    abc_class: npt.NDArray[Any]
    scores: dict[str, FloatArray]
    """clv and share_of_wallet_gap in currency, margins and revenue in ledger units, and the
    unitless churn_risk, p_alive and expected purchases."""
    reasons: list[list[str]]

    def __len__(self) -> int:
        return len(self.customer_ids)

    def identity(self, index: int) -> tuple[Any, ...]:
        """The identity parts of one customer's assignment, then its CLV and churn risk."""
        risk = float(self.scores["churn_risk"][index])
        return (
            str(self.strategic_segment[index]),
            str(self.value_tier[index]),
            str(self.potential_tier[index]),
            str(self.lifecycle_stage[index]),
            None if self.needs_cluster[index] == NO_CLUSTER else int(self.needs_cluster[index]),
            str(self.abc_class[index]),
            round(float(self.scores["clv"][index]), 2),
            None if np.isnan(risk) else round(risk, 6),
        )


def changed_parts(
    before: tuple[Any, ...] | None, after: tuple[Any, ...], scores: ScoreChange
) -> list[str]:
    """Names of the parts that differ (`scores` when CLV or churn risk moved far enough)."""
    if before is None:
        return list(IDENTITY)
    parts = [name for name, old, new in zip(IDENTITY, before, after, strict=False) if old != new]
    if scores.moved(before, after):
        parts.append("scores")
    return parts
