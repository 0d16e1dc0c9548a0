"""GDPR erasure events on the customers topic: profiles asks, every service confirms."""

from datetime import datetime

from pydantic import Field

from shared.events.common import Contract

ERASURE_PARTICIPANTS = ("profiles", "segmentation", "experience", "steering")
"""The services that hold customer data and confirm each erasure."""


class CustomerErased(Contract):
    """Profiles erased or anonymised the customer's personal data; every other service must
    delete or anonymise what it holds on the customer and confirm with erasure.completed."""

    customer_id: str = Field(description="Canonical id of the erased customer.")
    erasure_id: str = Field(description="Id of the erasure request, quoted in confirmations.")
    requested_at: datetime = Field(description="When the erasure was requested (UTC).")
    merged_customer_ids: list[str] = Field(
        default_factory=list,
        description="Customers an earlier merge absorbed into this one; their rows are the "
        "same person's and are erased with it.",
    )

    @property
    def all_customer_ids(self) -> list[str]:
        """The customer and every customer merged into it."""
        return [self.customer_id, *self.merged_customer_ids]


class ErasureCompleted(Contract):
    """A service finished an erasure: what it deleted and anonymised, as row counts."""

    erasure_id: str = Field(description="Id of the erasure request (from customer.erased).")
    customer_id: str = Field(description="Canonical id of the erased customer.")
    service: str = Field(description="Service that completed its part, e.g. segmentation.")
    completed_at: datetime = Field(description="When the service committed the erasure (UTC).")
    deleted: dict[str, int] = Field(
        default_factory=dict, description="Rows deleted, by table name."
    )
    anonymised: dict[str, int] = Field(
        default_factory=dict, description="Rows kept with their personal fields removed, by table."
    )
