"""What CRM, shop and POS systems post to profiles (HTTP and the inbound topic)."""

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from shared.events.common import (
    Consent,
    ConsentChannel,
    CountryCode,
    CustomerKind,
    CustomerRef,
    Email,
    EventTime,
    StrictInput,
)
from shared.events.orders import OrderChannel
from shared.events.touchpoints import Direction, TouchpointChannel


class InboundEvent(StrictInput):
    """One event from a source system; `source` + `id` make it unique."""

    # The payload model of the event's type checks `data`, naming the field at fault.
    unchecked_for_nul: ClassVar[frozenset[str]] = frozenset({"data"})

    id: str = Field(min_length=1, max_length=200, description="Unique per source.")
    type: str = Field(min_length=1, max_length=100, description="e.g. customer.upserted.")
    source: str = Field(min_length=1, max_length=64, description="Sending system, e.g. crm.")
    time: EventTime = Field(description="When it happened, RFC 3339 with offset.")
    data: dict[str, Any] = Field(description="Payload, validated by the type's model.")


class CustomerUpserted(StrictInput):
    """A customer as the source system knows it now (identifiers and attributes)."""

    customer: CustomerRef = Field(description="The customer in the sending system.")
    kind: CustomerKind = Field(description="person or organization.")
    name: str = Field(min_length=1, max_length=300, description="Full name or company name.")
    email: Email | None = Field(default=None, description="E-mail address.")
    phone: str | None = Field(default=None, max_length=50, description="Phone number.")
    customer_number: str | None = Field(default=None, max_length=100)
    external_ids: list[CustomerRef] = Field(
        default_factory=list, description="Other references to the same customer."
    )
    street: str | None = Field(default=None, max_length=300)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=100, description="Sales region.")
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2.")
    industry: str | None = Field(default=None, max_length=100, description="Organisations.")
    size_class: str | None = Field(default=None, max_length=50, description="Organisations.")
    owner_rep: str | None = Field(default=None, max_length=100, description="Sales rep id.")
    consents: dict[ConsentChannel, Consent] = Field(default_factory=dict)
    attributes: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


def _plain(value: Decimal) -> Decimal:
    # Written out without exponent and without a negative zero, so "1e3" is published as
    # "1000" and "-0" as "0".
    return Decimal(format(value, "f")) + 0


# Decimal strings or JSON numbers; at most 18 digits of which 4 after the point (the
# precision of the Numeric(18, 4) columns they are stored in).
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4), AfterValidator(_plain)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4), AfterValidator(_plain)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Text = Annotated[str, Field(min_length=1, max_length=100)]
Identifier = Annotated[str, Field(min_length=1, max_length=200)]


def _exactly_one(model: StrictInput, first: str, second: str) -> None:
    given = [getattr(model, name) is not None for name in (first, second)]
    if all(given):
        raise PydanticCustomError(
            "exactly_one_of",
            "{first} and {second} are exclusive: give exactly one of them",
            {"first": first, "second": second},
        )
    if not any(given):
        raise PydanticCustomError(
            "exactly_one_of",
            "{first} or {second} is required (exactly one of them)",
            {"first": first, "second": second},
        )


class PlacedOrderLine(StrictInput):
    sku: Text = Field(description="Article number.")
    category: Text = Field(description="Product category.")
    quantity: Quantity = Field(description="Quantity ordered, greater than 0.")
    net_revenue: Amount = Field(description="Invoiced amount of the line.")
    cost_of_goods: Amount = Field(description="Cost of the goods of the line.")


class PlacedOrder(StrictInput):
    """An order as the shop, ERP or CRM recorded it; the same order_id again replaces it."""

    order_id: Identifier = Field(description="Order id in the sending system.")
    customer: CustomerRef = Field(description="The ordering customer in a source system.")
    channel: OrderChannel = Field(description="Sales channel.")
    currency: CurrencyCode = Field(description="ISO 4217 code of every amount, e.g. EUR.")
    lines: list[PlacedOrderLine] = Field(min_length=1, max_length=1000, description="Order lines.")
    discount: Amount | None = Field(
        default=None, description="Order-level rebate or bonus, a direct sales cost."
    )
    shipping_cost: Amount | None = Field(default=None, description="Shipping cost.")
    other_direct_costs: Amount | None = Field(
        default=None, description="Payment and other direct sales costs."
    )
    sales_rep: str | None = Field(default=None, max_length=100, description="Sales rep id.")


class ReturnedLine(StrictInput):
    sku: Text = Field(description="Article number.")
    quantity: Quantity = Field(description="Quantity returned, greater than 0.")
    net_revenue: Amount = Field(description="Revenue credited for the returned goods.")
    cost_of_goods: Amount = Field(description="Cost of the returned goods.")


class ReturnedOrder(StrictInput):
    """Goods of an order came back: either the returned lines or a credited amount."""

    order_id: Identifier = Field(description="Id of the returned order in the sending system.")
    customer: CustomerRef = Field(description="The customer in a source system.")
    lines: list[ReturnedLine] | None = Field(
        default=None, min_length=1, max_length=1000, description="Returned lines."
    )
    amount: Amount | None = Field(default=None, description="Credited amount, without lines.")
    handling_cost: Amount | None = Field(default=None, description="Cost of the return.")

    @model_validator(mode="after")
    def _lines_or_amount(self) -> Self:
        _exactly_one(self, "lines", "amount")
        return self


class RecordedTouchpoint(StrictInput):
    """An interaction over any channel, with a known customer or an anonymous visitor."""

    customer: CustomerRef | None = Field(
        default=None, description="The customer in a source system (or anonymous_id)."
    )
    anonymous_id: Identifier | None = Field(
        default=None, description="Web/app visitor id (or customer)."
    )
    channel: TouchpointChannel = Field(description="Channel of the interaction.")
    touchpoint_type: Text = Field(description="e.g. website_visit, quote_requested.")
    journey_stage: Text | None = Field(default=None, description="Journey stage.")
    direction: Direction | None = Field(default=None, description="inbound or outbound.")
    csat: int | None = Field(default=None, strict=True, ge=1, le=5, description="CSAT 1-5.")
    nps: int | None = Field(default=None, strict=True, ge=0, le=10, description="NPS 0-10.")
    effort: int | None = Field(
        default=None, strict=True, ge=1, le=7, description="Customer effort score 1-7."
    )
    outcome: Text | None = Field(default=None, description="Outcome, e.g. resolved.")
    duration_seconds: int | None = Field(
        default=None, strict=True, ge=0, description="Duration in seconds."
    )
    rep: str | None = Field(default=None, max_length=100, description="Rep id.")
    cost: Amount | None = Field(default=None, description="Cost of the interaction.")

    @model_validator(mode="after")
    def _customer_or_anonymous(self) -> Self:
        _exactly_one(self, "customer", "anonymous_id")
        return self


class IdentifiedVisitor(StrictInput):
    """A web or app visitor logged in or otherwise revealed which customer it is."""

    anonymous_id: Identifier = Field(description="Visitor id of the web or app tracking.")
    customer: CustomerRef = Field(description="The customer in a source system.")


INBOUND_PAYLOADS: dict[str, type[StrictInput]] = {
    "customer.upserted": CustomerUpserted,
    "order.placed": PlacedOrder,
    "order.returned": ReturnedOrder,
    "touchpoint.recorded": RecordedTouchpoint,
    "customer.identified": IdentifiedVisitor,
}
