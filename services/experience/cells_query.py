"""Touchpoint cells matching a filter: month and day cells for whole days, raw rows for the rest.

A period that starts or ends within a UTC day takes that day's touchpoints from the
touchpoints themselves (one day each end, found by time); whole months come from the month
cells and only the days of partial months from the day cells, so any period gives what the
touchpoints say while years of them cost a read of a few thousand month cells.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from services.experience import models
from services.experience.contact_store import cell_contact, contact_rows, stored_cells
from services.experience.domain import contact_cells
from services.experience.domain.contact_cells import Cells

t = models.touchpoints.c
s = models.customer_segments.c


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


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _spans(first: date | None, last: date | None) -> list[tuple[Table, date | None, date | None]]:
    """The stored cells covering the whole days [first, last): months where whole, else days."""
    month_from = None if first is None else _next_month(first - timedelta(days=1))
    month_to = None if last is None else _first_of_month(last)
    if month_from is not None and month_to is not None and month_from >= month_to:
        return [(models.contact_days, first, last)]
    spans: list[tuple[Table, date | None, date | None]] = [
        (models.contact_months, month_from, month_to)
    ]
    if first is not None and month_from is not None and first < month_from:
        spans.append((models.contact_days, first, month_from))
    if last is not None and month_to is not None and month_to < last:
        spans.append((models.contact_days, month_to, last))
    return spans


def _add(cells: Cells, more: Cells) -> None:
    for key, cell in more.items():
        known = cells.get(key)
        if known is None:
            cells[key] = cell
        else:
            cells[key] = {**known, **{n: known[n] + cell[n] for n in contact_cells.MEASURES}}


def cells_of(session: Session, f: Any, journey_type: str | None = None) -> Cells:
    """Cells of the customers' touchpoints matching the filter (and journey type)."""
    first, last = whole_days(f.period_from, f.period_to)
    if first is not None and last is not None and first >= last:
        return _raw(session, f, journey_type, f.period_from, f.period_to)
    cells: Cells = {}
    for table, begin, end in _spans(first, last):
        period = table.c[table.primary_key.columns.keys()[0]]
        where: list[Any] = []
        for name, value in (
            ("segment", f.segment),
            ("channel", f.channel),
            ("touchpoint_type", f.touchpoint_type),
            ("stage", f.stage),
            ("journey_type", journey_type),
        ):
            if value is not None:
                where += [table.c[name] == value, table.c[name] != ""]
        if begin is not None:
            where.append(period >= begin)
        if end is not None:
            where.append(period < end)
        _add(cells, stored_cells(session, table, where))
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
