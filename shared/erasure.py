"""Erasing a customer in a service: delete what it holds, scrub its outbox, confirm.

Profiles publishes customer.erased; segmentation, experience and steering each delete every
row they keep for the customer and publish erasure.completed in the same transaction. The
consumer's inbox makes a redelivered customer.erased a no-op.
"""

import json
import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, select
from sqlalchemy.orm import Session

from shared.db.buffer import flush_buffer
from shared.db.lookup import one_of
from shared.events.envelope import CloudEvent, new_event
from shared.events.gdpr import CustomerErased, ErasureCompleted
from shared.messaging.outbox import Outbox
from shared.tombstones import Tombstones

log = logging.getLogger(__name__)

CHUNK = 500
ErasableColumn = tuple[Table, str]
"""A table and the column holding the customer id its rows are deleted by."""


def affected_rows(session: Session, statement: Any) -> int:
    """Execute a DELETE or UPDATE and return how many rows it affected."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def outbox_rows_keyed(session: Session, outbox: Table, keys: Collection[str]) -> set[int]:
    """Ids of the outbox rows keyed by `keys` (an erased customer's ids, its visitors' ids).

    Published rows are only kept to be republished to a fresh broker, and unpublished ones
    would carry the customer's data (or revive it in a consumer of another topic) after the
    erasure: none may outlive it.
    """
    ids: set[int] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        condition = one_of(session, outbox.c.message_key, chunk)
        ids.update(session.scalars(select(outbox.c.id).where(condition)))
    return ids


def dead_letters_holding(session: Session, outbox: Table, values: Collection[str]) -> set[int]:
    """Ids of the dead letters whose payload holds one of `values` as a JSON string.

    A dead letter keeps the failed message as it came, keyed by whatever its sender chose,
    so a customer's data is found in it only by looking. Dead letters are few.
    """
    needles = {
        json.dumps(value, ensure_ascii=ascii_only).encode()
        for value in values
        for ascii_only in (True, False)
    }
    o = outbox.c
    return {
        row.id
        for row in session.execute(select(o.id, o.payload).where(o.event_type.is_(None)))
        if any(needle in bytes(row.payload) for needle in needles)
    }


def publish_then_delete(
    session: Session, outbox: Outbox, table: Table, event: CloudEvent, doomed: Collection[int]
) -> None:
    """Write `event` to the outbox, then delete the outbox rows `doomed`.

    In this order because SQLite gives a new row the highest id plus one: written after the
    deletion, the event could take the id of a deleted row that the relay is publishing at
    this moment, and be marked sent by it without ever being published.
    """
    outbox.add(session, event)
    flush_buffer(session)
    ordered = sorted(doomed)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        session.execute(delete(table).where(one_of(session, table.c.id, chunk)))


class CustomerErasure:
    """The customer.erased handler of a downstream service."""

    def __init__(
        self,
        *,
        service: str,
        outbox: Outbox,
        outbox_table: Table,
        erasable: Sequence[ErasableColumn],
        tombstones: Tombstones | None = None,
    ) -> None:
        self._service = service
        self._outbox = outbox
        self._outbox_table = outbox_table
        self._tombstones = tombstones
        self._erasable = tuple(erasable)

    def apply(self, session: Session, event: CloudEvent, erased: CustomerErased) -> None:
        """Delete the customer's rows everywhere and stage erasure.completed."""
        # Rows earlier events of this batch buffered for the customer are written first, so
        # they are deleted too instead of being written after the deletion.
        flush_buffer(session)
        customer_ids = erased.all_customer_ids
        deleted: dict[str, int] = {}
        for table, column in self._erasable:
            condition = one_of(session, table.c[column], customer_ids)
            count = affected_rows(session, delete(table).where(condition))
            deleted[table.name] = deleted.get(table.name, 0) + count
        if self._tombstones is not None:
            # Orders or assignments still on their way must not bring the customer back.
            self._tombstones.bury(session, {"customer": customer_ids})
        doomed = outbox_rows_keyed(session, self._outbox_table, customer_ids)
        deleted["outbox"] = len(doomed)
        completed = ErasureCompleted(
            erasure_id=erased.erasure_id,
            customer_id=erased.customer_id,
            service=self._service,
            completed_at=datetime.now(UTC),
            deleted=deleted,
        )
        confirmation = new_event(
            source=f"/{self._service}",
            type="erasure.completed",
            subject=erased.customer_id,
            data=completed,
            correlation_id=f"{event.source}/{event.id}",
        )
        publish_then_delete(session, self._outbox, self._outbox_table, confirmation, doomed)
        log.info(
            "erasure %s of customer %s: %s deleted %s",
            erased.erasure_id,
            erased.customer_id,
            self._service,
            deleted,
        )
