"""Erased customers, remembered by hash, so that late events cannot bring them back.

A customer's erasure travels on the customers topic, its orders, contacts and assignments on
others: a downstream service may receive an order after the erasure that deleted the rest.
Such events are dropped. Only a SHA-256 of the id is kept, which identifies no one once the
customer's data is gone.
"""

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.orm import Session

from shared.db.buffer import buffer_of
from shared.db.lookup import one_of
from shared.db.types import UTCDateTime
from shared.events.common import field_value
from shared.messaging.dispatch import BatchPreparer, EventHandler

CHUNK = 500


def erased_keys_table(metadata: MetaData) -> Table:
    return Table(
        "erased_keys",
        metadata,
        Column("key_hash", String(64), primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("erased_at", UTCDateTime, nullable=False),
    )


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Tombstones:
    """The erased keys of one service (customer ids, and whatever else it buries)."""

    def __init__(self, table: Table) -> None:
        self._table = table
        self._state = f"tombstones.{table.name}"

    def erased(self, session: Session, keys: Iterable[str | None]) -> set[str]:
        """Which of `keys` belong to something erased (looked up once per unit of work)."""
        wanted = [key for key in keys if key]
        known: dict[str, bool] = buffer_of(session).state(self._state, dict)
        missing = sorted({key for key in wanted if key not in known})
        column = self._table.c.key_hash
        for start in range(0, len(missing), CHUNK):
            hashes = {digest(key): key for key in missing[start : start + CHUNK]}
            found = set(session.scalars(select(column).where(one_of(session, column, hashes))))
            known.update({key: hashed in found for hashed, key in hashes.items()})
        return {key for key in wanted if known[key]}

    def bury(self, session: Session, keys: Mapping[str, Iterable[str]]) -> None:
        """Remember `keys` (by kind, e.g. customer or visitor) as erased."""
        keys = {kind: list(found) for kind, found in keys.items()}
        rows = {digest(key): kind for kind, found in keys.items() for key in found}
        known: dict[str, bool] = buffer_of(session).state(self._state, dict)
        known.update({key: True for found in keys.values() for key in found})
        column = self._table.c.key_hash
        stored = set(session.scalars(select(column).where(one_of(session, column, rows))))
        now = datetime.now(UTC)
        fresh = [
            {"key_hash": hashed, "kind": kind, "erased_at": now}
            for hashed, kind in sorted(rows.items())
            if hashed not in stored
        ]
        if fresh:
            session.execute(self._table.insert(), fresh)

    def unless_erased(self, handler: EventHandler) -> EventHandler:
        """`handler`, skipping events about an erased customer (or visitor)."""

        def guarded(session: Session, event: Any, payload: Any) -> None:
            if not self.erased(session, _keys(payload)):
                handler(session, event, payload)

        return guarded

    def preparing(self, preparer: BatchPreparer | None) -> BatchPreparer:
        """`preparer`, after looking up every customer (and visitor) of the batch at once."""

        def prepare(session: Session, events: list[tuple[Any, Any]]) -> None:
            self.erased(session, [key for _, payload in events for key in _keys(payload)])
            if preparer is not None:
                preparer(session, events)

        return prepare

    def guard(
        self,
        handlers: Mapping[str, EventHandler],
        preparers: Mapping[str, BatchPreparer],
        event_types: Iterable[str],
    ) -> tuple[dict[str, EventHandler], dict[str, BatchPreparer]]:
        """The handlers and preparers, those of `event_types` dropping events about erased
        customers, with one lookup per batch."""
        guarded, prepared = dict(handlers), dict(preparers)
        for event_type in event_types:
            guarded[event_type] = self.unless_erased(handlers[event_type])
            prepared[event_type] = self.preparing(preparers.get(event_type))
        return guarded, prepared


def _keys(payload: Any) -> list[str | None]:
    return [field_value(payload, "customer_id"), field_value(payload, "anonymous_id")]
