"""The one place where event types are registered with their payload, topic and producer."""

from shared.events import customers, topics
from shared.events.registry import EventRegistry, EventType


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(
        EventType(
            name="customer.registered",
            version=1,
            payload=customers.CustomerRegistered,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="A customer became known; carries its first snapshot.",
        )
    )
    registry.register(
        EventType(
            name="customer.updated",
            version=1,
            payload=customers.CustomerUpdated,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="A known customer changed; carries the new snapshot.",
        )
    )
    return registry


REGISTRY = build_registry()
