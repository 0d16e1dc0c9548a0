"""Consumers of experience: which event types it handles and with what.

One consumer reads customers, orders, touchpoints, segments and the strategy, so that a
visitor's identification, a merge, an erasure and the touchpoints around them are applied
in the order this service receives them.
"""

from typing import Any

from sqlalchemy.orm import Session

from services.experience import config_store, gdpr, tombstones
from services.experience.erasure_guard import ErasureGuard
from services.experience.journey_writer import JourneyWriter
from shared.customer_directory import CustomerDirectory
from shared.downstream import Handlers, customer_handlers
from shared.events import topics
from shared.events.envelope import CloudEvent
from shared.events.steering import StrategyPublished
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import CloudEventDispatcher, EventHandler
from shared.runtime import Runtime

TOPICS = (topics.CUSTOMERS, topics.ORDERS, topics.TOUCHPOINTS, topics.SEGMENTS, topics.STEERING)
# An order, return or touchpoint of an erased customer or visitor (they travel on other
# partitions than the erasure) is dropped.
AFTER_ERASURE_DROPPED = ("order.placed", "order.returned", "touchpoint.recorded")


def _then(first: EventHandler, second: EventHandler) -> EventHandler:
    def both(session: Session, event: CloudEvent, payload: Any) -> None:
        first(session, event, payload)
        second(session, event, payload)

    return both


def apply_strategy(session: Session, event: CloudEvent, strategy: StrategyPublished) -> None:
    """Price contacts at a newer strategy's cost rates."""
    config_store.store_strategy(session, strategy)


def experience_handlers(
    runtime: Runtime, directory: CustomerDirectory, writer: JourneyWriter
) -> CloudEventDispatcher:
    handlers, preparers = customer_handlers(runtime, directory, gdpr.ERASABLE)
    guard = ErasureGuard(writer)
    own: Handlers = {
        "customer.erased": _then(guard.bury, handlers["customer.erased"]),
        "customer.merged": _then(handlers["customer.merged"], writer.apply_merge),
        "customer.unmerged": _then(handlers["customer.unmerged"], writer.apply_unmerge),
        "customer.identified": guard.identified(writer.apply_identified),
        "order.placed": writer.apply_order,
        "order.returned": writer.apply_return,
        "touchpoint.recorded": writer.apply_touchpoint,
        "segment.assigned": writer.apply_segment,
        "strategy.published": apply_strategy,
    }
    preparers["touchpoint.recorded"] = writer.prepare_touchpoints
    guarded = tombstones.TOMBSTONES.guard({**handlers, **own}, preparers, AFTER_ERASURE_DROPPED)
    return CloudEventDispatcher(runtime.registry, *guarded)


def build_consumers(
    runtime: Runtime, directory: CustomerDirectory, writer: JourneyWriter
) -> list[ConsumerLoop]:
    dispatcher = experience_handlers(runtime, directory, writer)
    return [runtime.consumer("events", [topic.name for topic in TOPICS], dispatcher)]
