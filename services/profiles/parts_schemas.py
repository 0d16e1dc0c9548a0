"""The parts of the 360° view that other services deliver, as the API shows them."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

FINANCIAL = "null without financials:read"


class AsOf(BaseModel):
    """What a part of the view reflects: the newest event applied to it."""

    time: datetime = Field(description="Time of that event (UTC).")
    event_id: str = Field(description="Id of that event.")


PartStatus = Literal["current", "pending"]


class PendingPart(BaseModel):
    """A part another service owns; pending (its fields null) until its events arrive."""

    status: PartStatus = Field(description="pending until the owning service has published.")
    as_of: AsOf | None = Field(description="Event the part reflects; null while pending.")
    source: str = Field(description="Service that delivers this part.")


class SegmentPart(PendingPart):
    """The customer's latest segment assignment by segmentation."""

    strategic_segment: str | None = Field(
        default=None, description="Strategic segment (value x potential, lifecycle overrides)."
    )
    value_tier: str | None = Field(default=None, description="Tier of the 12-month cm3.")
    potential_tier: str | None = Field(default=None, description="Tier of CLV and wallet gap.")
    lifecycle_stage: str | None = Field(default=None, description="Lifecycle stage.")
    lifecycle_reason: str | None = Field(default=None, description="Why that stage.")
    needs_cluster: int | None = Field(default=None, description="Needs cluster label.")
    needs_description: str | None = Field(default=None, description="The cluster in words.")
    abc_class: str | None = Field(default=None, description="ABC class by 12-month revenue.")
    revenue_12m: Decimal | None = Field(
        default=None, description=f"Net revenue of the last 12 months; {FINANCIAL}."
    )
    contribution_margin_3_12m: Decimal | None = Field(
        default=None, description=f"cm3 of the last 12 months; {FINANCIAL}."
    )
    clv: Decimal | None = Field(default=None, description=f"Customer lifetime value; {FINANCIAL}.")
    share_of_wallet_gap: Decimal | None = Field(
        default=None,
        description=f"12-month cm2 short of comparable customers; {FINANCIAL}.",
    )
    churn_risk: float | None = Field(default=None, description="Churn risk, 0 to 1.")
    p_alive: float | None = Field(default=None, description="Probability of being active.")
    reasons: list[str] = Field(
        default_factory=list,
        description="Why each part of the assignment is as it is (they quote amounts); "
        "empty without financials:read.",
    )
    model_version: str | None = Field(default=None, description="Models and rules that assigned.")
    run_id: str | None = Field(default=None, description="Full run; null for a re-score.")
    measured_at: datetime | None = Field(
        default=None, description="The moment the customer's data was measured at (UTC)."
    )
    masked: list[str] = Field(
        default_factory=list, description="Fields hidden because the caller lacks financials:read."
    )


ServiceTerm = str | dict[str, Any]


class StrategyPart(PendingPart):
    """What the strategy in force says about the customer's segment."""

    segment: str | None = Field(default=None, description="Key of the customer's segment.")
    segment_name: str | None = Field(default=None, description="Its name in the strategy.")
    thrust: str | None = Field(default=None, description="Strategic thrust of the segment.")
    approach: dict[str, Any] | None = Field(
        default=None,
        description="Approach model (channel, role, contact frequency), as the strategy "
        "states it; null if it does not.",
    )
    service_level: ServiceTerm | None = Field(
        default=None,
        description="Service level (its key, or its description when the strategy gives one), "
        "as the strategy states it; null if it does not.",
    )
    treatment: ServiceTerm | None = Field(
        default=None,
        description="Treatment (offers, retention measures, channel and contact frequency), as "
        "the strategy states it; null if it does not.",
    )
    strategy_id: str | None = Field(
        default=None, description="Strategy in force; null before steering published one."
    )
    strategy_version: int | None = Field(default=None, description="Its version.")


class RecentContact(BaseModel):
    occurred_at: datetime = Field(description="When it happened (UTC).")
    channel: str = Field(description="Channel.")
    touchpoint_type: str = Field(description="Type, e.g. complaint.")


class ExperiencePart(PendingPart):
    """The customer's latest experience summary by experience."""

    journey_type: str | None = Field(default=None, description="Type of the latest journey.")
    journey_stage: str | None = Field(default=None, description="Its current stage.")
    journey_status: str | None = Field(default=None, description="open, converted, abandoned.")
    last_touchpoints: list[RecentContact] = Field(
        default_factory=list, description="The latest contacts, newest first."
    )
    csat: float | None = Field(default=None, description="Mean CSAT 1-5 of 12 months.")
    csat_answers: int | None = Field(default=None, description="CSAT answers it rests on.")
    nps: int | None = Field(default=None, description="Latest NPS answer, 0 to 10.")
    nps_answers: int | None = Field(default=None, description="NPS answers of 12 months.")
    effort: float | None = Field(default=None, description="Mean customer effort 1-7.")
    open_complaints: int | None = Field(default=None, description="Complaints not resolved.")
    latest_touchpoint_at: datetime | None = Field(
        default=None, description="Time of the latest touchpoint reflected (UTC)."
    )


class NextBestAction(BaseModel):
    action_id: str = Field(description="Id of the action.")
    action_type: str = Field(description="e.g. retention_call, cross_sell_offer.")
    title: str = Field(description="What to do, in words.")
    reason: str = Field(description="Why, in words.")
    channel: str = Field(description="Channel to act through.")
    owner_rep: str | None = Field(description="Rep expected to act; null for central teams.")
    due_at: datetime = Field(description="By when (UTC).")
    overdue: bool = Field(description="Whether the due time has passed.")
    priority: int = Field(description="1 = most urgent.")
    thrust: str | None = Field(description="Thrust of the customer's segment.")
    recommended_at: datetime = Field(description="When it was recommended (UTC).")


class NextBestActionsPart(PendingPart):
    """The latest actions steering recommended for the customer."""

    items: list[NextBestAction] = Field(
        default_factory=list, description="Recommended actions, most urgent first."
    )
