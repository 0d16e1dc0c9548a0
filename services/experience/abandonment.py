"""Marks open journeys abandoned once their gap has passed without a contact.

A journey left open is only known to be abandoned when time passes, not when an event
arrives; this loop finds them, so the status, journey.stage_changed and the customer's
summary say so without waiting for the customer's next contact.
"""

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.experience import models, summaries
from services.experience.config_store import DefinitionsCache
from services.experience.domain.journeys import StageChange
from shared.db.lookup import one_of
from shared.messaging.outbox import Outbox

log = logging.getLogger(__name__)
j = models.journeys.c
BATCH = 500


class AbandonmentSweep:
    name = "journey-abandonment"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        service: str,
        interval_seconds: float,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._service = service
        self._interval = interval_seconds
        self._definitions = DefinitionsCache()

    def sweep(self, now: datetime | None = None) -> int:
        """Abandon up to one batch of lapsed journeys per type; how many were abandoned."""
        now = now or datetime.now(UTC)
        abandoned = 0
        with self._sessions() as session, session.begin():
            changes: list[tuple[str, StageChange]] = []
            for definition in self._definitions.current(session).definitions:
                rows = session.execute(
                    select(j.journey_id, j.customer_id, j.stage, j.last_contact_at)
                    .where(
                        j.status == "open",
                        j.journey_type == definition.journey_type,
                        j.last_contact_at < now - definition.gap,
                    )
                    .order_by(j.journey_id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                ).all()
                if not rows:
                    continue
                session.execute(
                    update(models.journeys)
                    .where(one_of(session, j.journey_id, [row.journey_id for row in rows]))
                    .values(status="abandoned")
                )
                changes += [
                    (
                        row.customer_id,
                        StageChange(
                            journey_id=row.journey_id,
                            journey_type=definition.journey_type,
                            stage=row.stage,
                            previous_stage=row.stage,
                            status="abandoned",
                            entered_at=row.last_contact_at + definition.gap,
                            channel=None,
                            touchpoint_type=None,
                            previous_status="open",
                        ),
                    )
                    for row in rows
                ]
            summaries.publish_changes(session, self._outbox, self._service, changes)
            customers = {customer_id for customer_id, _ in changes}
            summaries.publish_summaries(session, self._outbox, self._service, customers, now)
            abandoned = len(changes)
        return abandoned

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if self.sweep():
                    continue
            except Exception:
                log.exception("journey abandonment sweep: will retry")
            stop.wait(self._interval)
