"""Moving touchpoints and visitors to the survivor of a merge, and back on an unmerge.

The journal remembers exactly which touchpoints and visitors a merge moved, so an unmerge
gives the restored customer what it had; what arrived for the survivor since stays there.
"""

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from services.experience import models, store
from shared.db.lookup import one_of
from shared.events.customers import CustomerMerged

t = models.touchpoints.c
links = models.visitor_links.c
m = models.merge_journal.c


def record_and_move(session: Session, merged: CustomerMerged) -> None:
    """Journal what each absorbed customer holds, then give it to the survivor."""
    absorbed = sorted(set(merged.absorbed_ids) - {merged.survivor_id})
    for absorbed_id in absorbed:
        keys = list(session.scalars(select(t.touchpoint_key).where(t.customer_id == absorbed_id)))
        visitors = list(
            session.scalars(select(links.anonymous_id).where(links.customer_id == absorbed_id))
        )
        session.execute(
            delete(models.merge_journal).where(
                m.merge_id == merged.merge_id, m.absorbed_id == absorbed_id
            )
        )
        session.execute(
            insert(models.merge_journal).values(
                merge_id=merged.merge_id,
                absorbed_id=absorbed_id,
                touchpoint_keys=keys,
                anonymous_ids=visitors,
            )
        )
    if not absorbed:
        return
    for table in (models.touchpoints, models.visitor_links):
        session.execute(
            update(table)
            .where(one_of(session, table.c.customer_id, absorbed))
            .values(customer_id=merged.survivor_id)
        )
    session.execute(
        delete(models.customer_segments).where(
            one_of(session, models.customer_segments.c.customer_id, absorbed)
        )
    )


def give_back(session: Session, merge_id: str, survivor_id: str, restored_id: str) -> bool:
    """Move what the merge took from `restored_id` back to it; False if nothing is journaled."""
    entry = session.execute(
        select(m.touchpoint_keys, m.anonymous_ids).where(
            m.merge_id == merge_id, m.absorbed_id == restored_id
        )
    ).first()
    if entry is None:
        return False
    for table, column, values in (
        (models.touchpoints, t.touchpoint_key, entry.touchpoint_keys),
        (models.visitor_links, links.anonymous_id, entry.anonymous_ids),
    ):
        for chunk in store.chunks(sorted(values)):
            session.execute(
                update(table)
                .where(one_of(session, column, chunk), table.c.customer_id == survivor_id)
                .values(customer_id=restored_id)
            )
    session.execute(
        delete(models.merge_journal).where(m.merge_id == merge_id, m.absorbed_id == restored_id)
    )
    return True
