"""Storing assignments and publishing the ones that changed, in the caller's transaction."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.segmentation import models
from services.segmentation.assignment_rows import AssignmentRows, assignment_rows
from services.segmentation.domain.assignment import Assignments, ScoreChange, changed_parts
from services.segmentation.domain.model import SegmentationModel
from shared.db.lookup import one_of
from shared.db.staged import bound_column, staged_upsert
from shared.events.envelope import new_event
from shared.events.segments import SegmentAssigned
from shared.messaging.outbox import Outbox

a = models.assignments.c
Identity = tuple[Any, ...]


def stored_identities(
    session: Session, customer_ids: Sequence[str] | None = None
) -> dict[str, Identity]:
    """The identity parts of the stored assignments of these (or all) customers."""
    statement = select(
        a.customer_id,
        a.strategic_segment,
        a.value_tier,
        a.potential_tier,
        a.lifecycle_stage,
        a.needs_cluster,
        a.abc_class,
        a.clv,
        a.churn_risk,
    )
    found: dict[str, Identity] = {}
    if customer_ids is None:
        for row in session.execute(statement, execution_options={"yield_per": 50_000}):
            found[row[0]] = tuple(row[1:])
        return found
    for start in range(0, len(customer_ids), 500):
        chunk = list(customer_ids[start : start + 500])
        for row in session.execute(statement.where(one_of(session, a.customer_id, chunk))):
            found[row[0]] = tuple(row[1:])
    return found


class AssignmentWriter:
    """Writes a batch of assignments and stages segment.assigned for those that changed."""

    def __init__(self, outbox: Outbox, service: str) -> None:
        self._outbox = outbox
        self._service = service

    def write(
        self,
        session: Session,
        assignments: Assignments,
        model: SegmentationModel,
        *,
        before: dict[str, Identity],
        score_change: ScoreChange,
        model_version: str,
        run_id: str | None,
        as_of: datetime,
        now: datetime,
        rows: range | None = None,
    ) -> int:
        """Upsert `rows` of `assignments` (all by default); returns how many changed."""
        batch = assignment_rows(
            assignments,
            range(len(assignments)) if rows is None else rows,
            model_version=model_version,
            run_id=run_id,
            as_of=as_of,
            assigned_at=now,
        )
        changed = 0
        identities = zip(batch.columns["customer_id"], batch.identities(), strict=True)
        for index, (customer_id, identity) in enumerate(identities):
            parts = changed_parts(before.get(customer_id), identity, score_change)
            if parts:
                changed += 1
                self._publish(session, batch.record(index), model, parts)
        _upsert(session, batch)
        return changed

    def _publish(
        self, session: Session, record: dict[str, Any], model: SegmentationModel, parts: list[str]
    ) -> None:
        scores = record["scores"]
        payload = SegmentAssigned(
            customer_id=record["customer_id"],
            strategic_segment=record["strategic_segment"],
            thrust=record["thrust"],
            value_tier=record["value_tier"],
            potential_tier=record["potential_tier"],
            lifecycle_stage=record["lifecycle_stage"],
            lifecycle_reason=record["lifecycle_reason"],
            needs_cluster=record["needs_cluster"],
            needs_description=model.cluster_description(record["needs_cluster"]),
            abc_class=record["abc_class"],
            revenue_12m=Decimal(scores["revenue_12m"]),
            contribution_margin_3_12m=Decimal(scores["contribution_margin_3_12m"]),
            clv=Decimal(scores["clv"]),
            share_of_wallet_gap=Decimal(scores["share_of_wallet_gap"]),
            churn_risk=scores["churn_risk"],
            p_alive=scores["p_alive"],
            reasons=record["reasons"],
            changed=parts,
            model_version=record["model_version"],
            run_id=record["run_id"],
            as_of=record["as_of"],
        )
        event = new_event(
            source=self._service,
            type="segment.assigned",
            subject=record["customer_id"],
            data=payload,
            time=record["assigned_at"],
        )
        self._outbox.add(session, event)


COPY_FROM = 500
_UPDATED = [column.name for column in models.assignments.columns if not column.primary_key]


def _upsert(session: Session, batch: AssignmentRows) -> None:
    if not len(batch):
        return
    table = models.assignments
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql" or len(batch) < COPY_FROM:
        records = sorted(map(batch.record, range(len(batch))), key=itemgetter("customer_id"))
        insert = postgresql.insert(table) if dialect.name == "postgresql" else sqlite.insert(table)
        statement = insert.on_conflict_do_update(
            index_elements=["customer_id"],
            set_={name: insert.excluded[name] for name in _UPDATED},
        )
        session.execute(statement, records)
        return
    # An executemany of thousands of upserts costs a round trip each; COPY and one upsert
    # don't. The values go to the driver as their column types bind them, a column at a
    # time; the run's constants once.
    columns = [bound_column(session, table, name, values) for name, values in batch.columns.items()]
    fixed = tuple(
        bound_column(session, table, name, [value])[0] for name, value in batch.constants.items()
    )
    rows = [(*row, *fixed) for row in zip(*columns, strict=True)]
    names = [*batch.columns, *batch.constants]
    staged_upsert(session, table, names, rows, {name: f"EXCLUDED.{name}" for name in _UPDATED})


def forget(session: Session, customer_ids: Sequence[str]) -> None:
    """Drop the assignments of customers that no longer exist on their own."""
    for chunk in _chunks(customer_ids):
        session.execute(delete(models.assignments).where(one_of(session, a.customer_id, chunk)))


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
