"""Writes collected during a unit of work and sent in one round trip per table.

Handlers of a batch of events add rows here instead of executing one INSERT per event; the
buffer is written before the transaction commits (or earlier, when the owner flushes it,
e.g. at the end of a savepoint), in foreign-key order.
"""

from collections.abc import Callable
from operator import itemgetter
from typing import Any, TypeVar

import psycopg
from psycopg import sql as psycopg_sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Column, Dialect, Table, event, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

_KEY = "cockpit.write_buffer"
# Below this many rows the COPY set-up costs more than an executemany saves.
COPY_THRESHOLD = 20

FlushHook = Callable[[Session], None]
T = TypeVar("T")


class WriteBuffer:
    def __init__(self) -> None:
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self._hooks: dict[str, FlushHook] = {}
        self._state: dict[str, Any] = {}

    def state(self, name: str, factory: Callable[[], T]) -> T:
        """Per-unit working state (e.g. rows loaded for a batch), forgotten on flush/discard.

        After a flush the database holds everything, so a handler reloads what it needs; after
        a discard (a rolled-back savepoint) the state may describe writes that never happened.
        """
        if name not in self._state:
            self._state[name] = factory()
        return self._state[name]  # type: ignore[no-any-return]

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        self._rows.setdefault(table, []).append(row)

    def before_inserts(self, name: str, hook: FlushHook) -> None:
        """Run `hook` first on flush (e.g. to write parent rows that inserts refer to)."""
        self._hooks.setdefault(name, hook)

    def flush(self, session: Session) -> None:
        hooks, self._hooks = self._hooks, {}
        for hook in hooks.values():
            hook(session)
        rows, self._rows = self._rows, {}
        self._state.clear()
        for table in sorted(rows, key=_dependency_rank):
            insert_rows(session, table, rows[table])

    def discard(self) -> None:
        self._rows.clear()
        self._hooks.clear()
        self._state.clear()


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one round trip; COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    key = [column.name for column in table.primary_key.columns]
    if key and all(name in rows[0] for name in key):
        # Concurrent transactions that lock the same keys in the same order cannot deadlock.
        rows = sorted(rows, key=itemgetter(*key))
    connection = session.connection()
    names = list(rows[0])
    first = rows[0].keys()
    uniform = all(row.keys() == first for row in rows)
    if connection.dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD or not uniform:
        session.execute(insert(table), rows)
        return
    columns = [table.c[name] for name in names]
    processors = [_copy_processor(column, connection.dialect) for column in columns]
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(table.name),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(name) for name in names),
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        proc(row[name]) if proc is not None else row[name]
                        for name, proc in zip(names, processors, strict=True)
                    ]
                )
    except psycopg.Error as error:
        # Callers handle SQLAlchemy's exceptions (IntegrityError for a unique race, ...);
        # the raw driver call must raise the same ones.
        raise DBAPIError.instance(
            f"COPY {table.name}", None, error, psycopg.Error, hide_parameters=True
        ) from error


def _copy_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(column.type, JSON):
        return lambda value: None if value is None else Json(value)
    return column.type.bind_processor(dialect)


def _dependency_rank(table: Table) -> int:
    return table.metadata.sorted_tables.index(table)


def buffer_of(session: Session) -> WriteBuffer:
    buffer = session.info.get(_KEY)
    if buffer is None:
        buffer = session.info[_KEY] = WriteBuffer()
    return buffer


def flush_buffer(session: Session) -> None:
    buffer = session.info.get(_KEY)
    if buffer is not None:
        buffer.flush(session)


def discard_buffer(session: Session) -> None:
    buffer = session.info.get(_KEY)
    if buffer is not None:
        buffer.discard()


def install_buffer(session_factory: sessionmaker[Session]) -> None:
    """Write pending rows before every commit; forget them when the transaction rolls back."""
    event.listen(session_factory, "before_commit", flush_buffer)
    event.listen(session_factory, "after_rollback", discard_buffer)
