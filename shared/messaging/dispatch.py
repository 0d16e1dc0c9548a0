"""Decoding CloudEvents from Kafka records and dispatching them to a service's handlers."""

from collections.abc import Callable, Mapping
from typing import Any

from kafka.consumer.fetcher import ConsumerRecord
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from shared.events.envelope import CloudEvent
from shared.events.registry import EventRegistry, UnknownEventTypeError
from shared.messaging.handling import Decoded, PoisonMessageError

EventHandler = Callable[[Session, CloudEvent, Any], None]
BatchPreparer = Callable[[Session, list[tuple[CloudEvent, Any]]], None]


def _validation_summary(error: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors()
    ]
    return "; ".join(parts[:10])


TYPE_HEADER = "ce_type"
"""The record header the outbox relay names each event's type in (with `ce_id`)."""


def _header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return value.decode(errors="replace") if value is not None else None
    return None


class CloudEventDispatcher:
    """Routes each event type to one handler; types this service does not use are ignored."""

    def __init__(
        self,
        registry: EventRegistry,
        handlers: Mapping[str, EventHandler],
        preparers: Mapping[str, BatchPreparer] | None = None,
    ) -> None:
        self._registry = registry
        self._handlers = dict(handlers)
        self._preparers = dict(preparers or {})
        # A topic carries the events of several types, most for other services (profiles'
        # consumer of erasure confirmations reads every customer event it published itself).
        # A record whose header names a known type this service does not handle is ignored
        # without parsing its body; one without the header, or naming a type nobody knows,
        # is decoded in full, so a stranger to the contract still goes to the DLQ.
        self._ignored_types = {t.name for t in registry.all()} - set(self._handlers)

    def decode(self, record: ConsumerRecord) -> Decoded | None:
        if record.value is None:
            raise PoisonMessageError("empty message")
        if _header(record, TYPE_HEADER) in self._ignored_types:
            return None
        try:
            event = CloudEvent.model_validate_json(record.value)
        except ValidationError as error:
            raise PoisonMessageError(f"not a CloudEvent: {_validation_summary(error)}") from None
        if any("\x00" in (value or "") for value in (event.id, event.source, event.subject)):
            raise PoisonMessageError("id, source or subject contains a NUL character")
        try:
            event_type = self._registry.get(event.type, event.dataversion)
        except UnknownEventTypeError as error:
            raise PoisonMessageError(str(error)) from None
        if event.type not in self._handlers:
            return None
        try:
            payload: BaseModel = event_type.payload.model_validate(event.data)
        except ValidationError as error:
            raise PoisonMessageError(
                f"invalid {event.type} v{event.dataversion} payload: {_validation_summary(error)}"
            ) from None
        return Decoded(
            source=event.source, event_id=event.id, event_type=event.type, body=(event, payload)
        )

    def prepare(self, session: Session, messages: list[Decoded]) -> None:
        """Let each type's preparer load what its handler needs, once per batch."""
        groups: dict[BatchPreparer, list[tuple[CloudEvent, Any]]] = {}
        for message in messages:
            preparer = self._preparers.get(message.event_type)
            if preparer is not None:
                groups.setdefault(preparer, []).append(message.body)
        for preparer, bodies in groups.items():
            preparer(session, bodies)

    def handle(self, session: Session, message: Decoded) -> None:
        event, payload = message.body
        self._handlers[message.event_type](session, event, payload)
