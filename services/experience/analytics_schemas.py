"""Response bodies of experience's analytics: funnel, paths and journey map."""

from decimal import Decimal

from pydantic import BaseModel, Field

from services.experience.measures_schemas import EstimateRead, Filters


class FunnelStepRead(BaseModel):
    stage: str = Field(description="Stage of the journey definition.")
    reached: int = Field(description="Journeys that reached it (or began further on).")
    share_of_start: EstimateRead = Field(description="reached / journeys begun (Wilson).")
    conversion_from_previous: EstimateRead | None = Field(
        description="reached / reached of the previous stage (Wilson); null for the first."
    )
    median_seconds_from_previous: float | None = Field(
        description="Median time from entering the previous stage to entering this one."
    )


class FunnelGroup(BaseModel):
    group: str | None = Field(description="Segment or entry channel; null = every journey.")
    journeys: int = Field(description="Journeys begun.")
    steps: list[FunnelStepRead] = Field(description="The stages in order.")


class FunnelRead(BaseModel):
    journey_type: str = Field(description="Journey definition, e.g. purchase.")
    by: str | None = Field(description="segment, channel or null.")
    filters: Filters = Field(description="The filters applied.")
    groups: list[FunnelGroup] = Field(description="One funnel per group, largest first.")


class PathRead(BaseModel):
    path: list[str] = Field(description="Touchpoint types in order (repeats collapsed).")
    journeys: int = Field(description="Journeys that took it.")
    share: EstimateRead = Field(description="Their share of the outcome's journeys (Wilson).")


class PathsRead(BaseModel):
    journey_type: str = Field(description="Journey definition.")
    filters: Filters = Field(description="The filters applied.")
    converted: list[PathRead] = Field(description="Most frequent paths to conversion.")
    abandoned: list[PathRead] = Field(description="Most frequent paths to abandonment.")


class MapCell(BaseModel):
    stage: str = Field(description="Stage.")
    channel: str = Field(description="Channel.")
    contacts: int = Field(description="Touchpoints in the stage over the channel.")
    csat_mean: EstimateRead = Field(description="Mean satisfaction 1-5.")
    nps: EstimateRead = Field(description="Net promoter score, points.")
    cost: Decimal = Field(description="What the contacts cost at the strategy's rates.")


class MapStage(BaseModel):
    stage: str = Field(description="Stage.")
    journeys: int = Field(description="Journeys that reached it.")
    drop_off: EstimateRead = Field(
        description="Share of the journeys that reached it and were abandoned there (Wilson)."
    )


class JourneyMapRead(BaseModel):
    journey_type: str = Field(description="Journey definition.")
    filters: Filters = Field(description="The filters applied (segment: the wall per segment).")
    stages: list[MapStage] = Field(description="Stages in order with drop-off.")
    cells: list[MapCell] = Field(description="Stage x channel cells with contacts.")
