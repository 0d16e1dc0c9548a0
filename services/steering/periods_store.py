"""Closing months: their figures freeze, the assignments' state is kept as it stood."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, literal, select
from sqlalchemy.orm import Session

from services.steering import models
from services.steering.domain import periods
from shared.approvals import ApprovalRefusedError


def close_month(
    session: Session, month: str, closed_by: str, comment: str | None
) -> dict[str, Any]:
    """Close an ended month; later events dated in it count in the next open month."""
    if periods.granularity(month) != "month":
        raise ApprovalRefusedError(422, f"{month} is not a month; months are closed one by one")
    now = datetime.now(UTC)
    if month >= periods.month_of(now):
        raise ApprovalRefusedError(409, f"{month} has not ended yet")
    table = models.closed_periods
    if session.scalar(select(table.c.period).where(table.c.period == month)) is not None:
        raise ApprovalRefusedError(409, f"{month} is closed already")
    row = {"period": month, "closed_at": now, "closed_by": closed_by, "comment": comment}
    session.execute(insert(table).values(**row))
    state, snapshots = models.kpi_state, models.kpi_state_snapshots
    names = [c.name for c in state.columns]
    session.execute(
        insert(snapshots).from_select(
            ["period", *names], select(literal(month).label("period"), *state.columns)
        )
    )
    return row


def closed_months(session: Session) -> list[dict[str, Any]]:
    table = models.closed_periods
    rows = session.execute(select(table).order_by(table.c.period.desc()))
    return [dict(row._mapping) for row in rows]
