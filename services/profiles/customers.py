"""Applying a customer.upserted event: resolve the identity, store, publish the snapshot."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles import domain
from services.profiles.identity import identity_set
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
            self._publish(session, row, identities.references[row["customer_id"]], event, None)
            return str(row["customer_id"])
        customer_id = resolution.customer_id
        row = identities.customers[customer_id]
        identities.add_references(session, customer_id, resolution.unknown_references, now)
        changed: dict[str, Any] = {}
        if not domain.is_stale(event.time, row["source_time"]):
            changed = domain.changes(row, incoming)
            row["source_time"] = event.time
            identities.touch(session, customer_id)
        if changed or resolution.unknown_references:
            row.update(changed)
            row.update(revision=row["revision"] + 1, updated_at=now, as_of_event_id=event.id)
            identities.touch(session, customer_id)
            names = sorted(changed) + (["references"] if resolution.unknown_references else [])
            self._publish(session, row, identities.references[customer_id], event, names)
        return customer_id

    def _publish(
        self,
        session: Session,
        row: dict[str, Any],
        references: list[tuple[str, str]],
        cause: InboundEvent,
        changed: list[str] | None,
    ) -> None:
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
        self._outbox.add(
            session,
            new_event(
                source=SOURCE,
                type=event_type,
                subject=row["customer_id"],
                data=payload,
                correlation_id=f"{cause.source}/{cause.id}",
            ),
        )
