"""Adding to the KPI aggregates and storing batch rows in one statement per table."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import String, Table, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.steering import models
from shared.db.lookup import one_of


def _insert(session: Session, table: Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _key(table: Table) -> list[str]:
    return [column.name for column in table.primary_key.columns]


def rows_from(
    deltas: Mapping[tuple[Any, ...], Mapping[str, int]], table: Table
) -> list[dict[str, Any]]:
    """Delta maps keyed by primary key tuples as rows of `table`, zero measures filled in."""
    key = _key(table)
    measures = [c.name for c in table.columns if c.name not in key]
    rows = []
    for key_values, values in deltas.items():
        if not any(values.values()):
            continue
        row = dict(zip(key, key_values, strict=True))
        row.update({name: values.get(name, 0) for name in measures})
        rows.append(row)
    return rows


def add_to(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, adding their measures to those of existing rows with the same key."""
    if not rows:
        return
    key = _key(table)
    measures = [c.name for c in table.columns if c.name not in key]
    rows = sorted(rows, key=lambda row: tuple(row[name] for name in key))
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=key,
        set_={name: table.c[name] + statement.excluded[name] for name in measures},
    )
    session.execute(statement, rows)


def upsert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows`, replacing the other columns of existing rows with the same key."""
    if not rows:
        return
    key = _key(table)
    ordered = sorted(rows, key=lambda row: tuple(row[name] for name in key))
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=key,
        set_={name: statement.excluded[name] for name in ordered[0] if name not in key},
    )
    session.execute(statement, ordered)


def rekey_periods(session: Session, absorbed: Iterable[str], survivor: str) -> None:
    """Give the survivor the absorbed customers' period flags (combined), and drop theirs."""
    absorbed_ids = sorted(set(absorbed) - {survivor})
    if not absorbed_ids:
        return
    table = models.customer_periods
    # max() of the flags would lose bits; summing the distinct bits is their union.
    bits = [func.max(table.c.flags.op("&")(bit)) for bit in (1, 2, 4)]
    moved = (
        select(
            literal(survivor, String(64)).label("customer_id"),
            table.c.period,
            (bits[0] + bits[1] + bits[2]).label("flags"),
        )
        .where(one_of(session, table.c.customer_id, absorbed_ids))
        .group_by(table.c.period)
    )
    statement = _insert(session, table).from_select(["customer_id", "period", "flags"], moved)
    statement = statement.on_conflict_do_update(
        index_elements=["customer_id", "period"],
        set_={"flags": table.c.flags.op("|")(statement.excluded.flags)},
    )
    session.execute(statement)
    session.execute(delete(table).where(one_of(session, table.c.customer_id, absorbed_ids)))
