"""Touchpoints and the anonymous visitors behind them: profiles resolves the customer (or
keeps the visitor anonymous) and publishes on; the experience service stores touchpoints."""

from typing import Any

from sqlalchemy.orm import Session

from services.profiles import domain
from services.profiles.customers import CustomerResolver, publish
from services.profiles.identity import identity_set
from shared.events.customers import CustomerIdentified
from shared.events.inbound import IdentifiedVisitor, InboundEvent, RecordedTouchpoint
from shared.events.touchpoints import TouchpointRecorded
from shared.messaging.outbox import Outbox

TOUCHPOINT_FIELDS = set(RecordedTouchpoint.model_fields) - {"customer", "anonymous_id"}


class Touchpoints:
    def __init__(self, outbox: Outbox, customers: CustomerResolver) -> None:
        self._outbox = outbox
        self._customers = customers

    def prepare(self, session: Session, batch: list[tuple[InboundEvent, Any]]) -> None:
        """Load the batch's customers and the links of its anonymous visitors."""
        self._customers.prepare(
            session,
            [(d.customer.system, d.customer.id) for _, d in batch if d.customer is not None],
        )
        identity_set(session).load_links(
            session, [d.anonymous_id for _, d in batch if d.anonymous_id is not None]
        )

    def apply(self, session: Session, event: InboundEvent, data: RecordedTouchpoint) -> str | None:
        """Publish the touchpoint with its customer; None while the visitor is anonymous."""
        customer_id: str | None
        if data.customer is not None:
            reference = (data.customer.system, data.customer.id)
            customer_id = self._customers.resolve(session, event, reference)
        else:
            assert data.anonymous_id is not None  # the payload model demands one of them
            identities = identity_set(session)
            identities.load_links(session, [data.anonymous_id])
            customer_id = identities.links.get(data.anonymous_id)
        payload = TouchpointRecorded(
            customer_id=customer_id,
            anonymous_id=data.anonymous_id,
            source_system=event.source,
            occurred_at=event.time,
            **data.model_dump(include=TOUCHPOINT_FIELDS),
        )
        subject = customer_id or data.anonymous_id
        assert subject is not None
        publish(
            self._outbox,
            session,
            event,
            event_type="touchpoint.recorded",
            subject=subject,
            payload=payload,
        )
        return customer_id


class Identifications:
    def __init__(self, outbox: Outbox, customers: CustomerResolver) -> None:
        self._outbox = outbox
        self._customers = customers

    def prepare(self, session: Session, batch: list[tuple[InboundEvent, Any]]) -> None:
        """Load the batch's customers and the links its visitors already have."""
        self._customers.prepare(session, [(d.customer.system, d.customer.id) for _, d in batch])
        identity_set(session).load_links(session, [d.anonymous_id for _, d in batch])

    def apply(self, session: Session, event: InboundEvent, data: IdentifiedVisitor) -> str:
        """Link the visitor to the customer and publish the link; raise RejectedEvent when
        the visitor is linked to another customer already (nothing is written then)."""
        identities = identity_set(session)
        identities.load_links(session, [data.anonymous_id])
        linked_to = identities.links.get(data.anonymous_id)
        reference = (data.customer.system, data.customer.id)
        known = self._customers.known(session, reference)
        if not domain.link_is_new(data.anonymous_id, linked_to, known):
            return str(linked_to)
        customer_id = self._customers.resolve(session, event, reference)
        identities.add_link(session, data.anonymous_id, customer_id, event.time, event.id)
        publish(
            self._outbox,
            session,
            event,
            event_type="customer.identified",
            subject=customer_id,
            payload=CustomerIdentified(anonymous_id=data.anonymous_id, customer_id=customer_id),
        )
        return customer_id
