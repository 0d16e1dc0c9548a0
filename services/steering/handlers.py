"""Consumers of steering: which event types it handles and with what.

One consumer reads customers, orders, touchpoints, segment assignments and journeys, so that
a merge, an erasure and the events around them are applied in the order received here.
"""

from typing import Any

from sqlalchemy.orm import Session

from services.steering import gdpr
from services.steering.aggregate_writer import AggregateWriter
from shared.customer_directory import CustomerDirectory
from shared.downstream import Handlers, customer_handlers
from shared.events import topics
from shared.events.envelope import CloudEvent
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import CloudEventDispatcher, EventHandler
from shared.runtime import Runtime

TOPICS = (topics.CUSTOMERS, topics.ORDERS, topics.TOUCHPOINTS, topics.SEGMENTS, topics.JOURNEYS)


def _then(first: EventHandler, second: EventHandler) -> EventHandler:
    def both(session: Session, event: CloudEvent, payload: Any) -> None:
        first(session, event, payload)
        second(session, event, payload)

    return both


def steering_handlers(
    runtime: Runtime, directory: CustomerDirectory, aggregates: AggregateWriter
) -> CloudEventDispatcher:
    handlers, preparers = customer_handlers(runtime, directory, gdpr.ERASABLE)
    own: Handlers = {
        "customer.registered": _then(handlers["customer.registered"], aggregates.apply_snapshot),
        "customer.updated": _then(handlers["customer.updated"], aggregates.apply_snapshot),
        "customer.merged": _then(handlers["customer.merged"], aggregates.apply_merge),
        # The customer's state leaves the aggregates before the erasure deletes its rows.
        "customer.erased": _then(aggregates.forget, handlers["customer.erased"]),
        "order.placed": aggregates.apply_order,
        "order.returned": aggregates.apply_return,
        "touchpoint.recorded": aggregates.apply_touchpoint,
        "segment.assigned": aggregates.apply_assignment,
        "journey.stage_changed": aggregates.apply_journey,
    }
    for event_type in ("order.placed", "order.returned", "touchpoint.recorded", "segment.assigned"):
        preparers[event_type] = aggregates.prepare
    return CloudEventDispatcher(runtime.registry, {**handlers, **own}, preparers)


def build_consumers(
    runtime: Runtime, directory: CustomerDirectory, aggregates: AggregateWriter
) -> list[ConsumerLoop]:
    dispatcher = steering_handlers(runtime, directory, aggregates)
    return [runtime.consumer("events", [topic.name for topic in TOPICS], dispatcher)]
