"""Remembering what a merge moved to the survivor, so that an unmerge can give it back.

Profiles moves back exactly what it moved (the absorbed customer's orders, returns, contacts
at the time of the merge); what arrived for the survivor in between stays with it. The
journal lets segmentation's ledger do the same.
"""

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.segmentation import ledger_store, models
from shared import order_journal

j = models.merge_journal.c


def _rows_of(session: Session, table: Any, customer_id: str) -> list[dict[str, Any]]:
    rows = session.execute(select(table).where(table.c.customer_id == customer_id))
    return [{k: v for k, v in row._mapping.items() if k != "customer_id"} for row in rows]


def record(session: Session, merge_id: str, absorbed_ids: list[str]) -> None:
    """Journal each absorbed customer's ledger rows and orders before they move."""
    for absorbed_id in sorted(set(absorbed_ids)):
        ledger = {
            table.name: _rows_of(session, table, absorbed_id) for table, _ in ledger_store.ADDITIVE
        }
        session.execute(
            delete(models.merge_journal).where(j.merge_id == merge_id, j.absorbed_id == absorbed_id)
        )
        session.execute(
            insert(models.merge_journal).values(
                merge_id=merge_id,
                absorbed_id=absorbed_id,
                ledger=ledger,
                orders=order_journal.order_keys_of(session, models.orders, absorbed_id),
            )
        )


def give_back(session: Session, merge_id: str, survivor_id: str, restored_id: str) -> bool:
    """Move what the merge took from `restored_id` back to it; False if nothing is journaled."""
    entry = session.execute(
        select(j.ledger, j.orders).where(j.merge_id == merge_id, j.absorbed_id == restored_id)
    ).first()
    if entry is None:
        return False
    for table, measures in ledger_store.ADDITIVE:
        rows = entry.ledger.get(table.name, [])
        taken = [
            {**row, "customer_id": survivor_id, **{m: -row[m] for m in measures}} for row in rows
        ]
        returned = [{**row, "customer_id": restored_id} for row in rows]
        ledger_store.add_to(session, table, measures, taken)
        ledger_store.add_to(session, table, measures, returned)
    order_journal.move_back(session, models.orders, entry.orders, survivor_id, restored_id)
    session.execute(
        delete(models.merge_journal).where(j.merge_id == merge_id, j.absorbed_id == restored_id)
    )
    return True
