"""Request and response bodies of experience's customer and journey definition API."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.customer_directory import DirectoryCustomer


class TouchpointRead(BaseModel):
    touchpoint_key: str = Field(description="Id of the touchpoint here (tp:, order: or return:).")
    occurred_at: datetime = Field(description="When it happened (UTC).")
    channel: str = Field(description="Channel, e.g. phone; `return` for a return.")
    touchpoint_type: str = Field(description="e.g. quote_requested, complaint, purchase.")
    reported_stage: str | None = Field(description="Journey stage the source reported.")
    direction: str | None = Field(description="inbound or outbound.")
    csat: int | None = Field(description="Satisfaction 1-5.")
    nps: int | None = Field(description="Likelihood to recommend 0-10.")
    effort: int | None = Field(description="Customer effort 1-7.")
    outcome: str | None = Field(description="Outcome, e.g. resolved.")
    duration_seconds: int | None = Field(description="Duration in seconds.")
    rep: str | None = Field(description="Sales or service rep involved.")
    cost: Decimal | None = Field(description="Cost the source reported for the contact.")
    revenue: Decimal | None = Field(
        description="Net revenue of a purchase; null without the financials:read scope."
    )
    anonymous_id: str | None = Field(
        description="Visitor id it was recorded under; null without the pii:read scope."
    )
    journey_id: str | None = Field(description="Journey instance it counts in.")
    journey_type: str | None = Field(description="Type of that journey.")
    stage: str | None = Field(description="Stage it stands for in that journey.")


class StageEntry(BaseModel):
    stage: str = Field(description="Stage entered.")
    entered_at: datetime = Field(description="When (the touchpoint's time).")
    seconds: float = Field(description="Time spent in it (the current one: until last contact).")


class JourneyRead(BaseModel):
    journey_id: str = Field(description="Id of the journey instance.")
    journey_type: str = Field(description="Journey definition, e.g. purchase or service.")
    stage: str = Field(description="Current stage.")
    status: str = Field(description="open, converted or abandoned.")
    started_at: datetime = Field(description="First contact.")
    last_contact_at: datetime = Field(description="Last contact.")
    converted_at: datetime | None = Field(description="When it reached its conversion stage.")
    entry_channel: str = Field(description="Channel of the first contact.")
    channels: list[str] = Field(description="Channels used, in the order first used.")
    touchpoints: int = Field(description="Touchpoints in the journey.")
    path: list[str] = Field(
        description="Touchpoint types up to conversion (repeats collapsed, at most 12)."
    )
    stages: list[StageEntry] = Field(description="Stages entered, in order, with elapsed time.")


class CustomerExperience(DirectoryCustomer):
    """The customer with its touchpoints (newest first) and journeys (newest first)."""

    strategic_segment: str | None = Field(description="Strategic segment from segmentation.")
    touchpoints_total: int = Field(description="Touchpoints held for the customer.")
    touchpoints: list[TouchpointRead] = Field(description="The latest touchpoints, newest first.")
    journeys: list[JourneyRead] = Field(description="Every journey, newest first.")


class JourneyDefinitionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    journey_type: str = Field(min_length=1, max_length=50, description="e.g. purchase.")
    stages: list[str] = Field(min_length=1, description="Stages in their order.")
    conversion_stage: str = Field(description="Reaching it converts the journey.")
    touchpoint_stages: dict[str, str] = Field(description="Touchpoint type -> stage.")
    outcome_stages: dict[str, str] = Field(
        default_factory=dict, description="Outcome -> stage it moves the journey to at least."
    )
    gap_days: float = Field(
        gt=0, le=3650, description="Days without contact after which a new journey begins."
    )


class DefinitionsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    definitions: list[JourneyDefinitionBody] = Field(
        min_length=1, description="Every journey definition; they replace the current ones."
    )
    comment: str | None = Field(default=None, max_length=1000, description="Why they changed.")


class DefinitionsRead(BaseModel):
    version: int = Field(description="Version; 0 = the built-in definitions.")
    definitions: list[JourneyDefinitionBody] = Field(description="The journey definitions.")
    changed_by: str = Field(description="Key name that stored them, or built-in.")
    changed_at: datetime | None = Field(description="When they were stored.")
    comment: str | None = Field(description="Why they changed.")


class DefinitionsHistory(BaseModel):
    versions: list[DefinitionsRead] = Field(description="Newest first.")


class JourneyRebuildRead(BaseModel):
    version: int = Field(description="Version of the definitions the journeys are rebuilt under.")
    requested_at: datetime = Field(description="When the definitions were saved.")
    customers_total: int | None = Field(
        description="Customers with touchpoints when it began; null until the worker counted."
    )
    customers_done: int = Field(description="Customers whose journeys are rebuilt so far.")
    finished_at: datetime | None = Field(description="When it finished; null while running.")
    superseded: bool = Field(
        description="Stopped because newer definitions were saved (their rebuild does all)."
    )


class JourneyRebuilds(BaseModel):
    rebuilds: list[JourneyRebuildRead] = Field(description="Rebuilds, newest first.")
