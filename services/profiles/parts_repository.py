"""Queries and writes of the parts other services deliver for the 360° view."""

from collections.abc import Collection, Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import Table, and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.profiles.gdpr_models import Erasure
from services.profiles.parts_models import (
    CustomerAction,
    CustomerExperience,
    CustomerSegment,
    PublishedStrategy,
    SegmentationRun,
)
from services.profiles.repository import CUSTOMERS
from shared.db.lookup import one_of

SEGMENTS: Table = CustomerSegment.__table__  # type: ignore[assignment]
EXPERIENCES: Table = CustomerExperience.__table__  # type: ignore[assignment]
ACTIONS: Table = CustomerAction.__table__  # type: ignore[assignment]
STRATEGIES: Table = PublishedStrategy.__table__  # type: ignore[assignment]
RUNS: Table = SegmentationRun.__table__  # type: ignore[assignment]
ERASURES: Table = Erasure.__table__  # type: ignore[assignment]
PER_CUSTOMER = (SEGMENTS, EXPERIENCES, ACTIONS)
CHUNK = 500


# The strategy published last; the 360° view's statement joins it.
STRATEGY_IN_FORCE = (
    select(STRATEGIES)
    .order_by(
        STRATEGIES.c.published_at.desc(),
        STRATEGIES.c.version.desc(),
        STRATEGIES.c.event_time.desc(),
    )
    .limit(1)
)

Row = dict[str, Any]
CustomerState = Literal["active", "merged", "erased"]


def _chunks(items: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class PartsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def customer_states(self, customer_ids: Collection[str]) -> dict[str, CustomerState]:
        """Whether each known customer is active, merged away or erased; unknown ones are
        missing. The rows are key-share-locked until commit (on PostgreSQL), so a merge or
        an erasure waits for the parts written for them, and then removes those, while an
        update of the customer's attributes does not."""
        ordered = sorted(customer_ids)
        states: dict[str, CustomerState] = {}
        for chunk in _chunks(ordered):
            rows = self.session.execute(
                select(CUSTOMERS.c.customer_id, CUSTOMERS.c.merged_into)
                .where(one_of(self.session, CUSTOMERS.c.customer_id, chunk))
                .order_by(CUSTOMERS.c.customer_id)
                .with_for_update(read=True, key_share=True)
            )
            states.update({r.customer_id: "merged" if r.merged_into else "active" for r in rows})
            erased = self.session.scalars(
                select(ERASURES.c.customer_id).where(
                    one_of(self.session, ERASURES.c.customer_id, chunk)
                )
            )
            states.update(dict.fromkeys(erased, "erased"))
        return states

    def upsert_newer(self, table: Table, rows: list[Row], key: str, moment: str) -> None:
        """Insert `rows`, or replace the stored row of the same `key` when the row is at least
        as new (by `moment`, then event time and id); an older row changes nothing."""
        if not rows:
            return
        statement = _insert(self.session, table)
        new, old = statement.excluded, table.c
        newer = or_(
            new[moment] > old[moment],
            and_(new[moment] == old[moment], new.event_time > old.event_time),
            and_(
                new[moment] == old[moment],
                new.event_time == old.event_time,
                new.event_id >= old.event_id,
            ),
        )
        statement = statement.on_conflict_do_update(
            index_elements=[key],
            set_={c.name: new[c.name] for c in table.columns if c.name != key},
            where=newer,
        )
        self.session.execute(statement, sorted(rows, key=lambda row: row[key]))

    def insert_new(self, table: Table, rows: list[Row]) -> None:
        """Insert `rows`; those whose primary key is stored already change nothing."""
        if rows:
            statement = _insert(self.session, table).on_conflict_do_nothing()
            self.session.execute(statement, rows)

    def actions_of(self, customer_ids: Collection[str]) -> dict[str, list[Row]]:
        """The stored actions of each customer."""
        found: dict[str, list[Row]] = {}
        for chunk in _chunks(sorted(customer_ids)):
            rows = self.session.execute(
                select(ACTIONS).where(one_of(self.session, ACTIONS.c.customer_id, chunk))
            )
            for row in rows:
                found.setdefault(row.customer_id, []).append(dict(row._mapping))
        return found

    def delete_actions(self, action_ids: Collection[str]) -> None:
        for chunk in _chunks(sorted(action_ids)):
            self.session.execute(
                delete(ACTIONS).where(one_of(self.session, ACTIONS.c.action_id, chunk))
            )

    def forget(self, customer_ids: Collection[str]) -> None:
        """Drop every part of these customers (e.g. absorbed by a merge)."""
        for table in PER_CUSTOMER:
            for chunk in _chunks(sorted(customer_ids)):
                self.session.execute(
                    delete(table).where(one_of(self.session, table.c.customer_id, chunk))
                )

    def latest_run(self) -> Row | None:
        """The segmentation run that completed last."""
        row = self.session.execute(
            select(RUNS).order_by(RUNS.c.completed_at.desc()).limit(1)
        ).first()
        return dict(row._mapping) if row is not None else None
