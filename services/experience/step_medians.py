"""Median seconds of each funnel step per group, exact, without sorting every step.

PostgreSQL counts the steps per group, step and logarithmic bucket of their seconds; the
buckets holding the middle rank(s) follow from the counts, and only the steps in those
buckets are read again and sorted. The bucket of a value never decreases with the value, so the
k-th value overall is the right one within its bucket. Elsewhere a window function ranks
every step (small databases).
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.experience import models

js = models.journey_steps.c
BUCKETS_PER_E = 64
"""Buckets per factor e of seconds: a bucket spans about 1.6% of its values."""
Medians = dict[str | None, dict[int, float]]


def step_medians(session: Session, f: Any, journey_type: str, by: str | None) -> Medians:
    """Median seconds of each step per group (segment, entry channel or None)."""
    group_column: Any = {"segment": js.segment, "channel": js.entry_channel}.get(by or "")
    keys = [js.step_index] if group_column is None else [js.step_index, group_column]
    if session.get_bind().dialect.name == "postgresql":
        return _bucketed(session, f, journey_type, by, keys)
    return _ranked(session, f, journey_type, by, keys)


def _filtered(statement: Any, f: Any, journey_type: str, by: str | None) -> Any:
    statement = statement.where(js.journey_type == journey_type)
    if by == "segment" or f.segment is not None:
        statement = statement.where(js.segment != "")
    for column, value in ((js.segment, f.segment), (js.entry_channel, f.channel)):
        if value is not None:
            statement = statement.where(column == value)
    if f.period_from is not None:
        statement = statement.where(js.started_at >= f.period_from)
    if f.period_to is not None:
        statement = statement.where(js.started_at < f.period_to)
    return statement


def _middle_ranks(size: int) -> tuple[int, int]:
    """1-based ranks of the middle value(s): equal for an odd size."""
    return (size + 1) // 2, (size + 2) // 2


def _bucketed(
    session: Session, f: Any, journey_type: str, by: str | None, keys: list[Any]
) -> Medians:
    bucket = func.floor(func.ln(func.greatest(js.seconds, 0) + 1) * BUCKETS_PER_E).label("bucket")
    counts: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    for row in session.execute(
        _filtered(select(*keys, bucket, func.count()), f, journey_type, by).group_by(*keys, bucket)
    ):
        counts[tuple(row[: len(keys)])][int(row.bucket)] = row[-1]
    # Per group key: the buckets holding a middle rank -> steps in lower buckets.
    wanted: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    for key, buckets in counts.items():
        ranks = _middle_ranks(sum(buckets.values()))
        before = 0
        for number in sorted(buckets):
            if any(before < rank <= before + buckets[number] for rank in ranks):
                wanted[key][number] = before
            before += buckets[number]
    values: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    numbers = sorted({number for found in wanted.values() for number in found})
    for row in session.execute(
        _filtered(select(*keys, bucket, js.seconds), f, journey_type, by).where(bucket.in_(numbers))
    ):
        key = tuple(row[: len(keys)])
        if int(row.bucket) in wanted[key]:
            values[(*key, int(row.bucket))].append(row.seconds)
    found: Medians = defaultdict(dict)
    for key, buckets in counts.items():
        middle = []
        for rank in _middle_ranks(sum(buckets.values())):
            number, before = next(
                (number, before)
                for number, before in sorted(wanted[key].items())
                if rank <= before + buckets[number]
            )
            middle.append(sorted(values[(*key, number)])[rank - before - 1])
        found[key[1] if len(key) > 1 else None][key[0]] = (middle[0] + middle[1]) / 2
    return found


def _ranked(
    session: Session, f: Any, journey_type: str, by: str | None, keys: list[Any]
) -> Medians:
    ranked = _filtered(
        select(
            *(column.label(f"k{i}") for i, column in enumerate(keys)),
            js.seconds,
            func.row_number().over(partition_by=keys, order_by=js.seconds).label("rank"),
            func.count().over(partition_by=keys).label("size"),
        ),
        f,
        journey_type,
        by,
    )
    r = ranked.subquery()
    columns = [r.c[f"k{i}"] for i in range(len(keys))]
    middle = or_(r.c.rank == (r.c.size + 1) // 2, r.c.rank == (r.c.size + 2) // 2)
    found: Medians = defaultdict(dict)
    for row in session.execute(
        select(*columns, func.avg(r.c.seconds).label("median")).where(middle).group_by(*columns)
    ):
        found[row[1] if len(columns) > 1 else None][row[0]] = float(row.median)
    return found
