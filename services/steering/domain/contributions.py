"""What one order, return, contact or assignment adds to the KPI aggregates.

Pure arithmetic over integer amounts in ten-thousandths of the currency unit; which period
and which dimension members it is added to is decided by the caller.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

SCALE = 10_000
EVERY_TYPE = "*"
RETURN_HANDLING = ("return", EVERY_TYPE)
ACTIVE_STAGES = frozenset({"new", "developing", "loyal", "at_risk", "reactivated"})
Measures = dict[str, int]

# Distinct-count flags of a customer in a period.
ORDERED = 1
CONTACTED = 2
UNPROFITABLE_SERVED = 4


def units(amount: Decimal | None) -> int:
    """An amount in ten-thousandths, rounded half to even."""
    if amount is None:
        return 0
    return int((amount * SCALE).to_integral_value(rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class CustomerContext:
    """What the aggregates need to know of a customer when one of its events arrives."""

    segment: str | None = None
    target_segment: bool = False
    value_tier: str | None = None
    lifecycle_stage: str | None = None
    contribution_margin_3_12m: int = 0

    @property
    def unprofitable(self) -> bool:
        return self.value_tier == "negative"


@dataclass(frozen=True)
class OrderAmounts:
    revenue: int
    cost_of_goods: int
    discounts: int
    direct_costs: int

    def measures(self, context: CustomerContext, sign: int = 1) -> Measures:
        margin = self.revenue - self.cost_of_goods - self.discounts - self.direct_costs
        measures = {
            "orders": sign,
            "revenue": sign * self.revenue,
            "cost_of_goods": sign * self.cost_of_goods,
            "discounts": sign * self.discounts,
            "direct_costs": sign * self.direct_costs,
        }
        if context.target_segment:
            measures["target_revenue"] = sign * self.revenue
        if context.unprofitable:
            measures["unprofitable_margin"] = sign * margin
        return measures


def return_measures(
    credited: int, recovered_cost: int, handling_cost: int, context: CustomerContext
) -> Measures:
    """Credited revenue and recovered cost of goods; the handling counts as cost to serve."""
    measures = {
        "returned_revenue": credited,
        "returned_cost_of_goods": recovered_cost,
        "cost_to_serve": handling_cost,
    }
    if context.unprofitable:
        measures["unprofitable_margin"] = -(credited - recovered_cost) - handling_cost
    return measures


def contact_cost(
    rates: Mapping[tuple[str, str], int], channel: str, touchpoint_type: str, reported: int | None
) -> int:
    """The reported cost of a contact, else the strategy's rate for its type or channel."""
    if reported is not None:
        return reported
    return rates.get((channel, touchpoint_type), rates.get((channel, EVERY_TYPE), 0))


def contact_measures(
    cost: int, csat: int | None, nps: int | None, context: CustomerContext
) -> Measures:
    measures = {"cost_to_serve": cost}
    if csat is not None:
        measures["csat_sum"], measures["csat_answers"] = csat, 1
    if nps is not None:
        measures["nps_answers"] = 1
        if nps >= 9:
            measures["nps_promoters"] = 1
        elif nps <= 6:
            measures["nps_detractors"] = 1
    if context.unprofitable:
        measures["unprofitable_margin"] = -cost
    return measures


def distinct_counts(already: int, wanted: int, first_order: bool) -> Measures:
    """The distinct counts a customer adds to a period by doing `wanted` (flags)."""
    new = wanted & ~already
    measures: Measures = {}
    if new & ORDERED:
        measures["active_customers"] = 1
        if first_order:
            measures["new_customers"] = 1
    if new & CONTACTED:
        measures["contacted_customers"] = 1
    if new & UNPROFITABLE_SERVED:
        measures["unprofitable_customers"] = 1
    return measures


def lapse_measures(before: CustomerContext, stage: str) -> Measures:
    """A customer moved to lapsed (lost): counted, and as profitable when its cm3 was > 0."""
    if stage != "lapsed" or before.lifecycle_stage in (None, "lapsed", "prospect"):
        return {}
    measures = {"lost_customers": 1}
    if before.contribution_margin_3_12m > 0:
        measures["profitable_lost"] = 1
    return measures


def state_measures(
    stage: str, value_tier: str, *, clv: int, gap: int, margin: int, sign: int = 1
) -> Measures:
    """What one assigned customer adds to the current-state aggregates."""
    return {
        "customers": sign,
        "base_customers": sign if stage in ACTIVE_STAGES else 0,
        "clv": sign * clv,
        "share_of_wallet_gap": sign * gap,
        "unprofitable_customers": sign if value_tier == "negative" else 0,
        "contribution_margin_3_12m": sign * margin,
    }
