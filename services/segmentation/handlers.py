"""Consumers of segmentation: which event types it handles and with what."""

from services.segmentation import gdpr
from shared.customer_directory import CustomerDirectory
from shared.events import topics
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import CloudEventDispatcher
from shared.runtime import Runtime


def build_consumers(runtime: Runtime, directory: CustomerDirectory) -> list[ConsumerLoop]:
    customer_events = CloudEventDispatcher(
        runtime.registry,
        {
            "customer.registered": directory.apply,
            "customer.updated": directory.apply,
            "customer.merged": directory.apply_merge,
            "customer.unmerged": directory.apply_unmerge,
            "customer.erased": gdpr.customer_erasure(runtime).apply,
        },
        {
            "customer.registered": directory.prepare,
            "customer.updated": directory.prepare,
            "customer.merged": directory.prepare_merges,
        },
    )
    return [runtime.consumer("customers", [topics.CUSTOMERS.name], customer_events)]
