"""The customer read model the downstream services keep from profiles' customer events.

Segmentation, experience and steering each keep this table in their own database; it is
what lets them name, group and authorise by customer without reading profiles' tables.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session, sessionmaker

from shared.api.auth import Principal
from shared.api.deps import require
from shared.db.types import UTCDateTime
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import CloudEvent


def customers_table(metadata: MetaData) -> Table:
    return Table(
        "customers",
        metadata,
        Column("customer_id", String(64), primary_key=True),
        Column("revision", Integer, nullable=False),
        Column("kind", String(20), nullable=False),
        Column("name", String(300), nullable=False),
        Column("region", String(100)),
        Column("country", String(2)),
        Column("industry", String(100)),
        Column("size_class", String(50)),
        Column("owner_rep", String(100)),
        Column("attributes", JSON, nullable=False),
        Column("as_of_event_id", String(200), nullable=False),
        Column("as_of", UTCDateTime, nullable=False),
    )


class CustomerDirectory:
    """Applies customer snapshots in revision order; an older snapshot never wins."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def apply(self, session: Session, event: CloudEvent, snapshot: CustomerSnapshot) -> None:
        table = self._table
        values = {
            "revision": snapshot.revision,
            "kind": snapshot.kind,
            "name": snapshot.name,
            "region": snapshot.region,
            "country": snapshot.country,
            "industry": snapshot.industry,
            "size_class": snapshot.size_class,
            "owner_rep": snapshot.owner_rep,
            "attributes": snapshot.attributes,
            "as_of_event_id": event.id,
            "as_of": event.time,
        }
        current = session.execute(
            select(table.c.revision).where(table.c.customer_id == snapshot.customer_id)
        ).scalar_one_or_none()
        if current is None:
            session.execute(table.insert().values(customer_id=snapshot.customer_id, **values))
        elif snapshot.revision > current:
            session.execute(
                table.update().where(table.c.customer_id == snapshot.customer_id).values(**values)
            )

    def get(self, session: Session, customer_id: str) -> dict[str, object] | None:
        row = session.execute(
            select(self._table).where(self._table.c.customer_id == customer_id)
        ).one_or_none()
        return dict(row._mapping) if row is not None else None


class DirectoryCustomer(BaseModel):
    """A customer as this service knows it from profiles' events."""

    customer_id: str = Field(description="Canonical customer id.")
    revision: int = Field(description="Revision of profiles' snapshot applied here.")
    kind: str = Field(description="person or organization.")
    name: str | None = Field(description="Name; null without the pii:read scope.")
    region: str | None = Field(description="Sales region.")
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    industry: str | None = Field(description="Industry (organisations).")
    size_class: str | None = Field(description="Size class (organisations).")
    owner_rep: str | None = Field(description="Responsible sales rep.")
    as_of_event_id: str = Field(description="Id of the event this view reflects.")
    as_of: datetime = Field(description="Time of that event (UTC).")


def directory_router(
    directory: CustomerDirectory, session_factory: sessionmaker[Session]
) -> APIRouter:
    """GET /v1/customers/{customer_id} over the service's customer read model."""
    router = APIRouter(prefix="/v1", tags=["customers"])

    @router.get("/customers/{customer_id}")
    def get_customer(
        customer_id: str, principal: Annotated[Principal, Depends(require("customers:read"))]
    ) -> DirectoryCustomer:
        """The customer as this service knows it, with the event it reflects."""
        with session_factory() as session:
            row = directory.get(session, customer_id)
        if row is None:
            raise HTTPException(404, f"customer {customer_id} is not known here")
        customer = DirectoryCustomer.model_validate(row)
        if not principal.has("pii:read") and customer.kind == "person":
            customer.name = None
        return customer

    return router
