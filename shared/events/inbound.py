"""What CRM, shop and POS systems post to profiles (HTTP and the inbound topic)."""

from typing import Any

from pydantic import Field

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


class InboundEvent(StrictInput):
    """One event from a source system; `source` + `id` make it unique."""

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


INBOUND_PAYLOADS: dict[str, type[StrictInput]] = {"customer.upserted": CustomerUpserted}
