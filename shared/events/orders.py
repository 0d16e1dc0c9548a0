"""Order events published by profiles on the orders topic: orders and returns as received."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema

from shared.events.common import Contract

OrderChannel = Literal[
    "web",
    "app",
    "store",
    "field_sales",
    "inside_sales",
    "phone",
    "email",
    "partner",
    "marketplace",
    "edi",
]

# Published amounts are always decimal strings, never JSON numbers a consumer could read
# as a float; the schema says so.
DecimalText = Annotated[
    Decimal,
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["1234.50"]}),
]


class OrderLine(Contract):
    sku: str = Field(description="Article number.")
    category: str = Field(description="Product category.")
    quantity: DecimalText = Field(description="Quantity ordered (decimal string).")
    net_revenue: DecimalText = Field(description="Invoiced amount of the line.")
    cost_of_goods: DecimalText = Field(description="Cost of the goods of the line.")


class ReturnLine(Contract):
    sku: str = Field(description="Article number.")
    quantity: DecimalText = Field(description="Quantity returned (decimal string).")
    net_revenue: DecimalText = Field(description="Revenue credited for the returned goods.")
    cost_of_goods: DecimalText = Field(description="Cost of the returned goods.")


class OrderPlaced(Contract):
    """An order as the source system reported it, with the resolved customer.

    A later event for the same `source_system` and `order_id` replaces the order.
    """

    customer_id: str = Field(description="Canonical customer id.")
    order_id: str = Field(description="Order id in the source system.")
    source_system: str = Field(description="System that reported the order, e.g. shop.")
    channel: OrderChannel = Field(description="Sales channel of the order.")
    currency: str = Field(description="ISO 4217 currency code of all amounts.")
    lines: list[OrderLine] = Field(description="Ordered lines.")
    discount: DecimalText | None = Field(
        default=None,
        description="Order-level rebate or bonus, a direct sales cost (cm2); null if none.",
    )
    shipping_cost: DecimalText | None = Field(
        default=None, description="Shipping cost of the order; null if not reported."
    )
    other_direct_costs: DecimalText | None = Field(
        default=None, description="Payment and other direct sales costs; null if not reported."
    )
    sales_rep: str | None = Field(default=None, description="Sales rep credited with the order.")
    ordered_at: datetime = Field(description="When the order was placed (the source's time).")
    net_revenue: DecimalText = Field(description="Sum of the lines' net revenue.")
    cost_of_goods: DecimalText = Field(description="Sum of the lines' cost of goods.")


class OrderReturned(Contract):
    """Goods of an order came back: returned lines or a credited amount."""

    customer_id: str = Field(description="Canonical customer id.")
    order_id: str = Field(description="Id of the returned order in the source system.")
    source_system: str = Field(description="System that reported the return.")
    lines: list[ReturnLine] | None = Field(
        default=None, description="Returned lines; null when only an amount is known."
    )
    amount: DecimalText | None = Field(
        default=None, description="Credited amount; null when lines are given."
    )
    handling_cost: DecimalText | None = Field(
        default=None, description="Cost of handling the return; null if not reported."
    )
    returned_at: datetime = Field(description="When the return happened (the source's time).")
