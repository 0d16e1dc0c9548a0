"""Queries and writes of profiles' GDPR features; the services call these, never SQL."""

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import Column, String, Table, bindparam, cast, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from services.profiles.gdpr_models import Erasure, ErasureCompletion, Suppression
from services.profiles.models import metadata
from shared.db.lookup import one_of
from shared.erasure import affected_rows

ERASURES: Table = Erasure.__table__  # type: ignore[assignment]
COMPLETIONS: Table = ErasureCompletion.__table__  # type: ignore[assignment]
SUPPRESSIONS: Table = Suppression.__table__  # type: ignore[assignment]
CHUNK = 500

Row = dict[str, Any]


def table(name: str) -> Table | None:
    """One of profiles' tables by name; None when this version of the schema lacks it."""
    return metadata.tables.get(name)


class GdprRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def rows(self, name: str, columns: Iterable[str], values: Collection[str]) -> list[Row]:
        """Rows of table `name` whose value in any of `columns` is among `values`."""
        found = table(name)
        if found is None or not values:
            return []
        condition = or_(*(one_of(self.session, found.c[c], list(values)) for c in columns))
        return [dict(r._mapping) for r in self.session.execute(select(found).where(condition))]

    def lock_customers(self, customer_ids: Collection[str]) -> list[Row]:
        """The customers, locked until commit so no concurrent batch writes to them."""
        customers = metadata.tables["customers"]
        rows = self.session.execute(
            select(customers)
            .where(one_of(self.session, customers.c.customer_id, sorted(customer_ids)))
            .order_by(customers.c.customer_id)
            .with_for_update()
        )
        return [dict(r._mapping) for r in rows]

    def absorbed_into(self, customer_ids: Collection[str]) -> list[str]:
        """Customers a merge absorbed into one of `customer_ids`."""
        customers = metadata.tables["customers"]
        if "merged_into" not in customers.c:
            return []
        return list(
            self.session.scalars(
                select(customers.c.customer_id).where(
                    one_of(self.session, customers.c.merged_into, sorted(customer_ids))
                )
            )
        )

    def cluster(self, customer_id: str) -> list[str]:
        """The customer and every customer merged into it, directly or through others."""
        cluster, frontier = [customer_id], [customer_id]
        while frontier:
            frontier = [cid for cid in self.absorbed_into(frontier) if cid not in cluster]
            cluster.extend(frontier)
        return cluster

    def delete_rows(self, name: str, columns: Iterable[str], values: Collection[str]) -> int:
        found = table(name)
        if found is None or not values:
            return 0
        condition = or_(*(one_of(self.session, found.c[c], list(values)) for c in columns))
        return affected_rows(self.session, delete(found).where(condition))

    def delete_mentioning(self, name: str, column: str, values: Collection[str]) -> int:
        """Delete rows whose JSON list `column` mentions one of `values` (a merge's absorbed
        ids): rare rows, matched on the JSON text so that every database can do it."""
        found = table(name)
        if found is None or not values:
            return 0
        text = cast(found.c[column], String)
        condition = or_(*(text.contains(f'"{value}"', autoescape=True) for value in values))
        return affected_rows(self.session, delete(found).where(condition))

    def update_customers(self, customer_ids: Collection[str], values: Mapping[str, Any]) -> int:
        customers = metadata.tables["customers"]
        statement = (
            update(customers)
            .where(one_of(self.session, customers.c.customer_id, sorted(customer_ids)))
            .values(**values, revision=customers.c.revision + 1)
        )
        return affected_rows(self.session, statement)

    def rekey_orders(self, name: str, keys: Mapping[tuple[str, str], str]) -> int:
        """Give the rows of orders or returns under (source system, order id) new order ids."""
        found = metadata.tables[name]
        if not keys:
            return 0
        statement = (
            update(found)
            .where(
                found.c.source_system == bindparam("key_source"),
                found.c.order_id == bindparam("key_order"),
            )
            .values(order_id=bindparam("new_order_id"))
        )
        parameters = [
            {"key_source": source, "key_order": order_id, "new_order_id": new}
            for (source, order_id), new in keys.items()
        ]
        self.session.execute(statement, parameters)
        return len(parameters)

    def suppressed_hashes(self, hashes: Collection[str]) -> set[str]:
        found: set[str] = set()
        ordered = sorted(hashes)
        for start in range(0, len(ordered), CHUNK):
            found.update(
                self.session.scalars(
                    select(SUPPRESSIONS.c.identifier_hash).where(
                        one_of(
                            self.session,
                            SUPPRESSIONS.c.identifier_hash,
                            ordered[start : start + CHUNK],
                        )
                    )
                )
            )
        return found

    def add(self, target: Table, rows: list[Row]) -> None:
        if rows:
            self.session.execute(insert(target), rows)

    def erasure(self, erasure_id: str) -> Row | None:
        return self._one(ERASURES, ERASURES.c.erasure_id, erasure_id)

    def erasure_of_customer(self, customer_id: str) -> Row | None:
        return self._one(ERASURES, ERASURES.c.customer_id, customer_id)

    def completions(self, erasure_id: str) -> list[Row]:
        rows = self.session.execute(
            select(COMPLETIONS)
            .where(COMPLETIONS.c.erasure_id == erasure_id)
            .order_by(COMPLETIONS.c.service)
        )
        return [dict(r._mapping) for r in rows]

    def _one(self, target: Table, column: Column[Any], value: str) -> Row | None:
        row = self.session.execute(select(target).where(column == value)).one_or_none()
        return dict(row._mapping) if row is not None else None
