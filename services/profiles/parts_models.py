"""What the other services publish for the 360° view: per customer the latest segment
assignment, the latest experience summary and the open next best actions; besides them the
published strategies and the completed segmentation runs they refer to.

Every per-customer row remembers the event it came from (`event_id`, `event_time`) and the
moment it describes, so that an older event never overwrites a newer one.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.profiles.models import Base


def _customer_key() -> ForeignKey:
    return ForeignKey("customers.customer_id", ondelete="CASCADE")


class CustomerSegment(Base):
    """The latest segment.assigned of a customer."""

    __tablename__ = "customer_segments"
    # Each filter of the customer list walks its index in customer_id order.
    __table_args__ = (
        Index("ix_customer_segments_segment_customer", "strategic_segment", "customer_id"),
        Index("ix_customer_segments_stage_customer", "lifecycle_stage", "customer_id"),
        Index("ix_customer_segments_thrust_customer", "thrust", "customer_id"),
        Index("ix_customer_segments_value_tier_customer", "value_tier", "customer_id"),
        Index("ix_customer_segments_potential_tier_customer", "potential_tier", "customer_id"),
        Index("ix_customer_segments_churn_risk", "churn_risk"),
    )

    customer_id: Mapped[str] = mapped_column(String(64), _customer_key(), primary_key=True)
    strategic_segment: Mapped[str] = mapped_column(String(100))
    thrust: Mapped[str] = mapped_column(String(30))
    value_tier: Mapped[str] = mapped_column(String(20))
    potential_tier: Mapped[str] = mapped_column(String(20))
    lifecycle_stage: Mapped[str] = mapped_column(String(20))
    lifecycle_reason: Mapped[str] = mapped_column(Text)
    needs_cluster: Mapped[int | None]
    needs_description: Mapped[str | None] = mapped_column(Text)
    abc_class: Mapped[str] = mapped_column(String(1))
    revenue_12m: Mapped[Decimal]
    contribution_margin_3_12m: Mapped[Decimal]
    clv: Mapped[Decimal]
    share_of_wallet_gap: Mapped[Decimal]
    churn_risk: Mapped[float | None]
    p_alive: Mapped[float | None]
    reasons: Mapped[list[str]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(100))
    run_id: Mapped[str | None] = mapped_column(String(64))
    measured_at: Mapped[datetime]
    """The moment segmentation measured the customer's data at (the payload's as_of)."""
    event_id: Mapped[str] = mapped_column(String(200))
    event_time: Mapped[datetime]


class CustomerExperience(Base):
    """The latest experience.summary_updated of a customer."""

    __tablename__ = "customer_experiences"

    customer_id: Mapped[str] = mapped_column(String(64), _customer_key(), primary_key=True)
    journey_type: Mapped[str | None] = mapped_column(String(100))
    journey_stage: Mapped[str | None] = mapped_column(String(100))
    journey_status: Mapped[str | None] = mapped_column(String(20))
    csat_mean: Mapped[float | None]
    csat_answers: Mapped[int]
    last_nps: Mapped[int | None]
    nps_answers: Mapped[int]
    effort_mean: Mapped[float | None]
    open_complaints: Mapped[int]
    last_contacts: Mapped[list[dict[str, Any]]]
    latest_touchpoint_at: Mapped[datetime]
    """Time of the latest touchpoint the summary reflects (the payload's as_of)."""
    event_id: Mapped[str] = mapped_column(String(200))
    event_time: Mapped[datetime]


class CustomerAction(Base):
    """One of the latest next best actions steering recommended for a customer."""

    __tablename__ = "customer_actions"
    __table_args__ = (
        Index("ix_customer_actions_customer_recommended", "customer_id", "recommended_at"),
    )

    action_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), _customer_key())
    action_type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(50))
    owner_rep: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[datetime]
    priority: Mapped[int]
    thrust: Mapped[str | None] = mapped_column(String(30))
    recommended_at: Mapped[datetime]
    event_id: Mapped[str] = mapped_column(String(200))
    event_time: Mapped[datetime]


class PublishedStrategy(Base):
    """A version of the sales strategy steering published; the newest one is in force."""

    __tablename__ = "published_strategies"

    strategy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(index=True)
    segments: Mapped[list[dict[str, Any]]]
    """Per strategic segment: key, name, thrust, and service level and treatment when given."""
    event_id: Mapped[str] = mapped_column(String(200))
    event_time: Mapped[datetime]


class SegmentationRun(Base):
    """A full segmentation run that completed, as segmentation reported it."""

    __tablename__ = "segmentation_runs"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    measured_at: Mapped[datetime]
    completed_at: Mapped[datetime] = mapped_column(index=True)
    customers: Mapped[int]
    changed: Mapped[int]
    segment_sizes: Mapped[dict[str, Any]]
    model_version: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(String(200))
