"""Reps, incentive plans and payouts as the API takes and shows them."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.steering.domain.incentives import Metric
from shared.events.steering import Thrust

RepId = Field(
    min_length=1,
    max_length=100,
    pattern=r"^[A-Za-z0-9._@-]+$",
    description="Id of the rep, as customers' owner_rep and orders' sales_rep name it.",
)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepWrite(_Input):
    rep_id: str = RepId
    name: str | None = Field(default=None, max_length=200, description="Name shown to users.")
    team: str | None = Field(
        default=None, max_length=100, description="Team; picks the incentive plan naming it."
    )
    region: str | None = Field(default=None, max_length=100, description="Sales region.")


class RepRead(BaseModel):
    rep_id: str = Field(description="Id of the rep, as customers' owner_rep and orders name it.")
    name: str | None = Field(description="Name shown to users.")
    team: str | None = Field(description="Team of the rep.")
    region: str | None = Field(description="Sales region of the rep.")
    source: Literal["api", "customers"] = Field(
        description="api (registered) or customers (first seen as a customer's owner rep)."
    )
    created_at: datetime = Field(description="When the rep became known (UTC).")
    updated_at: datetime = Field(description="When it last changed (UTC).")


class RepList(BaseModel):
    items: list[RepRead] = Field(description="Reps, by id.")


class AcceleratorWrite(_Input):
    from_attainment: Decimal = Field(
        ge=0, description="Attainment (1.00 = target) above which the multiplier applies."
    )
    multiplier: Decimal = Field(ge=1, description="Each point above pays this many times.")


class ComponentWrite(_Input):
    key: str = Field(
        min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$", description="Key of the component."
    )
    name: str = Field(min_length=1, max_length=200, description="Name shown on the payout.")
    metric: Metric = Field(
        description="cm2_growth (cm2 less the previous period's), cm2, revenue, "
        "retention_rate (1 - lost / (base + lost)), new_customers, or discount_malus "
        "(discount rate beyond the price band)."
    )
    thrusts: list[Thrust] = Field(
        default_factory=list,
        description="Measured over the rep's customers in segments with these thrusts; "
        "empty = every segment.",
    )
    target_segments_only: bool = Field(
        default=False, description="Measured only over the strategy's target segments."
    )
    weight: Decimal = Field(
        ge=0, le=1, description="Share of the on-target bonus paid at 100 % attainment."
    )
    target: Decimal = Field(
        ge=0,
        description="Per month for sums (cm2_growth, cm2, revenue, new_customers), per period "
        "for rates; for discount_malus the price band (highest discount rate without malus).",
    )
    threshold: Decimal = Field(
        default=Decimal(0), ge=0, description="Attainment below which the component pays 0."
    )
    cap: Decimal | None = Field(default=None, gt=0, description="Attainment counted at most.")
    accelerators: list[AcceleratorWrite] = Field(
        default_factory=list, description="Steeper pay above given attainments."
    )
    malus_per_point: Decimal = Field(
        default=Decimal(0), ge=0, description="discount_malus: amount per point beyond the band."
    )
    malus_cap: Decimal | None = Field(
        default=None, ge=0, description="discount_malus: the malus at most."
    )

    @model_validator(mode="after")
    def _consistent(self) -> "ComponentWrite":
        if self.metric == "discount_malus":
            if self.weight != 0:
                raise ValueError(f"{self.key}: a malus has weight 0")
            if self.malus_per_point <= 0:
                raise ValueError(f"{self.key}: a malus needs malus_per_point > 0")
        elif self.metric in ("retention_rate",) and self.target > 1:
            raise ValueError(f"{self.key}: a rate target lies between 0 and 1")
        starts = [a.from_attainment for a in self.accelerators]
        if starts != sorted(set(starts)):
            raise ValueError(f"{self.key}: accelerators in rising order of from_attainment")
        return self


class IncentivePlanContent(_Input):
    """An incentive plan: components tied to the segment strategy, with their rules."""

    name: str = Field(min_length=1, max_length=200, description="Title of the plan.")
    description: str = Field(default="", max_length=5000, description="Aims in words.")
    teams: list[str] = Field(
        default_factory=list,
        description="Teams the plan applies to; empty = every rep no other plan names.",
    )
    on_target_bonus: Decimal = Field(
        ge=0, max_digits=12, decimal_places=2, description="Bonus per month at 100 % everywhere."
    )
    components: list[ComponentWrite] = Field(min_length=1, description="What the plan pays for.")

    @model_validator(mode="after")
    def _weights(self) -> "IncentivePlanContent":
        keys = [c.key for c in self.components]
        if len(keys) != len(set(keys)):
            raise ValueError("component keys must be unique")
        weights = sum((c.weight for c in self.components), Decimal(0))
        if weights != 1:
            raise ValueError(f"the components' weights add up to {weights}, not 1")
        return self


PLAN_FIELDS = tuple(IncentivePlanContent.model_fields)


class PayoutLineRead(BaseModel):
    component: str = Field(description="Key of the component.")
    name: str = Field(description="Name of the component.")
    metric: Metric = Field(description="What was measured.")
    segments: list[str] = Field(description="Strategic segments measured over.")
    value: Decimal | None = Field(description="The rep's value in the period.")
    target: Decimal = Field(description="Target for the period (price band for a malus).")
    attainment: Decimal | None = Field(description="value / target.")
    counted_attainment: Decimal | None = Field(description="After the cap; null below threshold.")
    factor: Decimal = Field(description="Counted attainment after accelerators.")
    weight: Decimal = Field(description="Share of the on-target bonus.")
    amount: Decimal = Field(description="What the component pays (negative for a malus).")
    explanation: str = Field(description="How the figure came about, in words.")


class PayoutRead(BaseModel):
    rep_id: str = Field(description="The rep.")
    period: str = Field(description="Month, quarter or year.")
    status: Literal["final", "provisional"] = Field(
        description="final once the period's last month is closed (figures kept as computed "
        "then); provisional while it is open."
    )
    plan_id: str = Field(description="Incentive plan applied.")
    plan_version: int = Field(description="Its version.")
    on_target_bonus: Decimal = Field(description="Bonus for the period at 100 %.")
    total: Decimal = Field(description="Sum of the lines, at least 0.")
    late_events: int = Field(
        description="Events of the rep counted in this period although dated in an earlier, "
        "already closed month."
    )
    computed_at: datetime = Field(description="When the figures were computed (UTC).")
    lines: list[PayoutLineRead] = Field(description="One line per component.")


class PayoutList(BaseModel):
    items: list[PayoutRead] = Field(description="Payouts by rep.")
    unplanned_reps: list[str] = Field(
        description="Reps no active incentive plan applies to (no payout)."
    )
