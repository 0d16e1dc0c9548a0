"""Response bodies of a segment's computed figures and of the review of its profile."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

MONEY_NOTE = "null without financials:read"


class MoneyDistribution(BaseModel):
    """Mean and quantiles (nearest rank) of an amount per customer; null without
    financials:read or without customers."""

    mean: Decimal | None = Field(description="Mean.")
    p10: Decimal | None = Field(description="10 % of the customers are at or below.")
    p25: Decimal | None = Field(description="Lower quartile.")
    median: Decimal | None = Field(description="Median.")
    p75: Decimal | None = Field(description="Upper quartile.")
    p90: Decimal | None = Field(description="90 % of the customers are at or below.")


class ScoreDistribution(BaseModel):
    """Mean and quantiles (nearest rank) of a score per customer; null without customers
    that have one."""

    mean: float | None = Field(description="Mean.")
    p10: float | None = Field(description="10 % of the customers are at or below.")
    p25: float | None = Field(description="Lower quartile.")
    median: float | None = Field(description="Median.")
    p75: float | None = Field(description="Upper quartile.")
    p90: float | None = Field(description="90 % of the customers are at or below.")


class MixEntry(BaseModel):
    key: str = Field(description="The category, e.g. a lifecycle stage or a tier.")
    customers: int = Field(description="Customers of the segment in it.")
    share: float = Field(description="Their share of the segment, 0 to 1.")


class NeedsClusterEntry(BaseModel):
    cluster: int | None = Field(description="Needs cluster label; null for prospects.")
    description: str | None = Field(description="The cluster in words.")
    customers: int = Field(description="Customers of the segment in it.")
    share: float = Field(description="Their share of the segment, 0 to 1.")


class ChannelEntry(BaseModel):
    channel: str = Field(description="Order channel, e.g. field_sales.")
    orders: int = Field(description="Orders of the last 12 months through it.")
    share_of_orders: float = Field(description="Share of the segment's orders, 0 to 1.")
    net_revenue: Decimal | None = Field(description=f"Their net revenue; {MONEY_NOTE}.")


class CategoryEntry(BaseModel):
    category: str = Field(description="Product category.")
    net_revenue: Decimal | None = Field(
        description=f"Net revenue of the last 12 months; {MONEY_NOTE}."
    )
    share_of_revenue: float = Field(description="Share of the segment's line revenue, 0 to 1.")


class ExperienceFigures(BaseModel):
    customers: int = Field(description="Customers of the segment with an experience summary.")
    csat_mean: float | None = Field(description="Mean satisfaction 1-5 over all answers.")
    csat_answers: int = Field(description="Satisfaction answers it rests on.")
    net_promoter_score: float | None = Field(
        description="% promoters (9-10) minus % detractors (0-6) among the customers' latest "
        "answers, -100 to 100."
    )
    nps_customers: int = Field(description="Customers with an NPS answer.")
    open_complaints: int = Field(description="Complaints without a resolution yet.")


class DistinctionRead(BaseModel):
    feature: str = Field(
        description="A score (e.g. clv, churn_risk) or a share (e.g. lifecycle_stage=at_risk, "
        "channel=web, needs_cluster=2)."
    )
    segment_value: float | None = Field(
        description=f"Mean or share in the segment; for amounts {MONEY_NOTE}."
    )
    rest_value: float | None = Field(
        description=f"Mean or share among all other customers; for amounts {MONEY_NOTE}."
    )
    effect: float = Field(
        description="Standardised difference (Cohen's d for scores, h for shares); 0.2 is "
        "small, 0.5 medium, 0.8 large."
    )
    direction: Literal["higher", "lower"] = Field(description="Segment compared to the rest.")


class SegmentFigures(BaseModel):
    """A segment computed from the customer views: size, value, mixes, experience."""

    segment: str = Field(description="Key of the strategic segment.")
    size: int = Field(description="Customers assigned to it.")
    share_of_customers: float = Field(description="Share of all segmented customers, 0 to 1.")
    revenue_12m: Decimal | None = Field(
        description=f"Net revenue of the last 12 months, as segmentation measured it; {MONEY_NOTE}."
    )
    contribution_margin_3_12m: Decimal | None = Field(
        description=f"cm3 of the last 12 months, as segmentation measured it; {MONEY_NOTE}."
    )
    value: MoneyDistribution = Field(description="cm3 of the last 12 months per customer.")
    clv: MoneyDistribution = Field(description="Customer lifetime value per customer.")
    churn_risk: ScoreDistribution = Field(description="Churn risk per customer, 0 to 1.")
    lifecycle_mix: list[MixEntry] = Field(description="Customers per lifecycle stage.")
    value_tiers: list[MixEntry] = Field(description="Customers per value tier.")
    potential_tiers: list[MixEntry] = Field(description="Customers per potential tier.")
    needs_clusters: list[NeedsClusterEntry] = Field(description="Customers per needs cluster.")
    preferred_channels: list[ChannelEntry] = Field(
        description="Order channels of the last 12 months, most used first."
    )
    top_categories: list[CategoryEntry] = Field(
        description="Product categories by net revenue of the last 12 months, top 5."
    )
    experience: ExperienceFigures = Field(description="Satisfaction, NPS and complaints.")
    distinguishing_features: list[DistinctionRead] = Field(
        description="What sets the segment apart from all other customers, strongest first "
        "(at most 5, none below a small effect)."
    )
    assignments_as_of: datetime | None = Field(
        description="Time of the newest segment assignment counted (UTC)."
    )
    masked: list[str] = Field(
        description="Figures hidden because the caller lacks financials:read."
    )


class DriftRead(BaseModel):
    figure: str = Field(description="The figure compared.")
    approved: float | None = Field(description=f"At approval; for amounts {MONEY_NOTE}.")
    current: float | None = Field(description=f"Now; for amounts {MONEY_NOTE}.")
    change: float | None = Field(
        description="Relative change (0.25 = +25 %); null when a figure is missing or was 0."
    )
    beyond_threshold: bool = Field(description="Whether this change flags the profile.")


class ReviewRead(BaseModel):
    """Whether the active version's figures drifted since it was approved; the figures
    themselves are at GET /v1/segment-profiles/{segment}/figures."""

    flagged: bool = Field(description="True when a watched figure drifted beyond the threshold.")
    threshold: float = Field(description="Relative change that flags (0.2 = 20 %).")
    approved_version: int = Field(description="The active version the figures belong to.")
    figures_approved_at: datetime = Field(description="When its figures were recorded (UTC).")
    drifted: list[str] = Field(description="The watched figures beyond the threshold.")


class ApprovedFigures(BaseModel):
    version: int = Field(description="Version of the profile whose approval recorded them.")
    computed_at: datetime = Field(description="When they were recorded (UTC).")
    figures: SegmentFigures = Field(description="The figures then.")


class SegmentationRunRead(BaseModel):
    run_id: str = Field(description="Id of the run.")
    completed_at: datetime = Field(description="When it completed (UTC).")
    customers: int = Field(description="Customers it assigned.")
    model_version: str = Field(description="Version of its models and rules.")


class SegmentFiguresRead(BaseModel):
    """A segment's figures now and at its profile's approval, with the review flag."""

    segment: str = Field(description="Key of the strategic segment.")
    computed_at: datetime = Field(description="When the current figures were computed (UTC).")
    current: SegmentFigures = Field(description="The figures now.")
    approved: ApprovedFigures | None = Field(
        description="The figures when the active version was approved; null without one."
    )
    review: ReviewRead | None = Field(description="Drift since approval; null without one.")
    drifts: list[DriftRead] = Field(
        description="Each watched figure at approval and now; empty without an approval."
    )
    latest_run: SegmentationRunRead | None = Field(
        description="The segmentation run that completed last, if one was reported."
    )
