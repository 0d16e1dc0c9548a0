"""`column IN (values)` for batch lookups, written the way each database handles best."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, bindparam, false, or_, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def one_of(
    session: Session, column: ColumnElement[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """A condition matching rows whose `column` is in `values`.

    On PostgreSQL the values travel as one array parameter (`= ANY(...)`): an IN list of
    hundreds of placeholders costs more to render and parse than the lookup itself.
    """
    items = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, items, type_=ARRAY(column.type)))
    return column.in_(items)


def pair_of(
    session: Session,
    first: ColumnElement[Any],
    second: ColumnElement[Any],
    pairs: Iterable[tuple[Any, Any]],
) -> ColumnElement[bool]:
    """A condition matching rows whose (`first`, `second`) is one of `pairs`, e.g. orders
    by (source system, order id).

    On PostgreSQL one `first = x AND second = ANY(...)` per distinct first value: a row-value
    IN of hundreds of pairs takes the planner longer than the lookups it plans (35 ms for
    500 pairs, against 1.5 ms for the whole query written so).
    """
    items = list(pairs)
    if session.get_bind().dialect.name != "postgresql":
        return tuple_(first, second).in_(items)
    grouped: dict[Any, list[Any]] = {}
    for one, other in items:
        grouped.setdefault(one, []).append(other)
    return or_(
        false(),
        *(
            and_(first == one, one_of(session, second, others))
            for one, others in sorted(grouped.items())
        ),
    )
