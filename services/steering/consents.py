"""Customers' consent status per channel, kept from the newest customer snapshot."""

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.steering import aggregate_store, models
from shared.db.buffer import buffer_of
from shared.db.lookup import one_of
from shared.events.common import field_value
from shared.events.customers import CustomerMerged, CustomerSnapshot
from shared.events.envelope import CloudEvent

STATE = "steering_consents"
C = models.customer_consents
Known = dict[str, dict[str, Any] | None]
"""customer id -> its row (stored or pending), None when nothing is recorded."""


class ConsentStore:
    def _known(self, session: Session) -> tuple[Known, dict[str, dict[str, Any]]]:
        buffer = buffer_of(session)
        buffer.before_inserts(STATE, _write)
        return buffer.state(STATE, _empty)

    def prepare(self, session: Session, events: list[tuple[CloudEvent, Any]]) -> None:
        """Load the consents of every customer the batch mentions."""
        ids = {field_value(p, "customer_id") for _, p in events}
        self.load(session, {i for i in ids if i})

    def load(self, session: Session, customer_ids: set[str]) -> Known:
        known, _ = self._known(session)
        missing = sorted(cid for cid in customer_ids if cid not in known)
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            known.update(dict.fromkeys(chunk))
            for row in session.execute(select(C).where(one_of(session, C.c.customer_id, chunk))):
                known[row.customer_id] = dict(row._mapping)
        return known

    def consents(self, session: Session, customer_id: str) -> dict[str, str]:
        row = self.load(session, {customer_id})[customer_id]
        return dict(row["consents"]) if row is not None else {}

    def apply_snapshot(
        self, session: Session, event: CloudEvent, snapshot: CustomerSnapshot
    ) -> None:
        known = self.load(session, {snapshot.customer_id})
        current = known[snapshot.customer_id]
        if current is not None and current["revision"] >= snapshot.revision:
            return
        row = {
            "customer_id": snapshot.customer_id,
            "revision": snapshot.revision,
            "consents": dict(snapshot.consents),
        }
        known[snapshot.customer_id] = row
        self._known(session)[1][snapshot.customer_id] = row

    def apply_merge(self, session: Session, event: CloudEvent, merged: CustomerMerged) -> None:
        """The absorbed customers' consents go; the survivor's snapshot brings its own."""
        known, pending = self._known(session)
        for customer_id in merged.absorbed_ids:
            known[customer_id] = None
            pending.pop(customer_id, None)
        session.execute(delete(C).where(one_of(session, C.c.customer_id, merged.absorbed_ids)))


def _empty() -> tuple[Known, dict[str, dict[str, Any]]]:
    return {}, {}


def _write(session: Session) -> None:
    _, pending = buffer_of(session).state(STATE, _empty)
    aggregate_store.upsert(session, C, list(pending.values()))
    pending.clear()
