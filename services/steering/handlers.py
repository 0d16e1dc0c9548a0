"""Consumers of steering: which event types it handles and with what.

One consumer reads customers, orders, touchpoints, segment assignments and journeys, so that
a merge, an erasure and the events around them are applied in the order received here.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from services.steering import gdpr, models
from services.steering.actions import ActionRecommender
from services.steering.aggregate_writer import AggregateWriter
from services.steering.alerts import Alerts
from services.steering.consents import ConsentStore
from services.steering.reps import LearnedReps
from shared.customer_directory import CustomerDirectory
from shared.downstream import Handlers, customer_handlers
from shared.events import topics
from shared.events.envelope import CloudEvent
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import BatchPreparer, CloudEventDispatcher, EventHandler
from shared.runtime import Runtime
from shared.tombstones import Tombstones

TOPICS = (topics.CUSTOMERS, topics.ORDERS, topics.TOUCHPOINTS, topics.SEGMENTS, topics.JOURNEYS)
AFTER_ERASURE_DROPPED = (
    "order.placed",
    "order.returned",
    "touchpoint.recorded",
    "segment.assigned",
    "journey.stage_changed",
)


@dataclass
class SteeringParts:
    """What steering's consumer keeps current, besides the customer directory."""

    aggregates: AggregateWriter = field(default_factory=AggregateWriter)
    consents: ConsentStore = field(default_factory=ConsentStore)
    reps: LearnedReps = field(default_factory=LearnedReps)
    alert_check_seconds: float = 30.0


def _chain(*handlers: EventHandler) -> EventHandler:
    def each(session: Session, event: CloudEvent, payload: Any) -> None:
        for handler in handlers:
            handler(session, event, payload)

    return each


def _prepare_all(*preparers: BatchPreparer | None) -> BatchPreparer:
    def each(session: Session, events: list[tuple[CloudEvent, Any]]) -> None:
        for preparer in preparers:
            if preparer is not None:
                preparer(session, events)

    return each


def steering_handlers(
    runtime: Runtime, directory: CustomerDirectory, parts: SteeringParts
) -> CloudEventDispatcher:
    tombstones = Tombstones(models.erased_keys)
    handlers, preparers = customer_handlers(runtime, directory, gdpr.ERASABLE, tombstones)
    aggregates, consents = parts.aggregates, parts.consents
    actions = ActionRecommender(runtime.outbox, runtime.service, aggregates, consents)
    alerts = Alerts(
        runtime.outbox, runtime.service, aggregates, check_seconds=parts.alert_check_seconds
    )
    snapshot = _chain(aggregates.apply_snapshot, parts.reps.apply_snapshot, consents.apply_snapshot)
    own: Handlers = {
        "customer.registered": _chain(handlers["customer.registered"], snapshot),
        "customer.updated": _chain(handlers["customer.updated"], snapshot),
        "customer.merged": _chain(
            handlers["customer.merged"], aggregates.apply_merge, consents.apply_merge
        ),
        "customer.unmerged": _chain(handlers["customer.unmerged"], aggregates.apply_unmerge),
        # The customer's state leaves the aggregates before the erasure deletes its rows.
        "customer.erased": _chain(aggregates.forget, handlers["customer.erased"]),
        "order.placed": aggregates.apply_order,
        "order.returned": aggregates.apply_return,
        "touchpoint.recorded": aggregates.apply_touchpoint,
        "segment.assigned": _chain(
            alerts.apply_assignment, aggregates.apply_assignment, actions.apply_assignment
        ),
        "journey.stage_changed": aggregates.apply_journey,
    }
    for event_type in ("order.placed", "order.returned", "touchpoint.recorded"):
        preparers[event_type] = _prepare_all(aggregates.prepare, alerts.prepare)
    preparers["segment.assigned"] = _prepare_all(
        aggregates.prepare, actions.prepare, alerts.prepare
    )
    preparers["journey.stage_changed"] = aggregates.prepare
    for event_type in ("customer.registered", "customer.updated"):
        preparers[event_type] = _prepare_all(
            preparers.get(event_type), consents.prepare, aggregates.prepare
        )
    # What was on its way when the customer was erased does not bring it back.
    guarded = tombstones.guard({**handlers, **own}, preparers, AFTER_ERASURE_DROPPED)
    return CloudEventDispatcher(runtime.registry, *guarded)


def build_consumers(
    runtime: Runtime, directory: CustomerDirectory, parts: SteeringParts
) -> list[ConsumerLoop]:
    dispatcher = steering_handlers(runtime, directory, parts)
    return [runtime.consumer("events", [topic.name for topic in TOPICS], dispatcher)]
