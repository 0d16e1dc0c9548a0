"""The customer consumer every downstream service runs: its read model and erasure."""

from shared.customer_directory import CustomerDirectory
from shared.erasure import CustomerErasure, ErasableColumn
from shared.events import topics
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import BatchPreparer, CloudEventDispatcher, EventHandler
from shared.runtime import Runtime
from shared.tombstones import Tombstones

Handlers = dict[str, EventHandler]
Preparers = dict[str, BatchPreparer]


def customer_handlers(
    runtime: Runtime,
    directory: CustomerDirectory,
    erasable: list[ErasableColumn],
    tombstones: Tombstones | None = None,
) -> tuple[Handlers, Preparers]:
    """Handlers keeping `directory` current from profiles' customer events, erasing `erasable`
    (and remembering an erased customer in `tombstones`)."""
    erasure = CustomerErasure(
        service=runtime.service,
        outbox=runtime.outbox,
        outbox_table=runtime.tables.outbox,
        erasable=erasable,
        tombstones=tombstones,
    )
    handlers: Handlers = {
        "customer.registered": directory.apply,
        "customer.updated": directory.apply,
        "customer.merged": directory.apply_merge,
        "customer.unmerged": directory.apply_unmerge,
        "customer.erased": erasure.apply,
    }
    preparers: Preparers = {
        "customer.registered": directory.prepare,
        "customer.updated": directory.prepare,
        "customer.merged": directory.prepare_merges,
    }
    return handlers, preparers


def customer_consumer(
    runtime: Runtime, directory: CustomerDirectory, erasable: list[ErasableColumn]
) -> ConsumerLoop:
    """Keeps `directory` current from profiles' customer events and erases `erasable`."""
    handlers, preparers = customer_handlers(runtime, directory, erasable)
    customer_events = CloudEventDispatcher(runtime.registry, handlers, preparers)
    return runtime.consumer("customers", [topics.CUSTOMERS.name], customer_events)
