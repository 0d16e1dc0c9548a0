"""Profiles' tables: customers, their references and identifiers, orders and returns as
received, anonymous visitors linked to customers, identity conflicts and merges, outbox and
inbox."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db.metadata import new_metadata
from shared.db.types import Money, UTCDateTime
from shared.messaging.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[dict[str, Any]]: JSON,
        Decimal: Money(),
    }


class Customer(Base):
    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    customer_number: Mapped[str | None] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    industry: Mapped[str | None] = mapped_column(String(100))
    size_class: Mapped[str | None] = mapped_column(String(50))
    owner_rep: Mapped[str | None] = mapped_column(String(100))
    consents: Mapped[dict[str, Any]]
    attributes: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    source_time: Mapped[datetime]
    as_of_event_id: Mapped[str] = mapped_column(String(200))
    # Known only from an order, return, touchpoint or identification until its source
    # system's customer.upserted arrives.
    provisional: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when a merge absorbed this customer into another one (the survivor).
    merged_into: Mapped[str | None] = mapped_column(String(64))


class CustomerReference(Base):
    __tablename__ = "customer_references"

    system: Mapped[str] = mapped_column(String(64), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]


class Order(Base):
    """The newest version (by event time) of an order as its source system reported it."""

    __tablename__ = "orders"

    source_system: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    placed_at: Mapped[datetime]
    net_revenue: Mapped[Decimal]
    cost_of_goods: Mapped[Decimal]
    discount: Mapped[Decimal | None]
    shipping_cost: Mapped[Decimal | None]
    other_direct_costs: Mapped[Decimal | None]
    sales_rep: Mapped[str | None] = mapped_column(String(100))
    lines: Mapped[list[dict[str, Any]]]
    as_of_event_id: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class OrderReturn(Base):
    """One return of an order; the order itself may not have arrived yet."""

    __tablename__ = "order_returns"

    source_system: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    returned_at: Mapped[datetime]
    # SQL NULL when only an amount was returned, as COPY writes it too (not JSON null).
    lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    amount: Mapped[Decimal | None]
    handling_cost: Mapped[Decimal | None]
    received_at: Mapped[datetime]


class AnonymousLink(Base):
    """A web or app visitor id that customer.identified tied to a customer."""

    __tablename__ = "anonymous_links"

    anonymous_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[datetime]
    as_of_event_id: Mapped[str] = mapped_column(String(200))


class CustomerIdentifier(Base):
    """A normalised e-mail address or phone number a source system gave for a customer.

    One value may belong to several customers: records of one system are never linked by a
    shared value (see `IdentityConflict`).
    """

    __tablename__ = "customer_identifiers"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(320), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]


class IdentityConflict(Base):
    """A record kept apart from a customer it shares an identifier with, because both hold
    different ids of the same source system; open until someone reviews it."""

    __tablename__ = "identity_conflicts"
    __table_args__ = (Index("ix_identity_conflicts_status_id", "status", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(320))
    system: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    existing_customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    detected_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="open")
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(500))


class CustomerMerge(Base):
    """A merge of customers into a survivor, with everything that moved, so it can be undone."""

    __tablename__ = "customer_merges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    survivor_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    absorbed_ids: Mapped[list[str]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    merged_by: Mapped[str] = mapped_column(String(100))
    merged_at: Mapped[datetime]
    moved: Mapped[dict[str, Any]]
    """Per absorbed customer: its references, identifiers, orders, returns and visitors."""
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(100))
    undo_reason: Mapped[str | None] = mapped_column(String(500))


metadata = Base.metadata
messaging = messaging_tables(metadata)

import services.profiles.gdpr_models  # noqa: E402, F401  (GDPR tables join this metadata)
from services.profiles import parts_models, segment_profile_models  # noqa: E402, F401
