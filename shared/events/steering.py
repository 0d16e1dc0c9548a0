"""Steering's events on the steering topic: the published strategy, actions and KPI alerts."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.common import Contract
from shared.events.orders import DecimalText
from shared.events.segments import LifecycleStage, PotentialTier, ValueTier

Thrust = Literal["grow", "develop", "retain", "serve_efficiently", "restructure"]


class ServiceLevel(Contract):
    key: str = Field(description="Key of the service level, e.g. premium, standard.")
    name: str = Field(description="Name shown to users.")
    response_time_hours: int = Field(ge=0, description="Target time to answer a request.")
    description: str = Field(default="", description="What customers of the level get.")


class SegmentApproach(Contract):
    channel: str = Field(description="Sales channel serving the segment, e.g. field_sales.")
    role: str = Field(description="Role that serves it, e.g. key_account_manager.")
    contact_frequency_days: int | None = Field(
        description="A customer is to be contacted at least every this many days; null = "
        "no prescribed contact."
    )
    service_level: str = Field(description="Key of the segment's service level.")


class SegmentTreatment(Contract):
    offers: list[str] = Field(default_factory=list, description="Offers made to the segment.")
    retention_measures: list[str] = Field(
        default_factory=list, description="Measures to keep the segment's customers."
    )
    communication_channel: str = Field(description="Preferred channel for communication.")
    communication_frequency_days: int | None = Field(
        default=None, description="Communication every this many days; null = on occasion."
    )


class StrategicSegment(Contract):
    key: str = Field(description="Key of the strategic segment, e.g. grow_key_accounts.")
    name: str = Field(description="Name shown to users.")
    thrust: Thrust = Field(description="What the strategy wants from the segment.")
    target_segment: bool = Field(
        default=False, description="True for the segments the strategy wants revenue from."
    )
    approach: SegmentApproach | None = Field(
        default=None, description="Channel, role, contact frequency and service level."
    )
    treatment: SegmentTreatment | None = Field(
        default=None, description="Offers, retention measures and communication."
    )


class PortfolioCell(Contract):
    value_tier: ValueTier = Field(description="Value tier of the cell.")
    potential_tier: PotentialTier = Field(description="Potential tier of the cell.")
    segment: str = Field(description="Strategic segment the cell maps to.")


class LifecycleOverride(Contract):
    lifecycle_stage: LifecycleStage = Field(description="Stage the override applies to.")
    value_tiers: list[ValueTier] = Field(description="Value tiers it applies to.")
    segment: str = Field(description="Strategic segment these customers map to instead.")


class CostRate(Contract):
    channel: str = Field(description="Touchpoint channel, or 'return' for return handling.")
    touchpoint_type: str | None = Field(
        default=None, description="Touchpoint type; null = every type of the channel."
    )
    rate: DecimalText = Field(description="Cost of one such contact.")


class StrategyPublished(Contract):
    """An approved version of the sales strategy became the active one."""

    strategy_id: str = Field(description="Id of the strategy document.")
    version: int = Field(ge=1, description="Version that is now active.")
    published_at: datetime = Field(description="When it became active (UTC).")
    segments: list[StrategicSegment] = Field(description="The strategic segments.")
    portfolio: list[PortfolioCell] = Field(
        description="Value tier x potential tier -> strategic segment, every cell once."
    )
    lifecycle_overrides: list[LifecycleOverride] = Field(
        default_factory=list, description="Stages that map to another segment, in order."
    )
    cost_rates: list[CostRate] = Field(
        default_factory=list, description="Cost to serve per contact, by channel and type."
    )
    service_levels: list[ServiceLevel] = Field(
        default_factory=list, description="Service levels the segments' approach refers to."
    )


class ActionRecommended(Contract):
    """A next best action for a customer, derived from its treatment and consents."""

    action_id: str = Field(description="Id of the action; outcomes are reported against it.")
    customer_id: str = Field(description="Canonical customer id.")
    action_type: str = Field(description="e.g. retention_call, cross_sell_offer.")
    title: str = Field(description="What to do, in words.")
    reason: str = Field(description="Why, in words (segment, stage, rule).")
    channel: str = Field(description="Channel to act through, consent permitting.")
    owner_rep: str | None = Field(description="Rep expected to act; null for central teams.")
    due_at: datetime = Field(description="By when (UTC).")
    priority: int = Field(ge=1, le=5, description="1 = most urgent.")
    thrust: str | None = Field(description="Thrust of the customer's strategic segment.")
    recommended_at: datetime = Field(description="When it was recommended (UTC).")


class KpiAlert(Contract):
    """A KPI turned red, a high-value customer became at risk, or an unprofitable segment grew."""

    alert_id: str = Field(description="Id of the alert.")
    kind: Literal["kpi_red", "customer_at_risk", "segment_growing"] = Field(
        description="What happened."
    )
    subject: str = Field(description="The KPI, customer id or segment it concerns.")
    message: str = Field(description="What happened, in words.")
    severity: Literal["info", "warning", "critical"] = Field(description="How urgent.")
    raised_at: datetime = Field(description="When it was raised (UTC).")
