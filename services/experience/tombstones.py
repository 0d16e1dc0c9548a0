"""Erased customers and their visitors, remembered by hash so late events cannot revive them.

An erasure and the events before it travel on different partitions: a visitor's touchpoint
or identification may arrive after the customer's erasure. Such events are dropped here,
and an identification that names an erased customer erases the visitor's touchpoints too.
"""

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.experience import models, store
from shared.db.lookup import one_of
from shared.tombstones import Tombstones

TOMBSTONES = Tombstones(models.erased_keys)


def erased(session: Session, keys: Iterable[str | None]) -> set[str]:
    """Which of `keys` belong to an erased customer or visitor (cached for the batch)."""
    return TOMBSTONES.erased(session, keys)


def visitors_of(session: Session, customer_ids: Iterable[str]) -> set[str]:
    links = models.visitor_links.c
    ids = sorted(set(customer_ids))
    return set(
        session.scalars(select(links.anonymous_id).where(one_of(session, links.customer_id, ids)))
    )


def bury(session: Session, customer_ids: Iterable[str], visitors: Iterable[str]) -> None:
    """Remember the erased keys; delete the visitors' touchpoints no customer holds yet (those
    of the customer are the erasure's to delete and count)."""
    visitors = sorted(set(visitors))
    TOMBSTONES.bury(session, {"customer": customer_ids, "visitor": visitors})
    touchpoints = models.touchpoints
    for chunk in store.chunks(visitors):
        session.execute(
            delete(touchpoints).where(
                one_of(session, touchpoints.c.anonymous_id, chunk),
                touchpoints.c.customer_id.is_(None),
            )
        )
