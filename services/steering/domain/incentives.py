"""Incentive payouts: what each component of a plan pays a rep for a period, and why.

Exact decimal arithmetic throughout: attainments and factors to four places, amounts rounded
half to even to the cent only at the end of each component line.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from services.steering.domain import kpis

Metric = Literal[
    "cm2_growth", "cm2", "revenue", "retention_rate", "new_customers", "discount_malus"
]
SUMS = frozenset({"cm2_growth", "cm2", "revenue", "new_customers"})
"""Metrics whose monthly target counts once per month of a longer period."""
CENT = Decimal("0.01")
FOUR = Decimal("0.0001")
ZERO = Decimal(0)
Measures = Mapping[str, int]


@dataclass(frozen=True)
class Accelerator:
    """Above `from_attainment`, each further point of attainment pays `multiplier` times."""

    from_attainment: Decimal
    multiplier: Decimal


@dataclass(frozen=True)
class Component:
    key: str
    name: str
    metric: Metric
    weight: Decimal
    """Share of the on-target bonus the component pays at 100 % attainment."""
    target: Decimal
    """Per month for sums, per period for rates; for the malus the price band (max rate)."""
    threshold: Decimal = ZERO
    cap: Decimal | None = None
    """Attainment counted at most."""
    accelerators: tuple[Accelerator, ...] = ()
    malus_per_point: Decimal = ZERO
    """Malus per percentage point of discount rate beyond the band."""
    malus_cap: Decimal | None = None


@dataclass(frozen=True)
class PayoutLine:
    component: str
    name: str
    metric: Metric
    value: Decimal | None
    target: Decimal
    attainment: Decimal | None
    counted_attainment: Decimal | None
    factor: Decimal
    weight: Decimal
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class Scope:
    """What a rep's customers in a component's segments added up to."""

    flows: Measures
    state: Measures
    flows_before: Measures
    description: str


def period_target(component: Component, months: int) -> Decimal:
    return component.target * months if component.metric in SUMS else component.target


def measure(metric: Metric, scope: Scope) -> Decimal | None:
    """The rep's value of `metric` in the scope; None when undefined (e.g. no base)."""
    now = kpis.values(scope.flows, scope.state)
    if metric == "cm2_growth":
        before = kpis.values(scope.flows_before, {})
        cm2, earlier = now["contribution_margin_2"], before["contribution_margin_2"]
        assert cm2 is not None and earlier is not None
        return cm2 - earlier
    key = {
        "cm2": "contribution_margin_2",
        "revenue": "revenue",
        "retention_rate": "retention_rate",
        "new_customers": "new_customers",
        "discount_malus": "discount_rate",
    }[metric]
    return now[key]


def accelerated(counted: Decimal, accelerators: Sequence[Accelerator]) -> Decimal:
    """Attainment with each accelerator's slope above its start (slopes do not add up)."""
    factor, slope = counted, Decimal(1)
    for accelerator in sorted(accelerators, key=lambda a: a.from_attainment):
        if counted > accelerator.from_attainment:
            factor += (counted - accelerator.from_attainment) * (accelerator.multiplier - slope)
        slope = accelerator.multiplier
    return factor.quantize(FOUR, rounding=ROUND_HALF_EVEN)


def _pct(ratio: Decimal) -> str:
    return f"{(ratio * 100).quantize(CENT)} %"


def component_line(
    component: Component, value: Decimal | None, bonus: Decimal, months: int, scope: str
) -> PayoutLine:
    """The line of one component: value against target, threshold, cap, accelerators."""
    target = period_target(component, months)
    if component.metric == "discount_malus":
        return _malus_line(component, value, scope)
    base = f"{component.name} ({scope}): "
    if value is None or target <= 0:
        reason = "no value in the period" if value is None else "no positive target"
        return _line(component, value, target, base + reason + ": 0.00")
    attainment = max(ZERO, value / target).quantize(FOUR, rounding=ROUND_HALF_EVEN)
    text = f"{base}{value} against target {target} = {_pct(attainment)} attainment"
    if attainment < component.threshold:
        text += f", below the threshold of {_pct(component.threshold)}: 0.00"
        return _line(component, value, target, text, attainment=attainment)
    counted = attainment
    if component.cap is not None and attainment > component.cap:
        counted = component.cap
        text += f", capped at {_pct(component.cap)}"
    factor = accelerated(counted, component.accelerators)
    if factor != counted:
        steps = ", ".join(
            f"x{a.multiplier} above {_pct(a.from_attainment)}" for a in component.accelerators
        )
        text += f", accelerated ({steps}) to factor {factor}"
    amount = (bonus * component.weight * factor).quantize(CENT, rounding=ROUND_HALF_EVEN)
    text += f"; {bonus} on-target bonus x weight {component.weight} x {factor} = {amount}"
    return _line(
        component,
        value,
        target,
        text,
        attainment=attainment,
        counted=counted,
        factor=factor,
        amount=amount,
    )


def _malus_line(component: Component, rate: Decimal | None, scope: str) -> PayoutLine:
    band = component.target
    base = f"{component.name} ({scope}): "
    if rate is None or rate <= band:
        shown = "no discounted orders" if rate is None else f"discount rate {_pct(rate)}"
        text = f"{base}{shown} within the price band of {_pct(band)}: 0.00"
        return _line(component, rate, band, text)
    points = (rate - band) * 100
    malus = points * component.malus_per_point
    text = (
        f"{base}discount rate {_pct(rate)} beyond the price band of {_pct(band)} by "
        f"{points.quantize(CENT)} points x {component.malus_per_point} per point"
    )
    if component.malus_cap is not None and malus > component.malus_cap:
        malus = component.malus_cap
        text += f", capped at {component.malus_cap}"
    amount = -malus.quantize(CENT, rounding=ROUND_HALF_EVEN)
    text += f" = {amount}"
    return _line(component, rate, band, text, amount=amount)


def _line(
    component: Component,
    value: Decimal | None,
    target: Decimal,
    explanation: str,
    *,
    attainment: Decimal | None = None,
    counted: Decimal | None = None,
    factor: Decimal = ZERO,
    amount: Decimal = ZERO,
) -> PayoutLine:
    return PayoutLine(
        component=component.key,
        name=component.name,
        metric=component.metric,
        value=value,
        target=target,
        attainment=attainment,
        counted_attainment=counted,
        factor=factor,
        weight=component.weight,
        amount=amount.quantize(CENT),
        explanation=explanation,
    )


def total(lines: Sequence[PayoutLine]) -> Decimal:
    """The payout: the sum of the lines, never below zero (a malus cannot make a rep pay)."""
    return max(ZERO, sum((line.amount for line in lines), ZERO)).quantize(CENT)
