"""Upserts of many rows on PostgreSQL: COPY into a staging table, then one INSERT ... SELECT.

Sending a batch as one array parameter per column renders every value in Python, which
cost the consumers more than the database's own work; COPY hands the rows over in the
driver's C code. The staging table is temporary (one per connection, table and column
list), has no constraints, and empties itself at commit.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Dialect, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def staged_upsert(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    assignments: dict[str, str] | None,
    *,
    where: str | None = None,
) -> None:
    """Insert `rows` (values in `columns` order, as the driver takes them) into `table`;
    on a key that exists, run `assignments` (column -> SQL over `table` and `excluded`)
    where the condition `where` holds, or leave the row alone when None. Rows are inserted
    in key order, so concurrent upserts lock the same keys in the same order; no two may
    share a key."""
    if not rows:
        return
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert driver is not None
    names = sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    digest = hashlib.blake2b("\x1f".join(columns).encode(), digest_size=4).hexdigest()
    stage = sql.Identifier(f"_stage_{table.name}_{digest}")
    key = [column.name for column in table.primary_key.columns]
    conflict: sql.Composable
    if assignments:
        sets = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(name), sql.SQL(value))
            for name, value in assignments.items()
        )
        conflict = sql.SQL("DO UPDATE SET {}").format(sets)
        if where is not None:
            conflict = sql.SQL("{} WHERE {}").format(conflict, sql.SQL(where))
    else:
        conflict = sql.SQL("DO NOTHING")
    keys = sql.SQL(", ").join(sql.Identifier(name) for name in key)
    try:
        with driver.cursor() as cursor:
            cursor.execute(
                sql.SQL(
                    "CREATE TEMPORARY TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS "
                    "SELECT {} FROM {} WITH NO DATA"
                ).format(stage, names, sql.Identifier(table.name))
            )
            with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, names)) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                sql.SQL(
                    "INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ORDER BY {keys} "
                    "ON CONFLICT ({keys}) {conflict}"
                ).format(
                    table=sql.Identifier(table.name),
                    names=names,
                    stage=stage,
                    keys=keys,
                    conflict=conflict,
                )
            )
            # Commit empties it in place; emptied now too, so that a second upsert into the
            # same table within the transaction does not insert these rows again (DELETE:
            # a TRUNCATE would give the table a new file and a catalog row each time).
            cursor.execute(sql.SQL("DELETE FROM {}").format(stage))
    except psycopg.Error as error:
        # Callers handle SQLAlchemy's exceptions (a deadlock to retry, ...): the raw driver
        # calls raise the same ones.
        raise DBAPIError.instance(
            f"upsert {table.name}", None, error, psycopg.Error, hide_parameters=True
        ) from error


def staged_upsert_dicts(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    assignments: dict[str, str] | None,
    *,
    where: str | None = None,
) -> None:
    """`staged_upsert` of rows given as dicts of Python values (all with the first's keys),
    each value passed through its column type's bind processing."""
    if not rows:
        return
    names = list(rows[0])
    values = bound_values(session, table, names, rows)
    staged_upsert(session, table, names, values, assignments, where=where)


def bound_values(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows' values in `columns` order as the driver takes them: each passed through its
    column type's bind processing (None stays None)."""
    dialect = session.get_bind().dialect
    processors = [_bind_processor(dialect, table, name) for name in columns]
    if not any(processors):
        return [tuple(row[name] for name in columns) for row in rows]
    return [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip((row[name] for name in columns), processors, strict=True)
        )
        for row in rows
    ]


def bound_column(session: Session, table: Table, name: str, values: list[Any]) -> list[Any]:
    """One column's `values` as the driver takes them, as `bound_values` passes them (for
    rows built a column at a time)."""
    process = _bind_processor(session.get_bind().dialect, table, name)
    if process is None:
        return values
    return [None if value is None else process(value) for value in values]


def _bind_processor(dialect: Dialect, table: Table, name: str) -> Callable[[Any], Any] | None:
    return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
