"""Touchpoint cells matching a filter: stored day cells for whole days, raw rows for the rest.

A period that starts or ends within a UTC day takes that day's touchpoints from the
touchpoints themselves (one day each end, found by time), so any period gives what the
touchpoints say while a year of them costs one read of the day cells.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.experience import models
from services.experience.contact_store import cell_contact, contact_rows, stored_cells
from services.experience.domain import contact_cells
from services.experience.domain.contact_cells import Cells

t = models.touchpoints.c
s = models.customer_segments.c
days = models.contact_days.c


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def whole_days(start: datetime | None, end: datetime | None) -> tuple[date | None, date | None]:
    """First and end (exclusive) UTC day lying wholly within [start, end)."""
    first = None
    if start is not None:
        start = start.astimezone(UTC)
        first = start.date() if start == _midnight(start.date()) else start.date() + timedelta(1)
    last = end.astimezone(UTC).date() if end is not None else None
    return first, last


def cells_of(session: Session, f: Any, journey_type: str | None = None) -> Cells:
    """Cells of the customers' touchpoints matching the filter (and journey type)."""
    first, last = whole_days(f.period_from, f.period_to)
    if first is not None and last is not None and first >= last:
        return _raw(session, f, journey_type, f.period_from, f.period_to)
    where: list[Any] = []
    for column, value in (
        (days.segment, f.segment),
        (days.channel, f.channel),
        (days.touchpoint_type, f.touchpoint_type),
        (days.stage, f.stage),
        (days.journey_type, journey_type),
    ):
        if value is not None:
            where += [column == value, column != ""]
    if first is not None:
        where.append(days.day >= first)
    if last is not None:
        where.append(days.day < last)
    cells = stored_cells(session, where)
    if first is not None and f.period_from < _midnight(first):
        cells.update(_raw(session, f, journey_type, f.period_from, _midnight(first)))
    if last is not None and f.period_to > _midnight(last):
        cells.update(_raw(session, f, journey_type, _midnight(last), f.period_to))
    return cells


def _raw(
    session: Session, f: Any, journey_type: str | None, start: datetime, end: datetime
) -> Cells:
    statement = contact_rows().where(t.occurred_at >= start, t.occurred_at < end)
    for column, value in (
        (s.strategic_segment, f.segment),
        (t.channel, f.channel),
        (t.touchpoint_type, f.touchpoint_type),
        (t.stage, f.stage),
        (t.journey_type, journey_type),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return contact_cells.add({}, (cell_contact(row) for row in session.execute(statement)))
