"""Queries and writes of merges, unmerges and identity conflicts."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from services.profiles.repository import (
    CONFLICTS,
    IDENTIFIERS,
    LINKS,
    MERGES,
    ORDERS,
    REFERENCES,
    RETURNS,
)
from shared.db.lookup import one_of

# What a merge moves from an absorbed customer to the survivor, by the columns naming a row.
MOVED_TABLES: dict[str, tuple[Table, tuple[str, ...]]] = {
    "references": (REFERENCES, ("system", "external_id")),
    "orders": (ORDERS, ("source_system", "order_id")),
    "returns": (RETURNS, ("source_system", "order_id", "event_id")),
    "anonymous_ids": (LINKS, ("anonymous_id",)),
}


class MergeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def keys_by_customer(self, what: str, customer_ids: Sequence[str]) -> dict[str, list[Any]]:
        """The keys of the `what` (see MOVED_TABLES) rows of each customer."""
        table, key = MOVED_TABLES[what]
        rows = self.session.execute(
            select(table.c.customer_id, *(table.c[name] for name in key))
            .where(one_of(self.session, table.c.customer_id, customer_ids))
            .order_by(*(table.c[name] for name in key))
        )
        found: dict[str, list[Any]] = {cid: [] for cid in customer_ids}
        for row in rows:
            values = list(row[1:])
            found[row.customer_id].append(values[0] if len(key) == 1 else values)
        return found

    def identifiers_by_customer(self, customer_ids: Sequence[str]) -> dict[str, list[list[str]]]:
        rows = self.session.execute(
            select(IDENTIFIERS.c.customer_id, IDENTIFIERS.c.kind, IDENTIFIERS.c.value)
            .where(one_of(self.session, IDENTIFIERS.c.customer_id, customer_ids))
            .order_by(IDENTIFIERS.c.kind, IDENTIFIERS.c.value)
        )
        found: dict[str, list[list[str]]] = {cid: [] for cid in customer_ids}
        for row in rows:
            found[row.customer_id].append([row.kind, row.value])
        return found

    def move_all(self, what: str, from_ids: Sequence[str], to_id: str) -> None:
        """Give every `what` row of the customers `from_ids` to `to_id`."""
        table, _ = MOVED_TABLES[what]
        self.session.execute(
            update(table)
            .where(one_of(self.session, table.c.customer_id, from_ids))
            .values(customer_id=to_id)
        )

    def move_back(self, what: str, keys: Sequence[Any], from_id: str, to_id: str) -> None:
        """Give the `what` rows named by `keys` that `from_id` holds back to `to_id`."""
        if not keys:
            return
        table, key = MOVED_TABLES[what]
        rows = [dict(zip(key, k if len(key) > 1 else [k], strict=True)) for k in keys]
        self.session.execute(
            update(table)
            .where(
                and_(*(table.c[name] == bindparam(f"k_{name}") for name in key)),
                table.c.customer_id == from_id,
            )
            .values(customer_id=to_id),
            [{f"k_{name}": value for name, value in row.items()} for row in rows],
        )

    def add_identifiers(
        self, customer_id: str, identifiers: Iterable[Sequence[str]], now: datetime
    ) -> None:
        rows = [
            {"kind": kind, "value": value, "customer_id": customer_id, "created_at": now}
            for kind, value in identifiers
        ]
        if rows:
            self.session.execute(insert(IDENTIFIERS), rows)

    def remove_identifiers(
        self, customer_id: str, identifiers: Iterable[Sequence[str]] | None = None
    ) -> None:
        """Remove `identifiers` (all when None) from the customer's index."""
        condition = IDENTIFIERS.c.customer_id == customer_id
        if identifiers is None:
            self.session.execute(delete(IDENTIFIERS).where(condition))
            return
        rows = [{"k_kind": kind, "k_value": value} for kind, value in identifiers]
        if rows:
            self.session.execute(
                delete(IDENTIFIERS).where(
                    condition,
                    IDENTIFIERS.c.kind == bindparam("k_kind"),
                    IDENTIFIERS.c.value == bindparam("k_value"),
                ),
                rows,
            )

    def insert_merge(self, row: dict[str, Any]) -> None:
        self.session.execute(insert(MERGES), [row])

    def merge(self, merge_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(MERGES).where(MERGES.c.id == merge_id)
        row = self.session.execute(query.with_for_update() if lock else query).one_or_none()
        return dict(row._mapping) if row is not None else None

    def merges_into(self, survivor_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(MERGES).where(MERGES.c.survivor_id == survivor_id).order_by(MERGES.c.id.desc())
        )
        return [dict(row._mapping) for row in rows]

    def mark_undone(self, merge_id: str, *, at: datetime, by: str, reason: str) -> None:
        self.session.execute(
            update(MERGES)
            .where(MERGES.c.id == merge_id)
            .values(undone_at=at, undone_by=by, undo_reason=reason)
        )

    def resolve_conflicts_among(
        self, customer_ids: Sequence[str], *, at: datetime, resolution: str
    ) -> None:
        """Close the open conflicts between any two of `customer_ids`."""
        self.session.execute(
            update(CONFLICTS)
            .where(
                CONFLICTS.c.status == "open",
                one_of(self.session, CONFLICTS.c.customer_id, customer_ids),
                one_of(self.session, CONFLICTS.c.existing_customer_id, customer_ids),
            )
            .values(status="resolved", resolved_at=at, resolution=resolution)
        )

    def conflicts(self, status: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        query = select(CONFLICTS).where(CONFLICTS.c.status == status)
        if after is not None:
            query = query.where(CONFLICTS.c.id > after)
        rows = self.session.execute(query.order_by(CONFLICTS.c.id).limit(limit))
        return [dict(row._mapping) for row in rows]

    def conflict(self, conflict_id: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(CONFLICTS).where(CONFLICTS.c.id == conflict_id).with_for_update()
        ).one_or_none()
        return dict(row._mapping) if row is not None else None

    def resolve_conflict(self, conflict_id: str, *, at: datetime, resolution: str) -> None:
        self.session.execute(
            update(CONFLICTS)
            .where(CONFLICTS.c.id == conflict_id)
            .values(status="resolved", resolved_at=at, resolution=resolution)
        )
