"""Which events a consumer has already handled, looked up for a whole batch at once."""

from collections.abc import Iterable

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from shared.db.lookup import one_of

CHUNK = 500


def already_seen(
    session: Session, inbox: Table, consumer: str, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The (source, event id) pairs among `keys` that are in `consumer`'s inbox."""
    by_source: dict[str, list[str]] = {}
    for source, event_id in dict.fromkeys(keys):
        by_source.setdefault(source, []).append(event_id)
    seen: set[tuple[str, str]] = set()
    # One equality on source and an IN list on the id keep this an index range scan on the
    # primary key; a row-value IN makes PostgreSQL filter every row of the source instead.
    for source, event_ids in by_source.items():
        for start in range(0, len(event_ids), CHUNK):
            rows = session.execute(
                select(inbox.c.event_id).where(
                    inbox.c.consumer == consumer,
                    inbox.c.source == source,
                    one_of(session, inbox.c.event_id, event_ids[start : start + CHUNK]),
                )
            )
            seen.update((source, event_id) for (event_id,) in rows)
    return seen
