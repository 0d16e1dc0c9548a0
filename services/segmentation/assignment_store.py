"""Storing assignments and publishing the ones that changed, in the caller's transaction."""

import math
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, Table, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.segmentation import ledger, models
from services.segmentation.domain.assignment import Assignments, ScoreChange, changed_parts
from services.segmentation.domain.model import SegmentationModel
from shared.db.buffer import insert_rows
from shared.db.lookup import one_of
from shared.events.envelope import new_event
from shared.events.segments import SegmentAssigned
from shared.messaging.outbox import Outbox

a = models.assignments.c
Identity = tuple[Any, ...]
MONEY_SCORES = ("clv", "share_of_wallet_gap")
"""Scores in currency units; margins and revenue are in ledger units."""
LEDGER_SCORES = (
    "revenue_12m",
    "contribution_margin_1_12m",
    "contribution_margin_2_12m",
    "cost_to_serve_12m",
    "contribution_margin_3_12m",
    "contribution_margin_3_lifetime",
)


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


def score_values(assignments: Assignments, index: int) -> dict[str, Any]:
    """The scores of one customer as JSON: money as decimal strings."""
    values: dict[str, Any] = {}
    for name, array in assignments.scores.items():
        value = float(array[index])
        if name in MONEY_SCORES:
            values[name] = str(Decimal(repr(round(value, 2))).quantize(Decimal("0.01")))
        elif name in LEDGER_SCORES:
            values[name] = str(ledger.amount(round(value)))
        else:
            values[name] = None if math.isnan(value) else round(value, 6)
    return values


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
        changed = 0
        records = []
        for index in rows if rows is not None else range(len(assignments)):
            customer_id = str(assignments.customer_ids[index])
            identity = assignments.identity(index)
            parts = changed_parts(before.get(customer_id), identity, score_change)
            record = self._record(
                assignments, index, model_version, run_id=run_id, as_of=as_of, now=now
            )
            records.append(record)
            if parts:
                changed += 1
                self._publish(session, record, model, parts)
        _upsert(session, records)
        return changed

    def _record(
        self,
        assignments: Assignments,
        index: int,
        model_version: str,
        *,
        run_id: str | None,
        as_of: datetime,
        now: datetime,
    ) -> dict[str, Any]:
        cluster = int(assignments.needs_cluster[index])
        risk = float(assignments.scores["churn_risk"][index])
        return {
            "customer_id": str(assignments.customer_ids[index]),
            "strategic_segment": str(assignments.strategic_segment[index]),
            "thrust": str(assignments.thrust[index]),
            "value_tier": str(assignments.value_tier[index]),
            "potential_tier": str(assignments.potential_tier[index]),
            "lifecycle_stage": str(assignments.lifecycle_stage[index]),
            "lifecycle_reason": assignments.lifecycle_reason[index],
            "needs_cluster": None if cluster < 0 else cluster,
            "abc_class": str(assignments.abc_class[index]),
            "contribution_margin_3_12m": round(
                float(assignments.scores["contribution_margin_3_12m"][index])
            ),
            "clv": round(float(assignments.scores["clv"][index]), 2),
            "churn_risk": None if math.isnan(risk) else round(risk, 6),
            "scores": score_values(assignments, index),
            "reasons": assignments.reasons[index],
            "model_version": model_version,
            "run_id": run_id,
            "as_of": as_of,
            "assigned_at": now,
        }

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


_INCOMING = Table(
    "assignments_incoming",
    MetaData(),
    *(column._copy() for column in models.assignments.columns),
    prefixes=["TEMPORARY"],
)
"""Where PostgreSQL receives a chunk of assignments by COPY before one upsert moves them."""
COPY_FROM = 500


def _upsert(session: Session, records: list[dict[str, Any]]) -> None:
    if not records:
        return
    table = models.assignments
    records.sort(key=lambda record: record["customer_id"])
    if session.get_bind().dialect.name != "postgresql" or len(records) < COPY_FROM:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        statement = insert.on_conflict_do_update(
            index_elements=["customer_id"],
            set_={c.name: insert.excluded[c.name] for c in table.columns if not c.primary_key},
        )
        session.execute(statement, records)
        return
    # An executemany of thousands of upserts costs a round trip each; COPY and one upsert don't.
    session.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS assignments_incoming "
            "(LIKE assignments) ON COMMIT DELETE ROWS"
        )
    )
    insert_rows(session, _INCOMING, records)
    columns = [c.name for c in table.columns]
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns if name != "customer_id")
    session.execute(
        text(
            f"INSERT INTO assignments ({', '.join(columns)}) "
            f"SELECT {', '.join(columns)} FROM assignments_incoming "
            f"ON CONFLICT (customer_id) DO UPDATE SET {updates}"
        )
    )
    session.execute(text("DELETE FROM assignments_incoming"))


def forget(session: Session, customer_ids: Sequence[str]) -> None:
    """Drop the assignments of customers that no longer exist on their own."""
    for chunk in _chunks(customer_ids):
        session.execute(delete(models.assignments).where(one_of(session, a.customer_id, chunk)))


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
