"""Alerts: a KPI turned red, a high-value customer became at risk, an unprofitable segment
grew. Each is stored once and published as kpi.alert through the outbox."""

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.steering import aggregate_store, cockpit, models
from services.steering.aggregate_writer import AggregateWriter
from services.steering.domain import kpis
from services.steering.domain.periods import month_of
from shared.db.buffer import buffer_of
from shared.db.lookup import one_of
from shared.events import steering as contract
from shared.events.envelope import CloudEvent, new_event
from shared.events.segments import SegmentAssigned
from shared.messaging.outbox import Outbox

STATE = "steering_alerts"
RUNNING_KPIS = tuple(k.key for k in kpis.DEFINITIONS if not k.scales_with_period)
"""KPIs judged while their month runs (rates, scores); sums are judged when it closes."""
BOARD_DIMENSIONS = ("all", "segment")
AL, ST = models.alerts, models.kpi_status


class Alerts:
    def __init__(
        self,
        outbox: Outbox,
        service: str,
        aggregates: AggregateWriter,
        *,
        check_seconds: float = 30.0,
    ) -> None:
        self._outbox = outbox
        self._service = service
        self._aggregates = aggregates
        self._check_seconds = check_seconds
        self._checked_at = 0.0

    def prepare(self, session: Session, events: list[tuple[CloudEvent, Any]]) -> None:
        """After this batch's figures are written, look at what they changed."""
        buffer_of(session).before_inserts(STATE, self._after_batch)

    def raise_alert(
        self, session: Session, kind: str, subject: str, message: str, severity: str
    ) -> None:
        now = datetime.now(UTC)
        payload = contract.KpiAlert(
            alert_id=str(uuid.uuid4()),
            kind=kind,
            subject=subject,
            message=message,
            severity=severity,
            raised_at=now,
        )
        row = {**payload.model_dump(), "dedup_key": payload.alert_id}
        session.execute(AL.insert(), [row])
        event = new_event(
            source=self._service, type="kpi.alert", subject=subject, data=payload, time=now
        )
        self._outbox.add(session, event)

    def apply_assignment(
        self, session: Session, event: CloudEvent, assigned: SegmentAssigned
    ) -> None:
        """Before the aggregates take the assignment: compare it with what was known."""
        customer = self._aggregates.customer(session, assigned.customer_id)
        before = customer.facts or {}
        if (
            assigned.value_tier == "high"
            and assigned.lifecycle_stage == "at_risk"
            and before.get("lifecycle_stage") != "at_risk"
        ):
            self.raise_alert(
                session,
                "customer_at_risk",
                assigned.customer_id,
                f"high-value customer {assigned.customer_id} ({assigned.strategic_segment}) "
                f"is at risk: {assigned.lifecycle_reason}",
                "critical",
            )
        if before.get("strategic_segment") != assigned.strategic_segment:
            buffer = buffer_of(session)
            buffer.before_inserts(STATE, self._after_batch)
            grown: dict[str, int] = buffer.state(STATE, dict)
            grown[assigned.strategic_segment] = grown.get(assigned.strategic_segment, 0) + 1

    def _after_batch(self, session: Session) -> None:
        grown: dict[str, int] = buffer_of(session).state(STATE, dict)
        due = time.monotonic() - self._checked_at >= self._check_seconds
        if not grown and not due:
            return
        self._aggregates.write_pending(session)
        state = models.kpi_state
        rows = session.execute(
            select(state.c.member, state.c.customers, state.c.contribution_margin_3_12m).where(
                state.c.dimension == "segment",
                one_of(session, state.c.member, sorted(grown)),
            )
        )
        for segment, customers, margin in rows:
            if margin < 0:
                self.raise_alert(
                    session,
                    "segment_growing",
                    segment,
                    f"unprofitable segment {segment} (12-month cm3 {kpis.amount(margin)}) "
                    f"gained {grown[segment]} customers, now {customers}",
                    "warning",
                )
        grown.clear()
        if due:
            self._checked_at = time.monotonic()
            self.check_kpis(session, month_of(datetime.now(UTC)), RUNNING_KPIS)

    def check_kpis(self, session: Session, period: str, watched: tuple[str, ...]) -> None:
        """Raise an alert for every watched KPI that turned red since it was last seen."""
        seen = {
            (r.dimension, r.member, r.kpi): r.status
            for r in session.execute(select(ST).where(ST.c.period == period))
        }
        now_status: list[dict[str, Any]] = []
        for dimension in BOARD_DIMENSIONS:
            board = cockpit.build_board(session, period, dimension)
            for member in board.members:
                for kpi in watched:
                    evaluation = member.evaluations[kpi]
                    if evaluation.status is None:
                        continue
                    key = (dimension, member.member, kpi)
                    if seen.get(key) == evaluation.status:
                        continue
                    now_status.append(
                        {
                            "period": period,
                            "dimension": dimension,
                            "member": member.member,
                            "kpi": kpi,
                            "status": evaluation.status,
                        }
                    )
                    if evaluation.status == "red":
                        where = "overall" if dimension == "all" else f"in {member.member}"
                        self.raise_alert(
                            session,
                            "kpi_red",
                            kpi,
                            f"{kpis.KPIS[kpi].name} {where} is red in {period}: "
                            f"{evaluation.value} against target {evaluation.target} "
                            f"({evaluation.attainment} attained)",
                            "warning",
                        )
        aggregate_store.upsert(session, ST, now_status)

    def on_close(self, session: Session, month: str) -> None:
        """A closed month's KPIs are final: every one that ended red raises an alert."""
        self.check_kpis(session, month, tuple(kpis.KPIS))


def listed(
    session: Session, *, kind: str | None, since: datetime | None, limit: int
) -> list[dict[str, Any]]:
    query = select(AL).order_by(AL.c.raised_at.desc(), AL.c.alert_id).limit(limit)
    if kind is not None:
        query = query.where(AL.c.kind == kind)
    if since is not None:
        query = query.where(AL.c.raised_at >= since)
    return [dict(row._mapping) for row in session.execute(query)]
