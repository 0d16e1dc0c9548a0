"""The sales strategy document as the API takes and shows it."""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.steering.domain.kpis import KPIS
from services.steering.domain.periods import PERIOD_PATTERN
from services.steering.domain.strategy import StrategyOutline, problems
from shared.events.segments import LifecycleStage, PotentialTier, ValueTier
from shared.events.steering import Thrust

SalesChannel = Literal["field_sales", "inside_sales", "e_commerce", "partner", "store"]
Key = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KpiTarget(_Input):
    kpi: str = Field(description="Key of the KPI (see GET /v1/kpis).")
    value: Decimal = Field(
        description="Target per month for sums (revenue, margins, counts of new or lost "
        "customers), per period for rates, scores and counts of active customers."
    )
    period: str | None = Field(
        default=None,
        pattern=PERIOD_PATTERN,
        description="Only for this month, quarter or year (the target of the whole period); "
        "null = every period.",
    )

    @model_validator(mode="after")
    def _known_kpi(self) -> "KpiTarget":
        if self.kpi not in KPIS:
            raise ValueError(f"unknown KPI {self.kpi!r}; known: {', '.join(KPIS)}")
        return self


class ServiceLevelWrite(_Input):
    key: str = Field(min_length=1, max_length=64, description="e.g. premium, self_service.")
    name: str = Field(min_length=1, max_length=200, description="Name shown to users.")
    response_time_hours: int = Field(ge=0, description="Target time to answer a request.")
    description: str = Field(default="", max_length=2000, description="What customers get.")


class ApproachWrite(_Input):
    channel: SalesChannel = Field(description="Sales channel that serves the segment.")
    role: str = Field(
        min_length=1, max_length=100, description="Role that serves it, e.g. account_manager."
    )
    contact_frequency_days: int | None = Field(
        ge=1, description="Contact each customer at least every this many days; null = none."
    )
    service_level: str = Field(description="Key of one of the strategy's service levels.")


class TreatmentWrite(_Input):
    offers: list[str] = Field(default_factory=list, description="Offers made to the segment.")
    retention_measures: list[str] = Field(
        default_factory=list, description="Measures to keep its customers."
    )
    communication_channel: str = Field(
        min_length=1, max_length=50, description="Preferred channel, e.g. email, phone."
    )
    communication_frequency_days: int | None = Field(
        default=None, ge=1, description="Communicate every this many days; null = on occasion."
    )


class SegmentStrategyWrite(_Input):
    key: str = Key
    name: str = Field(min_length=1, max_length=200, description="Name shown to users.")
    thrust: Thrust = Field(description="grow, develop, retain, serve_efficiently, restructure.")
    target_segment: bool = Field(
        default=False, description="True: its revenue counts as revenue from target segments."
    )
    approach: ApproachWrite = Field(description="Who serves the segment, how often, how well.")
    treatment: TreatmentWrite = Field(description="Offers, retention and communication.")
    kpi_targets: list[KpiTarget] = Field(
        default_factory=list, description="Targets of the segment's KPIs."
    )


class PortfolioCellWrite(_Input):
    value_tier: ValueTier = Field(description="Value tier of the cell.")
    potential_tier: PotentialTier = Field(description="Potential tier of the cell.")
    segment: str = Field(description="Strategic segment the cell maps to.")


class LifecycleOverrideWrite(_Input):
    lifecycle_stage: LifecycleStage = Field(description="Stage the override applies to.")
    value_tiers: list[ValueTier] = Field(min_length=1, description="Value tiers it applies to.")
    segment: str = Field(description="Segment these customers map to instead of their cell.")


class CostRateWrite(_Input):
    channel: str = Field(
        min_length=1, max_length=50, description="Touchpoint channel, or 'return' for returns."
    )
    touchpoint_type: str | None = Field(
        default=None, max_length=100, description="Touchpoint type; null = every type."
    )
    rate: Decimal = Field(ge=0, max_digits=12, decimal_places=4, description="Cost of one.")


class StatusBandsWrite(_Input):
    green_from: Decimal = Field(default=Decimal("1.00"), description="Attainment for green.")
    amber_from: Decimal = Field(default=Decimal("0.90"), description="Attainment for amber.")

    @model_validator(mode="after")
    def _ordered(self) -> "StatusBandsWrite":
        if self.amber_from > self.green_from:
            raise ValueError("amber_from must not exceed green_from")
        return self


class StrategyContent(_Input):
    """The strategy document: segments, approach, treatment, targets, portfolio, cost rates."""

    name: str = Field(min_length=1, max_length=200, description="Title of the strategy.")
    description: str = Field(default="", max_length=5000, description="Aims in words.")
    channels: list[SalesChannel] = Field(min_length=1, description="Sales channels in use.")
    service_levels: list[ServiceLevelWrite] = Field(description="Service levels offered.")
    segments: list[SegmentStrategyWrite] = Field(min_length=1, description="The segments.")
    portfolio: list[PortfolioCellWrite] = Field(
        description="Value tier x potential tier -> segment: each of the 12 cells once."
    )
    lifecycle_overrides: list[LifecycleOverrideWrite] = Field(
        default_factory=list, description="Stages mapped to another segment, first match wins."
    )
    cost_rates: list[CostRateWrite] = Field(
        default_factory=list, description="Cost of one contact by channel and type."
    )
    kpi_targets: list[KpiTarget] = Field(
        default_factory=list, description="Targets of the KPIs over all customers."
    )
    status_bands: StatusBandsWrite = Field(
        default_factory=StatusBandsWrite, description="Default bands of every KPI."
    )
    kpi_bands: dict[str, StatusBandsWrite] = Field(
        default_factory=dict, description="Bands of single KPIs, by KPI key."
    )

    @model_validator(mode="after")
    def _consistent(self) -> "StrategyContent":
        outline = StrategyOutline(
            segments=[s.key for s in self.segments],
            service_levels=[level.key for level in self.service_levels],
            segment_service_levels=[s.approach.service_level for s in self.segments],
            cells=[(c.value_tier, c.potential_tier, c.segment) for c in self.portfolio],
            override_segments=[o.segment for o in self.lifecycle_overrides],
        )
        found = problems(outline)
        if unknown := sorted(set(self.kpi_bands) - set(KPIS)):
            found.append(f"bands for unknown KPIs: {', '.join(unknown)}")
        if found:
            raise ValueError("; ".join(found))
        return self


CONTENT_FIELDS = tuple(StrategyContent.model_fields)
