"""Erased customers and their visitors, remembered by hash so late events cannot revive them.

An erasure and the events before it travel on different partitions: a visitor's touchpoint
or identification may arrive after the customer's erasure. Such events are dropped here,
and an identification that names an erased customer erases the visitor's touchpoints too.
"""

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.experience import models, store
from shared.db.buffer import buffer_of
from shared.db.lookup import one_of

k = models.erased_keys.c
STATE = "experience_tombstones"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def erased(session: Session, keys: Iterable[str | None]) -> set[str]:
    """Which of `keys` belong to an erased customer or visitor (cached for the batch)."""
    known: dict[str, bool] = buffer_of(session).state(STATE, dict)
    wanted = sorted({key for key in keys if key} - set(known))
    for chunk in store.chunks(wanted):
        hashes = {digest(key): key for key in chunk}
        found = set(session.scalars(select(k.key_hash).where(one_of(session, k.key_hash, hashes))))
        known.update({key: hashed in found for hashed, key in hashes.items()})
    return {key for key in keys if key and known.get(key)}


def visitors_of(session: Session, customer_ids: Iterable[str]) -> set[str]:
    links = models.visitor_links.c
    ids = sorted(set(customer_ids))
    return set(
        session.scalars(select(links.anonymous_id).where(one_of(session, links.customer_id, ids)))
    )


def bury(session: Session, customer_ids: Iterable[str], visitors: Iterable[str]) -> None:
    """Remember the erased keys; delete the visitors' touchpoints no customer holds yet (those
    of the customer are the erasure's to delete and count)."""
    now = datetime.now(UTC)
    rows = {digest(c): "customer" for c in customer_ids} | {digest(v): "visitor" for v in visitors}
    known: dict[str, bool] = buffer_of(session).state(STATE, dict)
    known.update(dict.fromkeys([*customer_ids, *visitors], True))
    stored = set(session.scalars(select(k.key_hash).where(one_of(session, k.key_hash, rows))))
    fresh = [
        {"key_hash": hashed, "kind": kind, "erased_at": now}
        for hashed, kind in sorted(rows.items())
        if hashed not in stored
    ]
    if fresh:
        session.execute(models.erased_keys.insert(), fresh)
    touchpoints = models.touchpoints
    for chunk in store.chunks(sorted(set(visitors))):
        session.execute(
            delete(touchpoints).where(
                one_of(session, touchpoints.c.anonymous_id, chunk),
                touchpoints.c.customer_id.is_(None),
            )
        )
