"""What one order, return or touchpoint adds to its customer's day in the ledger.

Returns count at their own value: the credited revenue less the cost of the goods that came
back (a credited amount without lines counts in full). A return's handling cost is its own
when reported; otherwise the strategy's rate for return handling applies when margins are
computed, so a published strategy re-rates the past too.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from shared.events.orders import OrderPlaced, OrderReturned
from shared.events.touchpoints import TouchpointRecorded

SCALE = 10_000
"""Ledger amounts are integers in ten-thousandths of the currency unit."""
EPOCH = date(1970, 1, 1)

ORDER_CHANNEL_GROUPS = {
    "web": "orders_online",
    "app": "orders_online",
    "marketplace": "orders_online",
    "field_sales": "orders_field",
    "inside_sales": "orders_inside",
    "phone": "orders_inside",
    "email": "orders_inside",
    "store": "orders_store",
    "partner": "orders_partner",
    "edi": "orders_partner",
}
SERVICE_TOUCHPOINT_TYPES = frozenset(
    {
        "service_call",
        "service_request",
        "support_request",
        "complaint",
        "claim",
        "repair",
        "return_request",
        "technical_support",
        "installation",
        "maintenance",
    }
)
Measures = dict[str, int]


def units(amount: Decimal | None) -> int:
    """An amount in ledger units (ten-thousandths), rounded half to even."""
    if amount is None:
        return 0
    return int((amount * SCALE).to_integral_value(rounding=ROUND_HALF_EVEN))


def amount(ledger_units: int) -> Decimal:
    """Ledger units back to a currency amount with two decimals."""
    return (Decimal(ledger_units) / SCALE).quantize(Decimal("0.01"))


def day_number(moment: datetime) -> int:
    """The UTC day of `moment`, counted from 1970-01-01."""
    return (moment.astimezone(UTC).date() - EPOCH).days


def day_date(number: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + number)


def is_service_contact(touchpoint_type: str) -> bool:
    kind = touchpoint_type.lower()
    return kind in SERVICE_TOUCHPOINT_TYPES or kind.startswith(("service_", "support_"))


@dataclass(frozen=True)
class OrderFigures:
    """An order as the ledger counts it; kept so that a replacement can take it back."""

    customer_id: str
    day: int
    channel: str
    revenue: int
    cost_of_goods: int
    discounts: int
    shipping_costs: int
    other_direct_costs: int
    categories: dict[str, int] = field(default_factory=dict)

    def measures(self, sign: int) -> Measures:
        return {
            "orders": sign,
            "revenue": sign * self.revenue,
            "cost_of_goods": sign * self.cost_of_goods,
            "discounts": sign * self.discounts,
            "shipping_costs": sign * self.shipping_costs,
            "other_direct_costs": sign * self.other_direct_costs,
            ORDER_CHANNEL_GROUPS.get(self.channel, "orders_online"): sign,
        }


def order_figures(order: OrderPlaced) -> OrderFigures:
    categories: dict[str, int] = {}
    for line in order.lines:
        categories[line.category] = categories.get(line.category, 0) + units(line.net_revenue)
    return OrderFigures(
        customer_id=order.customer_id,
        day=day_number(order.ordered_at),
        channel=order.channel,
        revenue=units(order.net_revenue),
        cost_of_goods=units(order.cost_of_goods),
        discounts=units(order.discount),
        shipping_costs=units(order.shipping_cost),
        other_direct_costs=units(order.other_direct_costs),
        categories=categories,
    )


def return_measures(returned: OrderReturned) -> tuple[int, Measures]:
    """The day of a return and what it adds to it."""
    if returned.lines:
        credited = sum(units(line.net_revenue) for line in returned.lines)
        recovered = sum(units(line.cost_of_goods) for line in returned.lines)
    else:
        credited, recovered = units(returned.amount), 0
    measures = {
        "returns": credited - recovered,
        "returned_revenue": credited,
        "return_handling": units(returned.handling_cost),
        "unpriced_returns": 1 if returned.handling_cost is None else 0,
    }
    return day_number(returned.returned_at), measures


def touchpoint_measures(touchpoint: TouchpointRecorded) -> tuple[int, Measures]:
    """The day of a touchpoint and what it adds to it (its cost comes from the contacts)."""
    measures: Measures = {}
    if is_service_contact(touchpoint.touchpoint_type):
        measures["service_contacts"] = 1
    if touchpoint.touchpoint_type.lower() == "complaint":
        measures["complaints"] = 1
    if touchpoint.csat is not None:
        measures["csat_sum"], measures["csat_answers"] = touchpoint.csat, 1
    if touchpoint.nps is not None:
        measures["nps_sum"], measures["nps_answers"] = touchpoint.nps, 1
    return day_number(touchpoint.occurred_at), measures
