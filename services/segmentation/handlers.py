"""Consumers of segmentation: which event types it handles and with what.

One consumer reads customers, orders, touchpoints and the strategy, so that a merge, an
erasure and the orders around them are applied in the order this service receives them.
"""

from typing import Any

from sqlalchemy.orm import Session

from services.segmentation import config_store, gdpr, models, run_store
from services.segmentation.ledger_writer import LedgerWriter
from shared.customer_directory import CustomerDirectory
from shared.downstream import Handlers, customer_handlers
from shared.events import topics
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import CloudEvent
from shared.events.steering import StrategyPublished
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import CloudEventDispatcher, EventHandler
from shared.messaging.handling import PoisonMessageError
from shared.runtime import Runtime
from shared.tombstones import Tombstones

TOPICS = (topics.CUSTOMERS, topics.ORDERS, topics.TOUCHPOINTS, topics.STEERING)
AFTER_ERASURE_DROPPED = ("order.placed", "order.returned", "touchpoint.recorded")


def _then(first: EventHandler, second: EventHandler) -> EventHandler:
    def both(session: Session, event: CloudEvent, payload: Any) -> None:
        first(session, event, payload)
        second(session, event, payload)

    return both


def apply_strategy(session: Session, event: CloudEvent, strategy: StrategyPublished) -> None:
    """Adopt a newer strategy's mapping and cost rates, and have everyone re-assigned."""
    try:
        applied = config_store.store_strategy(session, strategy)
    except ValueError as error:
        raise PoisonMessageError(f"strategy cannot be applied: {error}") from None
    if applied:
        run_store.request_run(session, trigger="strategy", requested_by=event.source)


def segmentation_handlers(
    runtime: Runtime, directory: CustomerDirectory, ledger: LedgerWriter
) -> CloudEventDispatcher:
    tombstones = Tombstones(models.erased_keys)
    handlers, preparers = customer_handlers(runtime, directory, gdpr.ERASABLE, tombstones)

    def touch_snapshot(session: Session, event: CloudEvent, snapshot: CustomerSnapshot) -> None:
        ledger.touch(session, {snapshot.customer_id})

    def write_pending(session: Session, event: CloudEvent, payload: Any) -> None:
        ledger.write_pending(session)

    own: Handlers = {
        "customer.registered": _then(handlers["customer.registered"], touch_snapshot),
        "customer.updated": _then(handlers["customer.updated"], touch_snapshot),
        "customer.merged": _then(handlers["customer.merged"], ledger.apply_merge),
        "customer.unmerged": _then(handlers["customer.unmerged"], ledger.apply_unmerge),
        # What is pending for the customer is written first, so the erasure takes it too.
        "customer.erased": _then(write_pending, handlers["customer.erased"]),
        "order.placed": ledger.apply_order,
        "order.returned": ledger.apply_return,
        "touchpoint.recorded": ledger.apply_touchpoint,
        "strategy.published": apply_strategy,
    }
    preparers["order.placed"] = ledger.prepare_orders
    # What was on its way when the customer was erased does not bring it back.
    guarded = tombstones.guard({**handlers, **own}, preparers, AFTER_ERASURE_DROPPED)
    return CloudEventDispatcher(runtime.registry, *guarded)


def build_consumers(
    runtime: Runtime, directory: CustomerDirectory, ledger: LedgerWriter
) -> list[ConsumerLoop]:
    dispatcher = segmentation_handlers(runtime, directory, ledger)
    return [runtime.consumer("events", [topic.name for topic in TOPICS], dispatcher)]
