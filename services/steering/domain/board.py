"""A KPI against its target: attainment, status by bands, and the trend against before."""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from services.steering.domain.kpis import KpiDefinition

Status = Literal["green", "amber", "red"]
Trend = Literal["up", "down", "flat"]


@dataclass(frozen=True)
class Bands:
    """Attainment from which a KPI is green, and from which it is amber (below: red)."""

    green_from: Decimal = Decimal("1.00")
    amber_from: Decimal = Decimal("0.90")


@dataclass(frozen=True)
class Evaluation:
    value: Decimal | None
    target: Decimal | None
    attainment: Decimal | None
    status: Status | None
    previous: Decimal | None
    change: Decimal | None
    trend: Trend | None
    improving: bool | None


def period_target(kpi: KpiDefinition, monthly: Decimal | None, months: int) -> Decimal | None:
    """A monthly target for a period of `months` months: summed for sums, as is for rates."""
    if monthly is None:
        return None
    return monthly * months if kpi.scales_with_period else monthly


def attainment(kpi: KpiDefinition, value: Decimal, target: Decimal) -> Decimal | None:
    """How far the value reaches the target, 1.00 = exactly on target.

    For a KPI where lower is better it is target / value (a value of 0 reaches any target).
    A target of 0 for a higher-is-better KPI is reached by any value >= 0.
    """
    if kpi.higher_is_better:
        if target == 0:
            return Decimal("1.0000") if value >= 0 else Decimal("0.0000")
        ratio = value / target
    else:
        if value <= 0:
            return Decimal("1.0000") if target >= 0 else Decimal("0.0000")
        ratio = target / value
    return ratio.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def status(reached: Decimal, bands: Bands) -> Status:
    if reached >= bands.green_from:
        return "green"
    if reached >= bands.amber_from:
        return "amber"
    return "red"


def evaluate(
    kpi: KpiDefinition,
    value: Decimal | None,
    target: Decimal | None,
    previous: Decimal | None,
    bands: Bands,
) -> Evaluation:
    reached = attainment(kpi, value, target) if value is not None and target is not None else None
    change = value - previous if value is not None and previous is not None else None
    trend: Trend | None = None
    improving: bool | None = None
    if change is not None:
        trend = "up" if change > 0 else "down" if change < 0 else "flat"
        improving = None if change == 0 else (change > 0) == kpi.higher_is_better
    return Evaluation(
        value=value,
        target=target,
        attainment=reached,
        status=status(reached, bands) if reached is not None else None,
        previous=previous,
        change=change,
        trend=trend,
        improving=improving,
    )
