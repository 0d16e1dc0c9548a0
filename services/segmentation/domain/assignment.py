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
"""The parts of an assignment whose change is news; scores move with every refit."""


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
        """The parts of one customer's assignment that decide whether it changed."""
        return (
            str(self.strategic_segment[index]),
            str(self.value_tier[index]),
            str(self.potential_tier[index]),
            str(self.lifecycle_stage[index]),
            None if self.needs_cluster[index] == NO_CLUSTER else int(self.needs_cluster[index]),
            str(self.abc_class[index]),
        )


def changed_parts(before: tuple[Any, ...] | None, after: tuple[Any, ...]) -> list[str]:
    """Names of the identity parts that differ; every part for a first assignment."""
    if before is None:
        return list(IDENTITY)
    return [name for name, old, new in zip(IDENTITY, before, after, strict=True) if old != new]
