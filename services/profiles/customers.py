"""Customers from events: upserts store and publish snapshots; a reference no upsert has
named yet becomes a provisional customer, so an order or touchpoint for it is not lost."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.profiles import domain
from services.profiles.identity import identity_set
from services.profiles.repository import Ref
from shared.events.customers import CustomerRegistered, CustomerUpdated, ExternalReference
from shared.events.envelope import new_event
from shared.events.inbound import CustomerUpserted, InboundEvent
from shared.ids import new_id
from shared.messaging.outbox import Outbox

SOURCE = "/profiles"
PUBLISHED_FIELDS = tuple(f for f in domain.SNAPSHOT_FIELDS if f not in ("street", "consents"))


def _references(data: CustomerUpserted) -> list[tuple[str, str]]:
    return [(data.customer.system, data.customer.id)] + [
        (ref.system, ref.id) for ref in data.external_ids
    ]


def publish(
    outbox: Outbox,
    session: Session,
    cause: InboundEvent,
    *,
    event_type: str,
    subject: str,
    payload: BaseModel,
) -> None:
    """Stage profiles' event `event_type` about `subject`, caused by the inbound `cause`."""
    outbox.add(
        session,
        new_event(
            source=SOURCE,
            type=event_type,
            subject=subject,
            data=payload,
            correlation_id=f"{cause.source}/{cause.id}",
        ),
    )


def publish_snapshot(
    outbox: Outbox,
    session: Session,
    row: dict[str, Any],
    *,
    references: list[tuple[str, str]],
    cause: InboundEvent,
    changed: list[str] | None,
) -> None:
    """Stage customer.registered (`changed` None) or customer.updated for `row`."""
    common: dict[str, Any] = {
        "customer_id": row["customer_id"],
        "revision": row["revision"],
        "references": [ExternalReference(system=s, id=i) for s, i in sorted(references)],
        **{field: row[field] for field in PUBLISHED_FIELDS},
    }
    payload: CustomerRegistered | CustomerUpdated
    if changed is None:
        payload, event_type = CustomerRegistered(**common), "customer.registered"
    else:
        payload = CustomerUpdated(**common, changed_fields=changed)
        event_type = "customer.updated"
    publish(
        outbox, session, cause, event_type=event_type, subject=row["customer_id"], payload=payload
    )


class CustomerUpserts:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def prepare(self, session: Session, batch: list[tuple[InboundEvent, Any]]) -> None:
        """Load every customer the batch refers to with a few queries."""
        identity_set(session).load(session, [ref for _, data in batch for ref in _references(data)])

    def apply(self, session: Session, event: InboundEvent, data: CustomerUpserted) -> str:
        """Store the upsert and stage the resulting customer event; return the customer id."""
        identities = identity_set(session)
        references = _references(data)
        identities.load(session, references)
        resolution = domain.resolve(references, identities.refs)
        incoming = data.model_dump(include=set(domain.SNAPSHOT_FIELDS), mode="json")
        incoming["provisional"] = False
        now = datetime.now(UTC)
        if resolution.customer_id is None:
            row = {
                "customer_id": new_id(),
                "revision": 1,
                "created_at": now,
                "updated_at": now,
                "source_time": event.time,
                "as_of_event_id": event.id,
                **incoming,
            }
            identities.add_customer(session, row)
            identities.add_references(
                session, row["customer_id"], resolution.unknown_references, now
            )
            publish_snapshot(
                self._outbox,
                session,
                row,
                references=identities.references[row["customer_id"]],
                cause=event,
                changed=None,
            )
            return str(row["customer_id"])
        customer_id = resolution.customer_id
        row = identities.customers[customer_id]
        identities.add_references(session, customer_id, resolution.unknown_references, now)
        changed: dict[str, Any] = {}
        applied = domain.attributes_time(row["source_time"], row["provisional"])
        if not domain.is_stale(event.time, applied):
            # Only what this source sent: fields it leaves out keep what others set.
            sent = data.model_dump(
                include=set(domain.SNAPSHOT_FIELDS), mode="json", exclude_unset=True
            )
            changed = domain.changes(row, domain.merge_maps(row, {**sent, "provisional": False}))
            row["source_time"] = event.time
            identities.touch(session, customer_id)
        if changed or resolution.unknown_references:
            row.update(changed)
            row.update(revision=row["revision"] + 1, updated_at=now, as_of_event_id=event.id)
            identities.touch(session, customer_id)
            names = sorted(changed) + (["references"] if resolution.unknown_references else [])
            publish_snapshot(
                self._outbox,
                session,
                row,
                references=identities.references[customer_id],
                cause=event,
                changed=names,
            )
        return customer_id


class CustomerResolver:
    """Finds the canonical customer of a `customer {system, id}` in an order, return,
    touchpoint or identification, making a provisional customer of an unknown one."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def prepare(self, session: Session, references: Iterable[Ref]) -> None:
        """Load the customers of a whole batch's references with a few queries."""
        identity_set(session).load(session, references)

    def known(self, session: Session, reference: Ref) -> str | None:
        """The customer `reference` belongs to, if any; creates nothing."""
        identities = identity_set(session)
        identities.load(session, [reference])
        return identities.refs.get(reference)

    def resolve(self, session: Session, event: InboundEvent, reference: Ref) -> str:
        """The customer `reference` belongs to; a provisional one if it is unknown."""
        customer_id = self.known(session, reference)
        if customer_id is not None:
            return customer_id
        identities = identity_set(session)
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            **dict.fromkeys(domain.SNAPSHOT_FIELDS),
            "customer_id": new_id(),
            "revision": 1,
            "kind": "person",
            "name": domain.provisional_name(*reference),
            "consents": {},
            "attributes": {},
            "provisional": True,
            "created_at": now,
            "updated_at": now,
            "source_time": event.time,
            "as_of_event_id": event.id,
        }
        identities.add_customer(session, row)
        identities.add_references(session, row["customer_id"], [reference], now)
        publish_snapshot(
            self._outbox, session, row, references=[reference], cause=event, changed=None
        )
        return str(row["customer_id"])
