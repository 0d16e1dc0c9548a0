"""Registry mapping (event type, version) to its payload model and topic."""

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from shared.events.envelope import CloudEvent
from shared.events.topics import Topic


class UnknownEventTypeError(LookupError):
    pass


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    payload: type[BaseModel]
    topic: Topic
    producer: str
    description: str


class EventRegistry:
    def __init__(self) -> None:
        self._types: dict[tuple[str, int], EventType] = {}

    def register(self, event_type: EventType) -> None:
        key = (event_type.name, event_type.version)
        if key in self._types:
            raise ValueError(f"event type {key} registered twice")
        self._types[key] = event_type

    def get(self, name: str, version: int = 1) -> EventType:
        try:
            return self._types[(name, version)]
        except KeyError:
            raise UnknownEventTypeError(f"unknown event type {name} v{version}") from None

    def all(self) -> list[EventType]:
        return sorted(self._types.values(), key=lambda t: (t.topic.name, t.name, t.version))

    def parse(self, event: CloudEvent) -> BaseModel:
        """Validate the payload of `event` with its registered model."""
        return self.get(event.type, event.dataversion).payload.model_validate(event.data)


__all__ = ["EventRegistry", "EventType", "UnknownEventTypeError", "ValidationError"]
