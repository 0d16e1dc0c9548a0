"""Rebuilding every customer's journeys after the journey definitions changed, in the background.

Saving definitions requests a rebuild of that version; a worker loop takes the customers in
id order, a chunk per transaction, and rebuilds their journeys, journey steps and cells as
the consumer would, publishing what changed. Progress is kept in `journey_rebuilds`, so a
restarted worker carries on after the last chunk, and a newer version supersedes an older
one's unfinished rebuild. The consumer and the rebuild lock the customers they work on.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.experience import contact_store, journey_store, models, store, summaries
from services.experience.config_store import DefinitionsCache
from shared.messaging.outbox import Outbox

log = logging.getLogger(__name__)
r = models.journey_rebuilds.c
t = models.touchpoints.c
CHUNK = 200


@dataclass(frozen=True)
class RebuildProgress:
    version: int
    requested_at: datetime
    customers_total: int | None
    customers_done: int
    finished_at: datetime | None
    superseded: bool


def request_rebuild(session: Session, version: int, now: datetime) -> None:
    """Ask for every customer's journeys to be rebuilt under definitions `version`.

    The customers are counted by the worker when it starts, not in the caller's request.
    """
    session.execute(
        insert(models.journey_rebuilds).values(
            version=version,
            requested_at=now,
            customers_total=None,
            customers_done=0,
            last_customer_id=None,
            finished_at=None,
            superseded=0,
        )
    )


def rebuild_progress(session: Session, limit: int = 20) -> list[RebuildProgress]:
    rows = session.execute(select(models.journey_rebuilds).order_by(r.version.desc()).limit(limit))
    return [
        RebuildProgress(
            version=row.version,
            requested_at=row.requested_at,
            customers_total=row.customers_total,
            customers_done=row.customers_done,
            finished_at=row.finished_at,
            superseded=bool(row.superseded),
        )
        for row in rows
    ]


class JourneyRebuild:
    name = "journey-rebuild"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        service: str,
        interval_seconds: float,
        chunk: int = CHUNK,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._service = service
        self._interval = interval_seconds
        self._chunk = chunk
        self._definitions = DefinitionsCache()

    def step(self, now: datetime | None = None) -> int:
        """Rebuild the next chunk of customers of the pending rebuild; how many were rebuilt."""
        now = now or datetime.now(UTC)
        with self._sessions() as session, session.begin():
            pending = self._pending(session)
            if pending is None:
                return 0
            current = self._definitions.current(session)
            if pending.version != current.version:
                self._finish(session, pending.version, now, superseded=True)
                return 0
            if pending.total is None:
                total = session.scalar(select(func.count(t.customer_id.distinct())))
                session.execute(
                    update(models.journey_rebuilds)
                    .where(r.version == pending.version)
                    .values(customers_total=int(total or 0))
                )
            customers = list(
                session.scalars(
                    select(t.customer_id)
                    .where(t.customer_id.is_not(None), t.customer_id > (pending.last or ""))
                    .group_by(t.customer_id)
                    .order_by(t.customer_id)
                    .limit(self._chunk)
                )
            )
            if not customers:
                self._finish(session, pending.version, now, superseded=False)
                return 0
            store.lock_customers(session, customers)
            detached: set[str] = set()
            contact_store.detach(session, detached, customers)
            changes = journey_store.rebuild(session, set(customers), current.definitions, now)
            contact_store.attach(session, detached)
            summaries.publish_changes(session, self._outbox, self._service, changes)
            summaries.publish_summaries(session, self._outbox, self._service, set(customers), now)
            session.execute(
                update(models.journey_rebuilds)
                .where(r.version == pending.version)
                .values(
                    customers_done=r.customers_done + len(customers),
                    last_customer_id=customers[-1],
                )
            )
            return len(customers)

    @staticmethod
    def _pending(session: Session) -> Any:
        statement = (
            select(r.version, r.last_customer_id.label("last"), r.customers_total.label("total"))
            .where(r.finished_at.is_(None))
            .order_by(r.version)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            # One worker at a time works on a rebuild; the others find it locked and wait.
            statement = statement.with_for_update(skip_locked=True)
        return session.execute(statement).first()

    @staticmethod
    def _finish(session: Session, version: int, now: datetime, *, superseded: bool) -> None:
        session.execute(
            update(models.journey_rebuilds)
            .where(r.version == version)
            .values(finished_at=now, superseded=int(superseded))
        )

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if self.step():
                    continue
            except Exception:
                log.exception("journey rebuild: will retry")
            stop.wait(self._interval)
