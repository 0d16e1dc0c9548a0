"""The orders a merge moves to the survivor, journaled so that an unmerge moves exactly those
back (what arrived for the survivor in between stays with it), for services whose `orders`
table is keyed by (source_system, order_id) and names the customer in `customer_id`."""

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from shared.db.lookup import pair_of

CHUNK = 500


def order_keys_of(session: Session, orders: Table, customer_id: str) -> list[list[str]]:
    """The customer's order keys, as the journal stores them (JSON lists)."""
    c = orders.c
    rows = session.execute(
        select(c.source_system, c.order_id)
        .where(c.customer_id == customer_id)
        .order_by(c.source_system, c.order_id)
    )
    return [[system, order_id] for system, order_id in rows]


def move_back(
    session: Session, orders: Table, keys: list[list[str]], survivor_id: str, restored_id: str
) -> None:
    """Give the journaled orders the survivor still holds back to the restored customer."""
    c = orders.c
    pairs = [(system, order_id) for system, order_id in keys]
    for start in range(0, len(pairs), CHUNK):
        session.execute(
            update(orders)
            .where(
                pair_of(session, c.source_system, c.order_id, pairs[start : start + CHUNK]),
                c.customer_id == survivor_id,
            )
            .values(customer_id=restored_id)
        )
