"""Upserts written once for SQLite and PostgreSQL, in key order so batches cannot deadlock.

On PostgreSQL a batch is copied into a staging table and upserted from it by one statement
(shared.db.staged): an executemany runs the statement once per row.
"""

from operator import itemgetter
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.db.staged import staged_upsert_dicts

CHUNK = 500


def _insert(session: Session, table: Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _sorted(table: Table, rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    key = [column.name for column in table.primary_key.columns]
    return key, sorted(rows, key=itemgetter(*key))


def upsert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, replacing every non-key column of rows whose key exists."""
    if not rows:
        return
    key, rows = _sorted(table, rows)
    if session.get_bind().dialect.name == "postgresql":
        changed = [name for name in rows[0] if name not in key]
        staged_upsert_dicts(session, table, rows, {n: f"EXCLUDED.{n}" for n in changed})
        return
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=key,
        set_={name: statement.excluded[name] for name in rows[0] if name not in key},
    )
    session.execute(statement, rows)


def add_up(
    session: Session, table: Table, rows: list[dict[str, Any]], measures: tuple[str, ...]
) -> None:
    """Insert `rows`, adding their `measures` to those of rows whose key exists."""
    if not rows:
        return
    key, rows = _sorted(table, rows)
    if session.get_bind().dialect.name == "postgresql":
        added = {name: f"{table.name}.{name} + EXCLUDED.{name}" for name in measures}
        staged_upsert_dicts(session, table, rows, added)
        return
    for chunk in chunks(rows):
        statement = _insert(session, table)
        statement = statement.on_conflict_do_update(
            index_elements=key,
            set_={name: table.c[name] + statement.excluded[name] for name in measures},
        )
        session.execute(statement, chunk)


def lock_customers(session: Session, customer_ids: list[str]) -> None:
    """Hold each customer's lock until the transaction ends, taken in id order.

    PostgreSQL only (advisory locks): a SQLite database has one writer at a time anyway.
    """
    if session.get_bind().dialect.name != "postgresql" or not customer_ids:
        return
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(hashtextextended(c, 0)) "
            "FROM (SELECT c FROM unnest(CAST(:ids AS text[])) AS c ORDER BY c) AS ordered"
        ),
        {"ids": sorted(set(customer_ids))},
    )


def chunks(values: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
