"""Customer events published by profiles on the customers topic."""

from pydantic import Field

from shared.events.common import Contract, CustomerKind


class ExternalReference(Contract):
    system: str = Field(description="Source system.")
    id: str = Field(description="Customer id in that system.")


class CustomerSnapshot(Contract):
    """The customer as profiles knows it after the change; `revision` orders snapshots."""

    customer_id: str = Field(description="Canonical customer id.")
    revision: int = Field(ge=1, description="Increases with every change of the customer.")
    kind: CustomerKind = Field(description="person or organization.")
    name: str = Field(description="Full name or company name (personal data).")
    email: str | None = Field(default=None, description="E-mail address (personal data).")
    phone: str | None = Field(default=None, description="Phone number (personal data).")
    customer_number: str | None = Field(default=None, description="Customer number.")
    references: list[ExternalReference] = Field(
        default_factory=list, description="Every source-system id known for the customer."
    )
    postal_code: str | None = Field(default=None, description="Postal code.")
    city: str | None = Field(default=None, description="City.")
    region: str | None = Field(default=None, description="Sales region.")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2.")
    industry: str | None = Field(default=None, description="Industry (organisations).")
    size_class: str | None = Field(default=None, description="Size class (organisations).")
    owner_rep: str | None = Field(default=None, description="Responsible sales rep.")
    attributes: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Free attributes from the source systems."
    )
    consents: dict[str, str] = Field(
        default_factory=dict,
        description="Consent status per channel (email, phone, post, messaging): granted, "
        "denied or revoked; a channel not listed has no recorded consent.",
    )
    provisional: bool = Field(
        default=False,
        description="True while the customer is only known from an order, return, "
        "touchpoint or identification; its name is then `<system>:<id>` until the source "
        "system's customer.upserted fills it in.",
    )
    merged_into: str | None = Field(
        default=None,
        description="Set when a merge absorbed this customer into the survivor named here: "
        "the customer no longer exists on its own and its data belongs to the survivor. A "
        "later snapshot without it (after an unmerge) brings the customer back.",
    )


class CustomerRegistered(CustomerSnapshot):
    """A customer became known for the first time."""


class CustomerUpdated(CustomerSnapshot):
    """Identifiers or attributes of a known customer changed."""

    changed_fields: list[str] = Field(
        default_factory=list, description="Fields that differ from the previous revision."
    )


class CustomerIdentified(Contract):
    """A web or app visitor turned out to be this customer."""

    anonymous_id: str = Field(description="Visitor id of the web or app tracking.")
    customer_id: str = Field(description="Canonical customer id the visitor is linked to.")


class CustomerMerged(Contract):
    """Customers were merged into a survivor; their data belongs to the survivor from now on.

    Consumers re-key what they hold for the absorbed customers to the survivor.
    """

    survivor_id: str = Field(description="Canonical id of the customer that remains.")
    absorbed_ids: list[str] = Field(
        min_length=1, description="Canonical ids of the customers merged into the survivor."
    )
    merge_id: str = Field(description="Id of the merge; an unmerge names it.")
    reason: str = Field(description="Why the customers were merged, as the requester said.")
    absorbed_revisions: dict[str, int] = Field(
        default_factory=dict,
        description="Revision of each absorbed customer's snapshot that records the merge; "
        "a consumer holding a newer revision (the customer was restored since) keeps it.",
    )


class CustomerUnmerged(Contract):
    """A merge was undone: `restored_id` exists on its own again, with what it had before.

    The restored customer's and the survivor's new snapshots follow as customer.updated.
    """

    survivor_id: str = Field(description="Canonical id of the customer it had been merged into.")
    restored_id: str = Field(description="Canonical id of the customer that exists again.")
    merge_id: str = Field(description="Id of the merge that was undone.")
    reason: str | None = Field(default=None, description="Why the merge was undone.")
