"""Segmentation runs as rows: requested, claimed by one worker, tracked, completed.

Two runs never overlap: a run is claimed only while no other one is running, and a request
is refused while one is waiting. A running run whose worker stopped beating is failed, so a
crash never blocks the next run.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from services.segmentation import models
from shared.ids import new_id

r = models.runs.c
ACTIVE = ("queued", "running")
STALE_AFTER = timedelta(minutes=5)
# Any constant both claimers agree on; it serialises claims on PostgreSQL.
CLAIM_LOCK = 0x5E6_0001


class RunConflictError(Exception):
    def __init__(self, active_run_id: str, status: str) -> None:
        super().__init__(f"run {active_run_id} is {status}; runs never overlap")
        self.active_run_id = active_run_id
        self.status = status


@dataclass(frozen=True)
class RunRequest:
    run_id: str
    as_of: datetime
    live: bool


def active_run(session: Session, statuses: tuple[str, ...] = ACTIVE) -> tuple[str, str] | None:
    row = session.execute(
        select(r.run_id, r.status).where(r.status.in_(statuses)).order_by(r.requested_at).limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def request_run(
    session: Session,
    *,
    trigger: str,
    requested_by: str,
    as_of: datetime | None = None,
    refuse_if_active: bool = False,
) -> str | None:
    """Queue a run; None when one is queued already (it will see the same data)."""
    active = active_run(session, ACTIVE if refuse_if_active else ("queued",))
    if active is not None:
        if refuse_if_active:
            raise RunConflictError(*active)
        return None
    now = datetime.now(UTC)
    run_id = new_id()
    session.execute(
        insert(models.runs).values(
            run_id=run_id,
            status="queued",
            phase="queued",
            done=0,
            total=0,
            as_of=as_of or now,
            live=1 if as_of is None else 0,
            trigger=trigger,
            requested_by=requested_by,
            requested_at=now,
        )
    )
    return run_id


def claim_next(session: Session) -> RunRequest | None:
    """Mark the oldest queued run running, unless another run is running."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
    now = datetime.now(UTC)
    session.execute(
        update(models.runs)
        .where(r.status == "running", r.heartbeat_at < now - STALE_AFTER)
        .values(status="failed", phase="failed", completed_at=now, error="the worker stopped")
    )
    if active_run(session, ("running",)) is not None:
        return None
    row = session.execute(
        select(r.run_id, r.as_of, r.live)
        .where(r.status == "queued")
        .order_by(r.requested_at)
        .limit(1)
    ).first()
    if row is None:
        return None
    session.execute(
        update(models.runs)
        .where(r.run_id == row.run_id)
        .values(status="running", phase="load", started_at=now, heartbeat_at=now)
    )
    return RunRequest(row.run_id, row.as_of, bool(row.live))


def progress(session: Session, run_id: str, phase: str, done: int, total: int) -> None:
    session.execute(
        update(models.runs)
        .where(r.run_id == run_id)
        .values(phase=phase, done=done, total=total, heartbeat_at=datetime.now(UTC))
    )


def finish(
    session: Session, run_id: str, *, summary: dict[str, Any] | None, error: str | None
) -> None:
    status = "failed" if error else "completed"
    session.execute(
        update(models.runs)
        .where(r.run_id == run_id)
        .values(
            status=status,
            phase=status,
            summary=summary,
            error=error,
            completed_at=datetime.now(UTC),
        )
    )


def get_run(session: Session, run_id: str) -> dict[str, Any] | None:
    row = session.execute(select(models.runs).where(r.run_id == run_id)).first()
    return None if row is None else dict(row._mapping)


def list_runs(session: Session, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(select(models.runs).order_by(r.requested_at.desc()).limit(limit))
    return [dict(row._mapping) for row in rows]


def last_live_request(session: Session) -> datetime | None:
    value: datetime | None = session.scalar(
        select(func.max(r.requested_at)).where(r.live == 1, r.status != "failed")
    )
    return value
