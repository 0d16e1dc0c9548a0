"""Response bodies of experience's measures: every figure with its sample and interval."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class EstimateRead(BaseModel):
    value: float | None = Field(description="The figure; null without a sample.")
    sample_size: int = Field(description="Answers, contacts or journeys it rests on.")
    low: float | None = Field(description="Lower end of the 95% confidence interval.")
    high: float | None = Field(description="Upper end of the 95% confidence interval.")


class Filters(BaseModel):
    period_from: datetime | None = Field(description="Contacts and journeys from (inclusive).")
    period_to: datetime | None = Field(description="Until (exclusive).")
    segment: str | None = Field(description="Strategic segment of the customers.")
    channel: str | None = Field(description="Channel (journeys: the channel they began on).")
    touchpoint_type: str | None = Field(description="Touchpoint type (contact measures only).")
    stage: str | None = Field(description="Journey stage of the contact (contact measures only).")


class ChannelShare(BaseModel):
    channel: str = Field(description="Channel.")
    contacts: int = Field(description="Contacts over it.")
    share: EstimateRead = Field(description="Its share of all contacts (Wilson interval).")
    cost: Decimal = Field(description="What its contacts cost at the strategy's rates.")


class DurationRead(BaseModel):
    mean_seconds: float | None = Field(description="Mean duration in seconds.")
    median_seconds: float | None = Field(description="Median duration in seconds.")
    sample_size: int = Field(description="Journeys measured.")


class MeasuresRead(BaseModel):
    filters: Filters = Field(description="The filters applied.")
    contacts: int = Field(description="Touchpoints matching the filters.")
    customers: int = Field(description="Customers with such touchpoints.")
    csat_mean: EstimateRead = Field(description="Mean satisfaction 1-5 (normal interval).")
    csat_satisfied: EstimateRead = Field(description="Share of answers 4 or 5 (Wilson).")
    nps: EstimateRead = Field(description="% promoters (9-10) - % detractors (0-6), points.")
    nps_promoters: int = Field(description="Answers 9-10.")
    nps_passives: int = Field(description="Answers 7-8.")
    nps_detractors: int = Field(description="Answers 0-6.")
    effort_mean: EstimateRead = Field(description="Mean customer effort 1-7 (normal interval).")
    complaint_rate: EstimateRead = Field(
        description="Share of the customers with contacts who complained (Wilson)."
    )
    first_contact_resolution: EstimateRead = Field(
        description="Share of service cases resolved by their first contact (Wilson)."
    )
    response_time: DurationRead = Field(
        description="Customer-initiated service cases: first contact to first outbound reply."
    )
    resolution_time: DurationRead = Field(description="Service cases: first contact to resolution.")
    cost_per_contact: Decimal | None = Field(
        description="Cost of the contacts (reported cost, else the strategy's rate) per contact."
    )
    total_cost: Decimal = Field(description="Cost of all the contacts.")
    channel_mix: list[ChannelShare] = Field(description="Contacts per channel, most first.")
    channel_switching: EstimateRead = Field(
        description="Share of journeys that used more than one channel (Wilson)."
    )
