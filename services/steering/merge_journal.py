"""Remembering what a merge moved to the survivor, so that an unmerge can give it back.

Profiles gives a restored customer back exactly the orders it had when it was merged; what
arrived for the survivor in between stays with the survivor. Steering's orders follow the
same rule, and the restored customer's period flags (which distinct counts it is already in)
come back as they were, while the survivor keeps the union it was given.
"""

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.steering import aggregate_store, models
from shared import order_journal

j = models.merge_journal.c
p = models.customer_periods.c


def record(session: Session, merge_id: str, absorbed_ids: list[str], now: datetime) -> None:
    """Journal each absorbed customer's orders and period flags before they move."""
    for absorbed_id in sorted(set(absorbed_ids)):
        flags = session.execute(
            select(p.period, p.flags).where(p.customer_id == absorbed_id).order_by(p.period)
        )
        # A redelivered merge journals again what the absorbed customer holds at that moment.
        session.execute(
            delete(models.merge_journal).where(j.merge_id == merge_id, j.absorbed_id == absorbed_id)
        )
        session.execute(
            insert(models.merge_journal).values(
                merge_id=merge_id,
                absorbed_id=absorbed_id,
                orders=order_journal.order_keys_of(session, models.orders, absorbed_id),
                periods={period: value for period, value in flags},
                merged_at=now,
            )
        )


def give_back(session: Session, merge_id: str, survivor_id: str, restored_id: str) -> bool:
    """Move what the merge took from `restored_id` back to it; False if nothing is journaled
    (the merge came before the journal, or the unmerge was applied already)."""
    entry = session.execute(
        select(j.orders, j.periods).where(j.merge_id == merge_id, j.absorbed_id == restored_id)
    ).first()
    if entry is None:
        return False
    order_journal.move_back(session, models.orders, entry.orders, survivor_id, restored_id)
    aggregate_store.insert_missing(
        session,
        models.customer_periods,
        [
            {"customer_id": restored_id, "period": period, "flags": flags}
            for period, flags in sorted(entry.periods.items())
        ],
    )
    session.execute(
        delete(models.merge_journal).where(j.merge_id == merge_id, j.absorbed_id == restored_id)
    )
    return True
