"""Consumers of experience: which event types it handles and with what."""

from services.experience import gdpr
from shared.customer_directory import CustomerDirectory
from shared.downstream import customer_consumer
from shared.messaging.consumer import ConsumerLoop
from shared.runtime import Runtime


def build_consumers(runtime: Runtime, directory: CustomerDirectory) -> list[ConsumerLoop]:
    return [customer_consumer(runtime, directory, gdpr.ERASABLE)]
