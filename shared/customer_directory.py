"""The customer read model the downstream services keep from profiles' customer events.

Segmentation, experience and steering each keep this table in their own database; it is
what lets them name, group and authorise by customer without reading profiles' tables.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from shared.api.auth import Principal
from shared.api.deps import CustomerIdPath, require
from shared.db.buffer import buffer_of, insert_rows
from shared.db.lookup import one_of
from shared.db.types import UTCDateTime
from shared.events.customers import CustomerMerged, CustomerSnapshot, CustomerUnmerged
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


COLUMNS = (
    "revision",
    "kind",
    "name",
    "region",
    "country",
    "industry",
    "size_class",
    "owner_rep",
    "attributes",
    "as_of_event_id",
    "as_of",
)


@dataclass
class _Pending:
    revision: int | None
    """Newest revision known here (stored, applied or merged away); None: never seen."""
    stored: bool
    """A row for the customer is in the database."""
    row: dict[str, Any] | None = None
    """The row to write, if a snapshot changed it."""
    removed: bool = False
    """A merge absorbed the customer: its row goes."""


class CustomerDirectory:
    """Applies customer snapshots in revision order; an older snapshot never wins.

    A merge removes the absorbed customers, so only the survivor remains. Their removal is
    remembered within a batch only: a stale snapshot of an absorbed customer that arrives in a
    later batch (its events are keyed by its own id, the merge by the survivor's) is undone by
    the snapshot recording the merge, which profiles publishes after it under the same key.
    """

    def __init__(self, table: Table) -> None:
        self._table = table

    def prepare(self, session: Session, events: list[tuple[CloudEvent, Any]]) -> None:
        """Load the stored revisions of every customer in a batch with one query."""
        self._load(session, {snapshot.customer_id for _, snapshot in events})

    def prepare_merges(
        self, session: Session, events: list[tuple[CloudEvent, CustomerMerged]]
    ) -> None:
        """Load the stored revisions of every customer a batch's merges absorb."""
        self._load(session, {cid for _, merged in events for cid in merged.absorbed_ids})

    def apply(self, session: Session, event: CloudEvent, snapshot: CustomerSnapshot) -> None:
        pending = self._load(session, {snapshot.customer_id})[snapshot.customer_id]
        if pending.revision is not None and snapshot.revision <= pending.revision:
            return
        if snapshot.merged_into is not None:
            self._remove(session, pending, snapshot.revision)
            return
        row = {
            "customer_id": snapshot.customer_id,
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
        pending.revision, pending.row, pending.removed = snapshot.revision, row, False
        self._schedule(session)

    def apply_merge(self, session: Session, event: CloudEvent, merged: CustomerMerged) -> None:
        """Remove the absorbed customers; the survivor's snapshot brings their references."""
        state = self._load(session, set(merged.absorbed_ids))
        for customer_id in merged.absorbed_ids:
            pending = state[customer_id]
            revision = merged.absorbed_revisions.get(customer_id)
            known = pending.revision
            if revision is not None and known is not None and known > revision:
                continue  # restored by an unmerge this read model has applied already
            self._remove(session, pending, revision or pending.revision)

    def apply_unmerge(
        self, session: Session, event: CloudEvent, unmerged: CustomerUnmerged
    ) -> None:
        """Nothing to do: the restored customer's snapshot, which follows, brings it back."""

    def _remove(self, session: Session, pending: _Pending, revision: int | None) -> None:
        pending.revision, pending.row, pending.removed = revision, None, True
        self._schedule(session)

    def _schedule(self, session: Session) -> None:
        buffer_of(session).before_inserts("customer_directory", self._write)

    def _state(self, session: Session) -> dict[str, _Pending]:
        return buffer_of(session).state("customer_directory", dict)

    def _load(self, session: Session, customer_ids: set[str]) -> dict[str, _Pending]:
        state = self._state(session)
        missing = [cid for cid in customer_ids if cid not in state]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            rows = session.execute(
                select(self._table.c.customer_id, self._table.c.revision).where(
                    one_of(session, self._table.c.customer_id, chunk)
                )
            )
            for customer_id, revision in rows:
                state[customer_id] = _Pending(revision, stored=True)
            for customer_id in chunk:
                state.setdefault(customer_id, _Pending(None, stored=False))
        return state

    def _write(self, session: Session) -> None:
        state = self._state(session)
        pending = [(cid, state[cid]) for cid in sorted(state)]
        removed = [cid for cid, p in pending if p.removed and p.stored]
        inserts = [p.row for _, p in pending if p.row is not None and not p.stored]
        updates = [
            {**p.row, "key": p.row["customer_id"]}
            for _, p in pending
            if p.row is not None and p.stored
        ]
        table = self._table
        if removed:
            session.execute(delete(table).where(one_of(session, table.c.customer_id, removed)))
        insert_rows(session, table, inserts)
        if updates:
            session.execute(
                update(table)
                .where(table.c.customer_id == bindparam("key"))
                .values({name: bindparam(name) for name in COLUMNS}),
                updates,
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
        customer_id: CustomerIdPath,
        principal: Annotated[Principal, Depends(require("customers:read"))],
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
