"""The KPI cockpit as the API shows it."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Dimension = Literal["all", "segment", "channel", "region", "rep"]


class KpiDefinitionRead(BaseModel):
    kpi: str = Field(description="Key of the KPI.")
    name: str = Field(description="Name shown to users.")
    unit: Literal["amount", "count", "ratio", "score"] = Field(
        description="amount (currency, 2 places), count, ratio (0-1, 4 places) or score."
    )
    higher_is_better: bool = Field(description="Direction of attainment and improvement.")
    scales_with_period: bool = Field(
        description="A monthly target counts once per month of a quarter or year."
    )
    definition: str = Field(description="How the KPI is computed.")


class KpiDefinitions(BaseModel):
    items: list[KpiDefinitionRead] = Field(description="Every KPI of the cockpit.")


class KpiRead(BaseModel):
    kpi: str = Field(description="Key of the KPI (see GET /v1/kpis for its definition).")
    value: Decimal | None = Field(
        description="Value in the period; null when undefined (no answers, no customers), "
        "a distinct count a range of months cannot give per channel, or an amount hidden "
        "from keys without financials:read."
    )
    target: Decimal | None = Field(description="Target for the period from the strategy.")
    attainment: Decimal | None = Field(
        description="value / target (target / value where lower is better); 1 = on target."
    )
    status: Literal["green", "amber", "red"] | None = Field(
        description="By the strategy's bands on attainment; null without a target."
    )
    previous: Decimal | None = Field(description="Value in the previous period.")
    change: Decimal | None = Field(description="value - previous.")
    trend: Literal["up", "down", "flat"] | None = Field(description="Direction of change.")
    improving: bool | None = Field(description="True when the change is for the better.")


class MemberRead(BaseModel):
    member: str = Field(
        description="Member of the dimension: all, a segment key, channel, region or rep; "
        "unassigned/unknown where the customer has none."
    )
    kpis: list[KpiRead] = Field(description="Every KPI of the member.")


class CockpitRead(BaseModel):
    period: str = Field(
        description="The period shown: 2026-11, 2026-Q4, 2026 or 2026-02..2026-07 (UTC)."
    )
    previous_period: str = Field(
        description="The period compared against: the one before, of the same length."
    )
    dimension: str = Field(description="all, segment, channel, region or rep.")
    strategy: str | None = Field(description="The strategy whose targets apply, e.g. v3.")
    closed: bool = Field(description="True when the period's (last) month is closed.")
    generated_at: datetime = Field(description="When the board was read (UTC).")
    members: list[MemberRead] = Field(description="One board per member of the dimension.")


class SeriesPoint(BaseModel):
    period: str = Field(description="The period.")
    value: Decimal | None = Field(description="The KPI in the period.")
    target: Decimal | None = Field(description="Its target.")
    attainment: Decimal | None = Field(description="Attainment of the target.")
    status: Literal["green", "amber", "red"] | None = Field(description="Status band.")
    trend: Literal["up", "down", "flat"] | None = Field(description="Against the point before.")


class KpiSeriesRead(BaseModel):
    kpi: KpiDefinitionRead = Field(description="The KPI and its definition.")
    dimension: str = Field(description="Dimension of the member.")
    member: str = Field(description="Member the series is for.")
    points: list[SeriesPoint] = Field(description="Oldest first.")


class PeriodClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=1000, description="Remark kept.")


class ClosedPeriodRead(BaseModel):
    period: str = Field(description="The closed month.")
    closed_at: datetime = Field(description="When (UTC).")
    closed_by: str = Field(description="Name of the API key that closed it.")
    comment: str | None = Field(description="Remark given.")


class ClosedPeriods(BaseModel):
    items: list[ClosedPeriodRead] = Field(description="Closed months, newest first.")
