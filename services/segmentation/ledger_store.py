"""Adding to the ledger in one statement per table, and re-keying it when customers merge.

On PostgreSQL a batch is copied into a staging table and upserted from it (shared.db.staged);
SQLite takes the rows by executemany.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import String, Table, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.segmentation import models
from shared.db.lookup import one_of
from shared.db.staged import staged_upsert_dicts

ADDITIVE: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (models.customer_days, models.DAY_MEASURES),
    (models.customer_categories, ("revenue",)),
    (models.customer_contacts, ("contacts",)),
)
"""Ledger tables keyed by customer whose other columns add up when rows meet."""
ORDER_KEY = ("source_system", "order_id")


def _insert(session: Session, table: Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _key_names(table: Table) -> list[str]:
    return [column.name for column in table.primary_key.columns]


def add_to(
    session: Session, table: Table, measures: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """Insert `rows`, adding their measures to those of existing rows with the same key."""
    if not rows:
        return
    key = _key_names(table)
    rows = sorted(rows, key=lambda row: tuple(row[name] for name in key))
    if _postgresql(session):
        added = {name: f'"{table.name}"."{name}" + excluded."{name}"' for name in measures}
        staged_upsert_dicts(session, table, rows, added)
        return
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=key,
        set_={name: table.c[name] + statement.excluded[name] for name in measures},
    )
    session.execute(statement, rows)


def rows_from(
    deltas: Mapping[tuple[Any, ...], Mapping[str, int]], table: Table
) -> list[dict[str, Any]]:
    """Delta maps keyed by primary key tuples as rows of `table`, zero measures filled in."""
    key = _key_names(table)
    measures = [c.name for c in table.columns if c.name not in key]
    rows = []
    for key_values, values in deltas.items():
        if not any(values.values()):
            continue
        row = dict(zip(key, key_values, strict=True))
        row.update({name: values.get(name, 0) for name in measures})
        rows.append(row)
    return rows


def rekey(session: Session, absorbed: Iterable[str], survivor: str) -> None:
    """Move the absorbed customers' ledger, orders and nothing else to the survivor."""
    absorbed_ids = sorted(set(absorbed) - {survivor})
    if not absorbed_ids:
        return
    for table, measures in ADDITIVE:
        key = [name for name in _key_names(table) if name != "customer_id"]
        moved = (
            select(
                literal(survivor, String(64)).label("customer_id"),
                *(table.c[name] for name in key),
                *(func.sum(table.c[name]).label(name) for name in measures),
            )
            .where(one_of(session, table.c.customer_id, absorbed_ids))
            .group_by(*(table.c[name] for name in key))
        )
        statement = _insert(session, table).from_select(["customer_id", *key, *measures], moved)
        statement = statement.on_conflict_do_update(
            index_elements=["customer_id", *key],
            set_={name: table.c[name] + statement.excluded[name] for name in measures},
        )
        session.execute(statement)
        session.execute(delete(table).where(one_of(session, table.c.customer_id, absorbed_ids)))
    session.execute(
        update(models.orders)
        .where(one_of(session, models.orders.c.customer_id, absorbed_ids))
        .values(customer_id=survivor)
    )
    n = models.latest_nps.c
    answers = session.execute(
        select(n.nps, n.answered_at).where(one_of(session, n.customer_id, absorbed_ids))
    )
    keep_newest_nps(
        session,
        [{"customer_id": survivor, "nps": nps, "answered_at": at} for nps, at in answers],
    )
    session.execute(delete(models.latest_nps).where(one_of(session, n.customer_id, absorbed_ids)))
    session.execute(
        delete(models.assignments).where(
            one_of(session, models.assignments.c.customer_id, absorbed_ids)
        )
    )


def upsert_orders(session: Session, rows: list[dict[str, Any]]) -> None:
    """Store the figures of new and replaced orders."""
    if not rows:
        return
    table = models.orders
    rows = sorted(rows, key=lambda row: (row["source_system"], row["order_id"]))
    if _postgresql(session):
        replaced = {name: f'excluded."{name}"' for name in rows[0] if name not in ORDER_KEY}
        staged_upsert_dicts(session, table, rows, replaced)
        return
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=["source_system", "order_id"],
        set_={
            column.name: statement.excluded[column.name]
            for column in table.columns
            if not column.primary_key
        },
    )
    session.execute(statement, rows)


def keep_newest_nps(session: Session, answers: list[dict[str, Any]]) -> None:
    """Store each answer unless the customer's stored one is newer."""
    table = models.latest_nps
    ordered = sorted(answers, key=lambda a: (a["customer_id"], a["answered_at"]))
    if _postgresql(session) and ordered:
        newest: dict[str, dict[str, Any]] = {}
        for answer in ordered:
            kept = newest.get(answer["customer_id"])
            if kept is None or kept["answered_at"] < answer["answered_at"]:
                newest[answer["customer_id"]] = answer
        staged_upsert_dicts(
            session,
            table,
            [{name: answer[name] for name in ordered[0]} for answer in newest.values()],
            {"nps": "excluded.nps", "answered_at": "excluded.answered_at"},
            where="latest_nps.answered_at < excluded.answered_at",
        )
        return
    for answer in ordered:
        statement = _insert(session, table).values(answer)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["customer_id"],
                set_={"nps": statement.excluded.nps, "answered_at": statement.excluded.answered_at},
                where=table.c.answered_at < statement.excluded.answered_at,
            )
        )
