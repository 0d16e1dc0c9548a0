"""Request and response bodies of the profiles API."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.profiles.parts_schemas import (
    AsOf,
    ExperiencePart,
    NextBestActionsPart,
    PartStatus,
    SegmentPart,
    StrategyPart,
)


class ItemOutcome(BaseModel):
    """What happened to one posted event."""

    index: int = Field(description="Position of the event in the request.")
    status: Literal["accepted", "duplicate", "rejected"] = Field(
        description="accepted: stored; duplicate: same source and id seen before; "
        "rejected: not stored, see reason."
    )
    id: str | None = Field(default=None, description="The event's id, as posted.")
    source: str | None = Field(default=None, description="The event's source, as posted.")
    type: str | None = Field(default=None, description="The event's type, as posted.")
    customer_id: str | None = Field(
        default=None, description="Canonical customer id the event was resolved to."
    )
    reason: str | None = Field(default=None, description="Why the event was rejected.")


class IngestResponse(BaseModel):
    """Per-item outcome of a batch of posted events."""

    accepted: int = Field(description="Events stored by this request.")
    duplicates: int = Field(description="Events already stored before (no second effect).")
    rejected: int = Field(description="Events not stored; each result says why.")
    results: list[ItemOutcome] = Field(description="One outcome per posted event, in order.")


class Reference(BaseModel):
    system: str = Field(description="Source system.")
    id: str = Field(description="Customer id in that system.")


class CustomerView(BaseModel):
    """A customer as profiles holds it; personal data is null without pii:read."""

    customer_id: str = Field(description="Canonical customer id.")
    revision: int = Field(description="Increases with every change.")
    kind: str = Field(description="person or organization.")
    name: str | None = Field(description="Name (personal data for persons).")
    email: str | None = Field(description="E-mail (personal data).")
    phone: str | None = Field(description="Phone (personal data).")
    customer_number: str | None = Field(description="Customer number.")
    street: str | None = Field(description="Street (personal data).")
    postal_code: str | None = Field(description="Postal code.")
    city: str | None = Field(description="City.")
    region: str | None = Field(description="Sales region.")
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    industry: str | None = Field(description="Industry (organisations).")
    size_class: str | None = Field(description="Size class (organisations).")
    owner_rep: str | None = Field(description="Responsible sales rep.")
    consents: dict[str, Any] = Field(description="Consent per channel.")
    attributes: dict[str, Any] = Field(description="Free attributes.")
    references: list[Reference] = Field(description="Source-system ids of the customer.")
    provisional: bool = Field(
        description="True while the customer is known only from an order, return, touchpoint "
        "or identification; its attributes arrive with the source system's customer.upserted."
    )
    created_at: datetime = Field(description="First seen (UTC).")
    updated_at: datetime = Field(description="Last changed (UTC).")
    as_of_event_id: str = Field(description="Id of the inbound event of the last change.")


PII_FIELDS = ("email", "phone", "street")


class PeriodValue(BaseModel):
    """Value of the customer over one period; money is null without financials:read."""

    net_revenue: Decimal | None = Field(description="Invoiced net revenue of the orders.")
    cost_of_goods: Decimal | None = Field(description="Cost of the goods ordered.")
    returned_revenue: Decimal | None = Field(description="Net revenue credited by returns.")
    returned_cost_of_goods: Decimal | None = Field(
        description="Cost of the returned goods (0 for returns given only as an amount)."
    )
    discounts: Decimal | None = Field(description="Order-level rebates and bonuses.")
    shipping_cost: Decimal | None = Field(description="Shipping cost of the orders.")
    other_direct_costs: Decimal | None = Field(description="Payment and other direct costs.")
    return_handling_cost: Decimal | None = Field(description="Handling cost of returns.")
    cm1: Decimal | None = Field(
        description="net_revenue - cost_of_goods - returned_revenue + returned_cost_of_goods."
    )
    cm2: Decimal | None = Field(
        description="cm1 - discounts - shipping_cost - other_direct_costs - return_handling_cost."
    )
    cm3: Decimal | None = Field(
        description="cm2 - cost to serve; null: the cost to serve is measured by segmentation, "
        "whose 12-month cm3 is in the segment part."
    )
    order_count: int = Field(description="Orders placed in the period.")
    return_count: int = Field(description="Returns received in the period.")


class ValuePart(BaseModel):
    """Value from profiles' own orders and returns: current as of the newest one applied."""

    status: PartStatus = Field(description="Always current: computed from profiles' own data.")
    as_of: AsOf | None = Field(description="Newest order or return applied; null without any.")
    currencies: list[str] = Field(description="Currencies of the orders summed up.")
    last_12_months: PeriodValue = Field(
        description="Orders placed / returns received within 365 days."
    )
    lifetime: PeriodValue = Field(description="Every order and return.")
    first_order_at: datetime | None = Field(description="When the first order was placed.")
    last_order_at: datetime | None = Field(description="When the last order was placed.")
    cm3_note: str = Field(description="Why cm3 is null.")
    masked: list[str] = Field(
        description="Figures hidden (null) because the caller lacks financials:read."
    )


class CustomerView360(CustomerView):
    """The 360° view: identity, consents and each part with the event it reflects."""

    as_of: AsOf = Field(description="Event of the last change of identity and attributes.")
    responsible_rep: str | None = Field(description="Responsible sales rep (owner_rep).")
    value: ValuePart = Field(description="Revenue and contribution margins.")
    segment: SegmentPart = Field(description="From segmentation.")
    strategy: StrategyPart = Field(description="From steering.")
    experience: ExperiencePart = Field(description="From experience.")
    next_best_actions: NextBestActionsPart = Field(description="From steering.")


class CustomerSummary(BaseModel):
    """A customer in a list; a person's name is null without pii:read. The segment fields
    are null until segmentation assigned the customer."""

    customer_id: str = Field(description="Canonical customer id.")
    kind: str = Field(description="person or organization.")
    name: str | None = Field(description="Name (personal data for persons).")
    region: str | None = Field(description="Sales region.")
    owner_rep: str | None = Field(description="Responsible sales rep.")
    provisional: bool = Field(description="Known only from orders or touchpoints so far.")
    updated_at: datetime = Field(description="Last changed (UTC).")
    strategic_segment: str | None = Field(description="Strategic segment.")
    thrust: str | None = Field(description="Thrust of the segment.")
    lifecycle_stage: str | None = Field(description="Lifecycle stage.")
    value_tier: str | None = Field(description="Value tier.")
    potential_tier: str | None = Field(description="Potential tier.")
    churn_risk: float | None = Field(description="Churn risk, 0 to 1.")


class CustomerPage(BaseModel):
    items: list[CustomerSummary] = Field(description="Customers, ordered by customer_id.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
