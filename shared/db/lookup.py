"""`column IN (values)` for batch lookups, written the way each database handles best."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
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
