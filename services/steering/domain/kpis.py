"""The KPIs of the cockpit: what each means, and how it follows from the aggregates.

Flow measures are sums over a period (amounts in ten-thousandths of the currency unit, counts
as they are); state measures describe the current segment assignments (or those at the end of
a closed month). Amounts come out as Decimal with two places, ratios with four.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

SCALE = 10_000
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
Unit = Literal["amount", "count", "ratio", "score"]


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    name: str
    unit: Unit
    higher_is_better: bool
    scales_with_period: bool
    """A monthly target counts once per month of a quarter or year (sums, not rates)."""
    definition: str


DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "revenue",
        "Net revenue",
        "amount",
        True,
        True,
        "Net revenue of the orders placed in the period less the revenue credited for "
        "returns in the period.",
    ),
    KpiDefinition(
        "contribution_margin_1",
        "Contribution margin I",
        "amount",
        True,
        True,
        "Net revenue less the cost of goods sold (returned goods' cost taken back).",
    ),
    KpiDefinition(
        "contribution_margin_2",
        "Contribution margin II",
        "amount",
        True,
        True,
        "cm1 less discounts, shipping and other direct sales costs.",
    ),
    KpiDefinition(
        "contribution_margin_3",
        "Contribution margin III",
        "amount",
        True,
        True,
        "cm2 less the cost to serve (contacts at the strategy's cost rates, return handling).",
    ),
    KpiDefinition(
        "active_customers",
        "Active customers",
        "count",
        True,
        False,
        "Customers with at least one order in the period.",
    ),
    KpiDefinition(
        "new_customers",
        "New customers",
        "count",
        True,
        True,
        "Customers whose first order ever was placed in the period.",
    ),
    KpiDefinition(
        "lost_customers",
        "Lost customers",
        "count",
        False,
        True,
        "Customers segmentation moved to the lapsed stage in the period.",
    ),
    KpiDefinition(
        "churn_rate",
        "Churn rate",
        "ratio",
        False,
        False,
        "Lost customers / (customers in the base (neither prospect nor lapsed) + lost).",
    ),
    KpiDefinition("retention_rate", "Retention rate", "ratio", True, False, "1 - churn rate."),
    KpiDefinition(
        "average_clv",
        "Average CLV",
        "amount",
        True,
        False,
        "Mean customer lifetime value of the assigned customers.",
    ),
    KpiDefinition(
        "upsell_potential",
        "Up-sell potential",
        "amount",
        True,
        False,
        "Sum of the share-of-wallet gaps (12-month cm2 short of comparable customers).",
    ),
    KpiDefinition(
        "discount_rate",
        "Price realisation (average discount rate)",
        "ratio",
        False,
        False,
        "Discounts / (net revenue of orders + discounts): the share of the list price given away.",
    ),
    KpiDefinition(
        "unprofitable_customers_served",
        "Unprofitable customers served",
        "count",
        False,
        False,
        "Customers in the negative value tier who ordered or were contacted.",
    ),
    KpiDefinition(
        "unprofitable_margin_lost",
        "Margin lost on unprofitable customers",
        "amount",
        False,
        True,
        "The negative cm3 the period's orders, returns and contacts of customers in "
        "the negative value tier added up to (0 if positive).",
    ),
    KpiDefinition(
        "profitable_customers_lost",
        "Profitable customers lost",
        "count",
        False,
        True,
        "Lost customers whose 12-month cm3 was positive when they lapsed.",
    ),
    KpiDefinition(
        "target_segment_revenue_share",
        "Revenue share of target segments",
        "ratio",
        True,
        False,
        "Order revenue of customers in target segments / all order revenue.",
    ),
    KpiDefinition(
        "nps",
        "Net promoter score",
        "score",
        True,
        False,
        "(Promoters 9-10 - detractors 0-6) / answers x 100, over the period's answers.",
    ),
    KpiDefinition(
        "csat",
        "Customer satisfaction",
        "score",
        True,
        False,
        "Mean satisfaction score 1-5 of the period's answers.",
    ),
    KpiDefinition(
        "cost_to_serve_share",
        "Cost to serve / revenue",
        "ratio",
        False,
        False,
        "Cost to serve / net revenue.",
    ),
    KpiDefinition(
        "treatment_coverage",
        "Treatment coverage",
        "ratio",
        True,
        False,
        "Customers contacted in the period (a contact or a reported action outcome) / "
        "customers assigned. By segment, a customer assigned to another segment counts as "
        "contacted in its new segment for the periods running at the assignment.",
    ),
)
KPIS: dict[str, KpiDefinition] = {kpi.key: kpi for kpi in DEFINITIONS}


def amount(units: int) -> Decimal:
    return (Decimal(units) / SCALE).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO, rounding=ROUND_HALF_EVEN)


DEPENDS_ON_DISTINCT = {
    "active_customers": "active_customers",
    "contacted_customers": "treatment_coverage",
    "unprofitable_customers": "unprofitable_customers_served",
}
"""The KPI each distinct count (customers counted once per period) is behind."""


def values(
    flow: Mapping[str, int], state: Mapping[str, int], *, uncounted: Collection[str] = ()
) -> dict[str, Decimal | None]:
    """Every KPI of one period and member; None where it is undefined (e.g. no answers) or
    rests on a distinct count the period could not give (`uncounted`)."""
    f = {name: int(value) for name, value in flow.items()}
    s = {name: int(value) for name, value in state.items()}
    revenue = f.get("revenue", 0) - f.get("returned_revenue", 0)
    cost_of_goods = f.get("cost_of_goods", 0) - f.get("returned_cost_of_goods", 0)
    cm1 = revenue - cost_of_goods
    cm2 = cm1 - f.get("discounts", 0) - f.get("direct_costs", 0)
    cm3 = cm2 - f.get("cost_to_serve", 0)
    lost, base = f.get("lost_customers", 0), s.get("base_customers", 0)
    churn = _ratio(lost, base + lost)
    customers = s.get("customers", 0)
    nps_answers = f.get("nps_answers", 0)
    nps = _ratio(100 * (f.get("nps_promoters", 0) - f.get("nps_detractors", 0)), nps_answers)
    figures = {
        "revenue": amount(revenue),
        "contribution_margin_1": amount(cm1),
        "contribution_margin_2": amount(cm2),
        "contribution_margin_3": amount(cm3),
        "active_customers": Decimal(f.get("active_customers", 0)),
        "new_customers": Decimal(f.get("new_customers", 0)),
        "lost_customers": Decimal(lost),
        "churn_rate": churn,
        "retention_rate": None if churn is None else 1 - churn,
        "average_clv": amount(s.get("clv", 0) // customers) if customers else None,
        "upsell_potential": amount(s.get("share_of_wallet_gap", 0)),
        "discount_rate": _ratio(f.get("discounts", 0), f.get("revenue", 0) + f.get("discounts", 0)),
        "unprofitable_customers_served": Decimal(f.get("unprofitable_customers", 0)),
        "unprofitable_margin_lost": amount(max(0, -f.get("unprofitable_margin", 0))),
        "profitable_customers_lost": Decimal(f.get("profitable_lost", 0)),
        "target_segment_revenue_share": _ratio(f.get("target_revenue", 0), f.get("revenue", 0)),
        "nps": None if nps is None else nps.quantize(Decimal("0.1")),
        "csat": _ratio(f.get("csat_sum", 0), f.get("csat_answers", 0)),
        "cost_to_serve_share": _ratio(f.get("cost_to_serve", 0), revenue) if revenue > 0 else None,
        "treatment_coverage": _ratio(f.get("contacted_customers", 0), customers),
    }
    for measure in uncounted:
        figures[DEPENDS_ON_DISTINCT[measure]] = None
    return figures
