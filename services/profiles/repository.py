"""Queries and batched writes of profiles; services call these, never SQL of their own."""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from services.profiles.models import (
    AnonymousLink,
    Customer,
    CustomerIdentifier,
    CustomerMerge,
    CustomerReference,
    IdentityConflict,
    Order,
    OrderReturn,
)
from shared.db.buffer import insert_rows
from shared.db.lookup import one_of

CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]
REFERENCES: Table = CustomerReference.__table__  # type: ignore[assignment]
ORDERS: Table = Order.__table__  # type: ignore[assignment]
RETURNS: Table = OrderReturn.__table__  # type: ignore[assignment]
LINKS: Table = AnonymousLink.__table__  # type: ignore[assignment]
IDENTIFIERS: Table = CustomerIdentifier.__table__  # type: ignore[assignment]
CONFLICTS: Table = IdentityConflict.__table__  # type: ignore[assignment]
MERGES: Table = CustomerMerge.__table__  # type: ignore[assignment]
CHUNK = 500
MAX_MERGE_HOPS = 20

Ref = tuple[str, str]
OrderKey = tuple[str, str]
Identifier = tuple[str, str]


def reference_key(reference: Ref) -> int:
    """A signed 64-bit key of a source-system reference, for advisory locks."""
    digest = hashlib.blake2b("\x00".join(reference).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: str) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def customer_ids_by_reference(self, references: Iterable[Ref]) -> dict[Ref, str]:
        by_system: dict[str, list[str]] = {}
        for system, external_id in dict.fromkeys(references):
            by_system.setdefault(system, []).append(external_id)
        found: dict[Ref, str] = {}
        # Equality on the system plus an IN list keeps this a primary-key range scan.
        for system, external_ids in by_system.items():
            for chunk in _chunks(external_ids):
                rows = self.session.execute(
                    select(REFERENCES.c.external_id, REFERENCES.c.customer_id).where(
                        REFERENCES.c.system == system,
                        one_of(self.session, REFERENCES.c.external_id, chunk),
                    )
                )
                found.update({(system, r.external_id): r.customer_id for r in rows})
        return found

    def claim_references(self, references: Iterable[Ref]) -> bool:
        """Hold each unknown reference until commit (PostgreSQL advisory locks, in one ordered
        statement), so that two transactions never both create a customer for it: the second
        waits, then finds the first one's. False where there is nothing to claim with
        (SQLite has one writer at a time anyway)."""
        if self.session.get_bind().dialect.name != "postgresql":
            return False
        keys = sorted({reference_key(ref) for ref in references})
        if keys:
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
                {"keys": keys},
            )
        return bool(keys)

    def customer_ids_by_identifier(
        self, identifiers: Iterable[Identifier]
    ) -> dict[Identifier, set[str]]:
        """Every customer holding each of `identifiers` (kind, normalised value)."""
        by_kind: dict[str, list[str]] = {}
        for kind, value in dict.fromkeys(identifiers):
            by_kind.setdefault(kind, []).append(value)
        found: dict[Identifier, set[str]] = {}
        for kind, values in by_kind.items():
            for chunk in _chunks(values):
                rows = self.session.execute(
                    select(IDENTIFIERS.c.value, IDENTIFIERS.c.customer_id).where(
                        IDENTIFIERS.c.kind == kind,
                        one_of(self.session, IDENTIFIERS.c.value, chunk),
                    )
                )
                for r in rows:
                    found.setdefault((kind, r.value), set()).add(r.customer_id)
        return found

    def by_reference(self, reference: Ref) -> Customer | None:
        """The customer a source system's id belongs to, following merges to the survivor."""
        customer_id = self.session.scalar(
            select(REFERENCES.c.customer_id).where(
                REFERENCES.c.system == reference[0], REFERENCES.c.external_id == reference[1]
            )
        )
        customer = self.get(customer_id) if customer_id is not None else None
        # A merge moves the references to the survivor, so this loop is a safeguard; bounded
        # so that a corrupt cycle cannot hang a request.
        for _ in range(MAX_MERGE_HOPS):
            if customer is None or customer.merged_into is None:
                return customer
            customer = self.get(customer.merged_into)
        return None

    def customer_rows(
        self, customer_ids: Iterable[str], *, identity_changes: bool = False
    ) -> dict[str, dict[str, Any]]:
        """The customers' rows, locked until commit (on PostgreSQL).

        A concurrent batch updating the same customer waits and then reads this one's
        result, instead of both writing back what they read; ordered by id, so two batches
        lock in the same order. An update of attributes takes the lock that leaves readers
        of the customer's state (the parts consumer's key-share lock) alone, so the two
        never deadlock; a merge or unmerge (`identity_changes`) takes the exclusive one,
        which waits for them.
        """
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(sorted(customer_ids)):
            rows = self.session.execute(
                select(CUSTOMERS)
                .where(one_of(self.session, CUSTOMERS.c.customer_id, chunk))
                .order_by(CUSTOMERS.c.customer_id)
                .with_for_update(key_share=not identity_changes)
            )
            found.update({r.customer_id: dict(r._mapping) for r in rows})
        return found

    def references_by_customer(self, customer_ids: Iterable[str]) -> dict[str, list[Ref]]:
        found: dict[str, list[Ref]] = {}
        for chunk in _chunks(list(customer_ids)):
            rows = self.session.execute(
                select(REFERENCES.c.customer_id, REFERENCES.c.system, REFERENCES.c.external_id)
                .where(one_of(self.session, REFERENCES.c.customer_id, chunk))
                .order_by(REFERENCES.c.system, REFERENCES.c.external_id)
            )
            for r in rows:
                found.setdefault(r.customer_id, []).append((r.system, r.external_id))
        return found

    def references_of(self, customer_id: str) -> list[CustomerReference]:
        return list(
            self.session.scalars(
                select(CustomerReference)
                .where(CustomerReference.customer_id == customer_id)
                .order_by(CustomerReference.system, CustomerReference.external_id)
            )
        )

    def customer_ids_by_anonymous_id(self, anonymous_ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(list(dict.fromkeys(anonymous_ids))):
            rows = self.session.execute(
                select(LINKS.c.anonymous_id, LINKS.c.customer_id).where(
                    one_of(self.session, LINKS.c.anonymous_id, chunk)
                )
            )
            found.update({r.anonymous_id: r.customer_id for r in rows})
        return found

    def insert_customers(self, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, CUSTOMERS, rows)

    def update_customers(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = [c.name for c in CUSTOMERS.columns if c.name not in ("customer_id", "created_at")]
        self.session.execute(
            update(CUSTOMERS)
            .where(CUSTOMERS.c.customer_id == bindparam("key"))
            .values({name: bindparam(name) for name in columns}),
            [{**row, "key": row["customer_id"]} for row in rows],
        )


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def placed_times(self, keys: Iterable[OrderKey]) -> dict[OrderKey, datetime]:
        """When each stored order among `keys` was placed, by (source system, order id)."""
        by_source: dict[str, list[str]] = {}
        for source_system, order_id in dict.fromkeys(keys):
            by_source.setdefault(source_system, []).append(order_id)
        found: dict[OrderKey, datetime] = {}
        for source_system, order_ids in by_source.items():
            for chunk in _chunks(order_ids):
                rows = self.session.execute(
                    select(ORDERS.c.order_id, ORDERS.c.placed_at).where(
                        ORDERS.c.source_system == source_system,
                        one_of(self.session, ORDERS.c.order_id, chunk),
                    )
                )
                found.update({(source_system, r.order_id): r.placed_at for r in rows})
        return found

    def insert_orders(self, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, ORDERS, rows)

    def update_orders(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        keys = ("source_system", "order_id")
        columns = [c.name for c in ORDERS.columns if c.name not in keys]
        self.session.execute(
            update(ORDERS)
            .where(
                ORDERS.c.source_system == bindparam("key_source"),
                ORDERS.c.order_id == bindparam("key_order"),
            )
            .values({name: bindparam(name) for name in columns}),
            [
                {**row, "key_source": row["source_system"], "key_order": row["order_id"]}
                for row in rows
            ],
        )
