"""Adding to the KPI aggregates and storing batch rows in one statement per table.

The batch statements are plain SQL: on SQLite run with the driver's executemany, on
PostgreSQL a COPY into a staging table and one INSERT ... SELECT (shared.db.staged). Building
SQLAlchemy parameters row by row cost more than the database's own work for these rows.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import String, Table, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.steering import models
from shared.db.lookup import one_of
from shared.db.staged import bound_values, staged_upsert

_STATEMENTS: dict[tuple[str, str, tuple[str, ...]], str] = {}


def _insert(session: Session, table: Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _key(table: Table) -> list[str]:
    return [column.name for column in table.primary_key.columns]


def _statement(session: Session, table: Table, mode: str, columns: Sequence[str]) -> str:
    """INSERT ... ON CONFLICT of many rows for SQLite's executemany (PostgreSQL: see
    shared.db.staged): `add` sums the measures, `or` combines them bit by bit, `replace`
    overwrites them, `keep` leaves an existing row alone."""
    cache_key = (table.name, mode, tuple(columns))
    statement = _STATEMENTS.get(cache_key)
    if statement is not None:
        return statement
    quoted = ", ".join(f'"{name}"' for name in columns)
    keys = ", ".join(f'"{name}"' for name in _key(table))
    statement = (
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" for _ in columns)}) '
        f"ON CONFLICT ({keys}) "
    )
    assignments = _assignments(table, mode, columns)
    if assignments is None:
        statement += "DO NOTHING"
    else:
        statement += "DO UPDATE SET " + ", ".join(f'"{n}" = {v}' for n, v in assignments.items())
    _STATEMENTS[cache_key] = statement
    return statement


def _run(
    session: Session, table: Table, mode: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    width = len(_key(table))
    # Concurrent transactions that lock the same keys in the same order cannot deadlock.
    rows.sort(key=lambda row: row[:width])
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        staged_upsert(session, table, columns, rows, _assignments(table, mode, columns))
    else:
        connection.exec_driver_sql(_statement(session, table, mode, columns), rows)


def _assignments(table: Table, mode: str, columns: Sequence[str]) -> dict[str, str] | None:
    others = [name for name in columns if name not in _key(table)]
    if mode == "keep" or not others:
        return None
    if mode == "replace":
        return {name: f'excluded."{name}"' for name in others}
    operator = "+" if mode == "add" else "|"
    return {name: f'"{table.name}"."{name}" {operator} excluded."{name}"' for name in others}


def _columns(table: Table, names: Iterable[str]) -> list[str]:
    key = _key(table)
    return [*key, *(name for name in names if name not in key)]


def add_deltas(
    session: Session, table: Table, deltas: Mapping[tuple[Any, ...], Mapping[str, int]]
) -> None:
    """Add delta maps keyed by primary key tuples to `table`'s measures (rows created)."""
    _combine(session, table, deltas, "add")


def combine_bits(
    session: Session, table: Table, bits: Mapping[tuple[Any, ...], Mapping[str, int]]
) -> None:
    """Set the bits of masks keyed by primary key tuples in `table` (rows created)."""
    _combine(session, table, bits, "or")


def _combine(
    session: Session, table: Table, values: Mapping[tuple[Any, ...], Mapping[str, int]], mode: str
) -> None:
    key = _key(table)
    measures = [c.name for c in table.columns if c.name not in key]
    rows = [
        (*key_values, *(found.get(name, 0) for name in measures))
        for key_values, found in values.items()
        if any(found.values())
    ]
    _run(session, table, mode, [*key, *measures], rows)


def upsert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows`, replacing the other columns of existing rows with the same key."""
    if rows:
        columns = _columns(table, rows[0])
        _run(session, table, "replace", columns, bound_values(session, table, columns, rows))


def insert_missing(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` whose key is not taken yet; existing rows stay as they are."""
    if rows:
        columns = _columns(table, rows[0])
        _run(session, table, "keep", columns, bound_values(session, table, columns, rows))


def order_members(session: Session, customer_id: str, month: str) -> dict[str, str] | None:
    """The members the earliest stored order of the customer counted in `month` counted under."""
    table = models.orders
    members = session.scalar(
        select(table.c.members)
        .where(table.c.customer_id == customer_id, table.c.month == month)
        .order_by(table.c.event_time)
        .limit(1)
    )
    return dict(members) if members is not None else None


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


def forget_facts(session: Session, customer_ids: Sequence[str]) -> None:
    """Drop what steering knows of these customers' assignments."""
    if customer_ids:
        facts = models.customer_facts
        session.execute(delete(facts).where(one_of(session, facts.c.customer_id, customer_ids)))


def rekey_orders(session: Session, absorbed: Iterable[str], survivor: str) -> None:
    """The absorbed customers' orders belong to the survivor from now on (as in profiles)."""
    absorbed_ids = sorted(set(absorbed) - {survivor})
    if absorbed_ids:
        session.execute(
            update(models.orders)
            .where(one_of(session, models.orders.c.customer_id, absorbed_ids))
            .values(customer_id=survivor)
        )
