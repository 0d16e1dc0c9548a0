"""Request and response bodies of the profiles API."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


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
