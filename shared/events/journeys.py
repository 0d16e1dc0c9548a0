"""Experience's events on the journeys topic: journey stage changes and experience summaries."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.common import Contract

JourneyStatus = Literal["open", "converted", "abandoned"]


class JourneyStageChanged(Contract):
    """A customer's journey entered a new stage (or was converted or abandoned)."""

    customer_id: str = Field(description="Canonical customer id.")
    journey_id: str = Field(description="Id of the journey instance.")
    journey_type: str = Field(description="Journey definition, e.g. purchase or service.")
    stage: str = Field(description="Stage the journey is in now.")
    previous_stage: str | None = Field(description="Stage before; null for a new journey.")
    status: JourneyStatus = Field(description="open, converted or abandoned.")
    entered_at: datetime = Field(
        description="When the stage was entered or the status changed (the touchpoint's time; "
        "for an abandonment the end of the gap; for a reopened journey the abandonment it "
        "takes back)."
    )
    channel: str | None = Field(description="Channel of the touchpoint that moved it.")
    touchpoint_type: str | None = Field(description="Type of that touchpoint.")
    previous_status: JourneyStatus | None = Field(
        default=None,
        description="Status before this change; null for a new journey. A journey converted "
        "or abandoned is counted once, when its status becomes so; open after abandoned "
        "means a later-delivered contact within the gap reopened it.",
    )


class RecentContact(Contract):
    occurred_at: datetime = Field(description="When it happened.")
    channel: str = Field(description="Channel.")
    touchpoint_type: str = Field(description="Type, e.g. complaint.")


class ExperienceSummaryUpdated(Contract):
    """What the customer experienced lately, as profiles shows it in the 360-degree view."""

    customer_id: str = Field(description="Canonical customer id.")
    journey_type: str | None = Field(description="Type of the customer's latest journey.")
    journey_stage: str | None = Field(description="Its current stage; null without journeys.")
    journey_status: JourneyStatus | None = Field(description="Its status.")
    csat_mean: float | None = Field(description="Mean satisfaction 1-5 of the last 12 months.")
    csat_answers: int = Field(description="Satisfaction answers it rests on.")
    last_nps: int | None = Field(description="The latest likelihood to recommend (0-10).")
    nps_answers: int = Field(description="NPS answers of the last 12 months.")
    effort_mean: float | None = Field(description="Mean customer effort 1-7, 12 months.")
    open_complaints: int = Field(description="Complaints without a resolution yet.")
    last_contacts: list[RecentContact] = Field(description="The latest contacts, newest first.")
    as_of: datetime = Field(description="Time of the latest touchpoint it reflects.")
