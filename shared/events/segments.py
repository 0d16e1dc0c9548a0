"""Segmentation's events on the segments topic: assignments and completed runs."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.common import Contract
from shared.events.orders import DecimalText

ValueTier = Literal["negative", "low", "medium", "high"]
PotentialTier = Literal["low", "medium", "high"]
LifecycleStage = Literal[
    "prospect", "new", "developing", "loyal", "at_risk", "lapsed", "reactivated"
]
AbcClass = Literal["A", "B", "C"]


class SegmentAssigned(Contract):
    """A customer's segment assignment changed (published only when something changed)."""

    customer_id: str = Field(description="Canonical customer id.")
    strategic_segment: str = Field(description="Key of the strategic segment, e.g. grow.")
    thrust: str = Field(
        description="Thrust of that segment: grow, develop, retain, serve_efficiently or "
        "restructure."
    )
    value_tier: ValueTier = Field(description="Tier of the 12-month cm3.")
    potential_tier: PotentialTier = Field(description="Tier of CLV and share-of-wallet gap.")
    lifecycle_stage: LifecycleStage = Field(description="Stage in the customer lifecycle.")
    lifecycle_reason: str = Field(description="Why, in words, e.g. 'no order for 190 days'.")
    needs_cluster: int | None = Field(description="Needs cluster label; null for prospects.")
    needs_description: str | None = Field(description="The needs cluster in words.")
    abc_class: AbcClass = Field(description="ABC class by 12-month revenue, for comparison.")
    revenue_12m: DecimalText = Field(description="Net revenue of the last 12 months.")
    contribution_margin_3_12m: DecimalText = Field(description="cm3 of the last 12 months.")
    clv: DecimalText = Field(description="Discounted expected margin over the CLV horizon.")
    share_of_wallet_gap: DecimalText = Field(
        description="12-month cm2 the customer falls short of comparable customers."
    )
    churn_risk: float | None = Field(
        ge=0, le=1, description="Risk of no purchase in the next period; null for prospects."
    )
    p_alive: float | None = Field(
        ge=0, le=1, description="BG/NBD probability of being active; null for prospects."
    )
    reasons: list[str] = Field(description="Why each part of the assignment is as it is.")
    changed: list[str] = Field(description="Parts that differ from the previous assignment.")
    model_version: str = Field(description="Version of the models and rules that assigned.")
    run_id: str | None = Field(description="Full run that assigned; null for a re-score.")
    as_of: datetime = Field(description="The moment the customer's data was measured at.")


class SegmentationRunCompleted(Contract):
    """A full segmentation run finished (keyed by its run id)."""

    run_id: str = Field(description="Id of the run.")
    as_of: datetime = Field(description="The moment the data was measured at.")
    started_at: datetime = Field(description="When the run started (UTC).")
    completed_at: datetime = Field(description="When it completed (UTC).")
    customers: int = Field(description="Customers assigned.")
    changed: int = Field(description="Customers whose assignment changed.")
    segment_sizes: dict[str, int] = Field(description="Customers per strategic segment.")
    model_version: str = Field(description="Version of the models and rules of the run.")
