"""Sales reps: registered through the API, or learned from customers' owner rep."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.steering import aggregate_store, models
from shared.db.buffer import buffer_of
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import CloudEvent

STATE = "steering_reps"
Row = dict[str, Any]
R = models.reps


class LearnedReps:
    """Adds a rep the first time a customer snapshot names it as owner rep."""

    def apply_snapshot(
        self, session: Session, event: CloudEvent, snapshot: CustomerSnapshot
    ) -> None:
        rep_id = snapshot.owner_rep
        if not rep_id:
            return
        buffer = buffer_of(session)
        buffer.before_inserts(STATE, _write_learned)
        known, new = buffer.state(STATE, lambda: (_rep_ids(session), {}))
        if rep_id in known or rep_id in new:
            return
        now = datetime.now(UTC)
        new[rep_id] = {
            "rep_id": rep_id,
            "name": None,
            "team": None,
            "region": snapshot.region,
            "source": "customers",
            "created_at": now,
            "updated_at": now,
        }


def _nothing_known() -> tuple[set[str], dict[str, Row]]:
    return set(), {}


def _rep_ids(session: Session) -> set[str]:
    return set(session.scalars(select(R.c.rep_id)))


def _write_learned(session: Session) -> None:
    new: dict[str, Row] = buffer_of(session).state(STATE, _nothing_known)[1]
    if new:
        aggregate_store.insert_missing(session, R, list(new.values()))


def register(session: Session, rep_id: str, fields: Row) -> Row:
    """Create or update a rep from the API; it then counts as registered (`api`)."""
    now = datetime.now(UTC)
    existing = get(session, rep_id)
    row = {
        "rep_id": rep_id,
        **fields,
        "source": "api",
        "created_at": existing["created_at"] if existing else now,
        "updated_at": now,
    }
    aggregate_store.upsert(session, R, [row])
    return row


def get(session: Session, rep_id: str) -> Row | None:
    row = session.execute(select(R).where(R.c.rep_id == rep_id)).first()
    return dict(row._mapping) if row is not None else None


def listed(session: Session, team: str | None = None, region: str | None = None) -> list[Row]:
    query = select(R).order_by(R.c.rep_id)
    if team is not None:
        query = query.where(R.c.team == team)
    if region is not None:
        query = query.where(R.c.region == region)
    return [dict(row._mapping) for row in session.execute(query)]
