"""Event contracts: the CloudEvents envelope, versioned payloads, topics and the registry."""

from shared.events.catalog import REGISTRY
from shared.events.envelope import CloudEvent, new_event
from shared.events.registry import EventRegistry, EventType, UnknownEventTypeError

__all__ = [
    "REGISTRY",
    "CloudEvent",
    "EventRegistry",
    "EventType",
    "UnknownEventTypeError",
    "new_event",
]
