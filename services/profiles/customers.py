"""Applying a customer.upserted event: resolve the identity, store, publish the snapshot."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles import domain
from services.profiles.models import Customer, CustomerReference
from services.profiles.repository import CustomerRepository
from shared.events.customers import CustomerRegistered, CustomerUpdated, ExternalReference
from shared.events.envelope import new_event
from shared.events.inbound import CustomerUpserted, InboundEvent
from shared.messaging.outbox import Outbox

SOURCE = "/profiles"


class CustomerUpserts:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def apply(self, session: Session, event: InboundEvent, data: CustomerUpserted) -> str:
        """Store the upsert and stage the resulting customer event; return the customer id."""
        repo = CustomerRepository(session)
        references = [(data.customer.system, data.customer.id)] + [
            (ref.system, ref.id) for ref in data.external_ids
        ]
        resolution = domain.resolve(references, repo.known_references(references))
        incoming = data.model_dump(
            include=set(domain.SNAPSHOT_FIELDS), mode="json", exclude_unset=False
        )
        now = datetime.now(UTC)
        customer = repo.get(resolution.customer_id) if resolution.customer_id else None
        if customer is None:
            customer = Customer(
                customer_id=str(uuid.uuid4()),
                revision=1,
                created_at=now,
                updated_at=now,
                source_time=event.time,
                as_of_event_id=event.id,
                **incoming,
            )
            repo.add(customer)
            session.flush()
            self._add_references(repo, customer.customer_id, resolution.unknown_references, now)
            self._publish(session, repo, customer, event, changed=None)
            return customer.customer_id
        self._add_references(repo, customer.customer_id, resolution.unknown_references, now)
        changed = {}
        if not domain.is_stale(event.time, customer.source_time):
            changed = domain.changes(_current(customer), incoming)
            customer.source_time = event.time
        if changed or resolution.unknown_references:
            for field, value in changed.items():
                setattr(customer, field, value)
            customer.revision += 1
            customer.updated_at = now
            customer.as_of_event_id = event.id
            session.flush()
            names = sorted(changed) + (["references"] if resolution.unknown_references else [])
            self._publish(session, repo, customer, event, changed=names)
        return customer.customer_id

    def _add_references(
        self,
        repo: CustomerRepository,
        customer_id: str,
        references: tuple[tuple[str, str], ...],
        now: datetime,
    ) -> None:
        for system, external_id in references:
            repo.add(
                CustomerReference(
                    system=system, external_id=external_id, customer_id=customer_id, created_at=now
                )
            )
        if references:
            repo.session.flush()

    def _publish(
        self,
        session: Session,
        repo: CustomerRepository,
        customer: Customer,
        cause: InboundEvent,
        changed: list[str] | None,
    ) -> None:
        snapshot: dict[str, Any] = {
            field: getattr(customer, field)
            for field in domain.SNAPSHOT_FIELDS
            if field not in ("street", "consents")
        }
        snapshot["references"] = [
            ExternalReference(system=ref.system, id=ref.external_id)
            for ref in repo.references_of(customer.customer_id)
        ]
        common = {"customer_id": customer.customer_id, "revision": customer.revision, **snapshot}
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
                subject=customer.customer_id,
                data=payload,
                correlation_id=f"{cause.source}/{cause.id}",
            ),
        )


def _current(customer: Customer) -> dict[str, Any]:
    return {field: getattr(customer, field) for field in domain.SNAPSHOT_FIELDS}
