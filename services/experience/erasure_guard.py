"""Experience's handlers, guarded against events of customers and visitors already erased."""

from sqlalchemy.orm import Session

from services.experience import tombstones
from services.experience.journey_writer import JourneyWriter
from shared.events.customers import CustomerIdentified
from shared.events.envelope import CloudEvent
from shared.events.gdpr import CustomerErased
from shared.messaging.dispatch import EventHandler


class ErasureGuard:
    def __init__(self, writer: JourneyWriter) -> None:
        self._writer = writer

    def bury(self, session: Session, event: CloudEvent, erased: CustomerErased) -> None:
        """Before the erasure deletes the customer's rows: write what the batch holds (the
        erasure deletes and counts it), and remember the customer and its visitors."""
        customers = set(erased.all_customer_ids)
        self._writer.write_pending(session)
        tombstones.bury(session, customers, tombstones.visitors_of(session, customers))

    def identified(self, handler: EventHandler) -> EventHandler:
        """A visitor identified as an erased customer is erased too, with its touchpoints."""

        def guarded(session: Session, event: CloudEvent, identified: CustomerIdentified) -> None:
            if tombstones.erased(session, {identified.customer_id}):
                visitor = {identified.anonymous_id}
                self._writer.drop_pending(session, {identified.customer_id}, visitor)
                tombstones.bury(session, [], visitor)
                return
            handler(session, event, identified)

        return guarded
