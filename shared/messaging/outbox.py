"""Writing to the outbox inside the caller's transaction; the relay publishes later.

Rows are buffered and written with the transaction's other buffered rows before it commits.
"""

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Table
from sqlalchemy.orm import Session

from shared.db.buffer import buffer_of
from shared.events.envelope import CloudEvent
from shared.events.registry import EventRegistry


class Outbox:
    def __init__(self, table: Table, registry: EventRegistry) -> None:
        self._table = table
        self._registry = registry

    def add(self, session: Session, event: CloudEvent) -> None:
        """Stage `event` for publishing on its registered topic, keyed by its subject."""
        topic = self._registry.get(event.type, event.dataversion).topic.name
        buffer_of(session).insert(
            self._table,
            {
                "topic": topic,
                "message_key": event.subject,
                "payload": event.to_json_bytes(),
                "headers": {"ce_type": event.type, "ce_id": event.id},
                "event_id": event.id,
                "event_type": event.type,
                "created_at": datetime.now(UTC),
                "attempts": 0,
            },
        )

    def add_raw(
        self,
        session: Session,
        *,
        topic: str,
        key: str | None,
        payload: bytes,
        headers: Mapping[str, str],
    ) -> None:
        """Stage an opaque message (a dead letter keeps the original bytes)."""
        buffer_of(session).insert(
            self._table,
            {
                "topic": topic,
                "message_key": key,
                "payload": payload,
                "headers": dict(headers),
                "event_id": None,
                "event_type": None,
                "created_at": datetime.now(UTC),
                "attempts": 0,
            },
        )
