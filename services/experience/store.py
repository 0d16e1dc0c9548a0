"""Upserts written once for SQLite and PostgreSQL, in key order so batches cannot deadlock."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

CHUNK = 500


def _insert(session: Session, table: Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, replacing every non-key column of rows whose key exists."""
    if not rows:
        return
    key = [column.name for column in table.primary_key.columns]
    rows = sorted(rows, key=lambda row: tuple(row[name] for name in key))
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=key,
        set_={name: statement.excluded[name] for name in rows[0] if name not in key},
    )
    session.execute(statement, rows)


def chunks(values: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
