"""Touchpoint events profiles publishes for the experience service, customer resolved."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.common import Contract
from shared.events.orders import DecimalText

TouchpointChannel = Literal[
    "store",
    "field_visit",
    "phone",
    "email",
    "web",
    "app",
    "chat",
    "social",
    "partner",
    "letter",
]
Direction = Literal["inbound", "outbound"]


class TouchpointRecorded(Contract):
    """An interaction with a customer or an anonymous visitor, over any channel.

    Keyed by the customer id, or by the anonymous id while the visitor is not identified.
    """

    customer_id: str | None = Field(
        default=None, description="Canonical customer id; null while the visitor is anonymous."
    )
    anonymous_id: str | None = Field(
        default=None, description="Web/app visitor id, when the source reported one."
    )
    source_system: str = Field(description="System that recorded the touchpoint.")
    channel: TouchpointChannel = Field(description="Channel of the interaction.")
    touchpoint_type: str = Field(description="e.g. website_visit, quote_requested, complaint.")
    journey_stage: str | None = Field(default=None, description="Journey stage, if reported.")
    direction: Direction | None = Field(
        default=None, description="inbound (customer-initiated) or outbound."
    )
    csat: int | None = Field(default=None, description="Satisfaction score 1-5.")
    nps: int | None = Field(default=None, description="Likelihood to recommend 0-10.")
    effort: int | None = Field(default=None, description="Customer effort score 1-7.")
    outcome: str | None = Field(default=None, description="Outcome, e.g. resolved.")
    duration_seconds: int | None = Field(default=None, description="Duration in seconds.")
    rep: str | None = Field(default=None, description="Sales or service rep involved.")
    cost: DecimalText | None = Field(
        default=None, description="Cost of the interaction, if the source knows it."
    )
    occurred_at: datetime = Field(description="When it happened (the source's time).")
