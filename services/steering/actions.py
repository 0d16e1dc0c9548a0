"""Next best actions: recommended when a segment assignment arrives, published via the outbox;
outcomes reported back count for treatment coverage."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.steering import models
from services.steering.aggregate_writer import AggregateWriter
from services.steering.consents import ConsentStore
from services.steering.domain import actions as rules
from services.steering.strategy import active_strategy
from shared.approvals import ApprovalRefusedError
from shared.db.buffer import buffer_of
from shared.db.lookup import one_of
from shared.events import steering as contract
from shared.events.envelope import CloudEvent, new_event
from shared.events.segments import SegmentAssigned
from shared.messaging.outbox import Outbox

STATE = "steering_actions"
OPEN = ("open", "no_answer", "postponed")
A = models.actions
Row = dict[str, Any]


class _Batch:
    def __init__(self, session: Session) -> None:
        strategy = active_strategy(session)
        segments = strategy[2].segments if strategy else []
        self.treatments = {
            s.key: rules.Treatment(
                role=s.approach.role,
                communication_channel=s.treatment.communication_channel,
                offers=tuple(s.treatment.offers),
                retention_measures=tuple(s.treatment.retention_measures),
            )
            for s in segments
        }
        self.open: dict[str, set[str]] = {}


class ActionRecommender:
    def __init__(
        self, outbox: Outbox, service: str, aggregates: AggregateWriter, consents: ConsentStore
    ) -> None:
        self._outbox = outbox
        self._service = service
        self._aggregates = aggregates
        self._consents = consents

    def _batch(self, session: Session) -> _Batch:
        return buffer_of(session).state(STATE, lambda: _Batch(session))

    def prepare(self, session: Session, events: list[tuple[CloudEvent, Any]]) -> None:
        """Load the consents and open actions of every customer the batch assigns."""
        ids = {p.customer_id for _, p in events if isinstance(p, SegmentAssigned)}
        self._consents.load(session, ids)
        self._load_open(session, self._batch(session), ids)

    def _load_open(self, session: Session, batch: _Batch, customer_ids: set[str]) -> None:
        missing = sorted(cid for cid in customer_ids if cid not in batch.open)
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            batch.open.update({cid: set() for cid in chunk})
            rows = session.execute(
                select(A.c.customer_id, A.c.action_type).where(
                    one_of(session, A.c.customer_id, chunk), one_of(session, A.c.status, OPEN)
                )
            )
            for customer_id, action_type in rows:
                batch.open[customer_id].add(action_type)

    def apply_assignment(
        self, session: Session, event: CloudEvent, assigned: SegmentAssigned
    ) -> None:
        """Recommend what the rules derive, unless the same kind of action is still open."""
        batch = self._batch(session)
        self._load_open(session, batch, {assigned.customer_id})
        customer = self._aggregates.customer(session, assigned.customer_id)
        situation = rules.Situation(
            segment=assigned.strategic_segment,
            thrust=assigned.thrust,
            value_tier=assigned.value_tier,
            potential_tier=assigned.potential_tier,
            lifecycle_stage=assigned.lifecycle_stage,
            contribution_margin_3_12m=assigned.contribution_margin_3_12m,
            share_of_wallet_gap=assigned.share_of_wallet_gap,
            owner_rep=customer.owner_rep,
            consents=self._consents.consents(session, assigned.customer_id),
        )
        treatment = batch.treatments.get(assigned.strategic_segment, rules.Treatment())
        now = datetime.now(UTC)
        for proposal in rules.recommend(situation, treatment):
            if proposal.action_type in batch.open[assigned.customer_id]:
                continue
            batch.open[assigned.customer_id].add(proposal.action_type)
            self._record(session, event, assigned, proposal, owner_rep=customer.owner_rep, now=now)

    def _record(
        self,
        session: Session,
        event: CloudEvent,
        assigned: SegmentAssigned,
        proposal: rules.Proposal,
        *,
        owner_rep: str | None,
        now: datetime,
    ) -> None:
        key = f"{event.source}/{event.id}/{proposal.action_type}"
        payload = contract.ActionRecommended(
            action_id=str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
            customer_id=assigned.customer_id,
            action_type=proposal.action_type,
            title=proposal.title,
            reason=proposal.reason,
            channel=proposal.channel,
            owner_rep=owner_rep if proposal.by_owner_rep else None,
            due_at=now + timedelta(days=proposal.due_in_days),
            priority=proposal.priority,
            thrust=assigned.thrust,
            recommended_at=now,
        )
        row = payload.model_dump()
        buffer_of(session).insert(
            A,
            {
                **row,
                "segment": assigned.strategic_segment,
                "status": "open",
                "outcome_at": None,
                "outcome_by": None,
                "note": None,
            },
        )
        self._outbox.add(
            session,
            new_event(
                source=self._service,
                type="action.recommended",
                subject=assigned.customer_id,
                data=payload,
                time=now,
            ),
        )


def report_outcome(
    session: Session,
    aggregates: AggregateWriter,
    action_id: str,
    outcome: str,
    *,
    occurred_at: datetime | None,
    actor: str,
    note: str | None,
) -> Row:
    """Record an outcome; a reached customer counts as contacted in the month it happened."""
    row = session.execute(select(A).where(A.c.action_id == action_id).with_for_update()).first()
    if row is None:
        raise ApprovalRefusedError(404, f"action {action_id} does not exist")
    status = rules.next_status(row.status, outcome)
    if status is None:
        raise ApprovalRefusedError(409, f"action {action_id} is settled already ({row.status})")
    moment = (occurred_at or datetime.now(UTC)).astimezone(UTC)
    values = {"status": status, "outcome_at": moment, "outcome_by": actor, "note": note}
    session.execute(update(A).where(A.c.action_id == action_id).values(**values))
    if outcome in rules.CONTACT_OUTCOMES:
        aggregates.apply_contact(session, row.customer_id, moment)
    return {**row._mapping, **values}


def listed(
    session: Session,
    *,
    customer_id: str | None,
    rep: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[Row]:
    query = select(A).order_by(A.c.priority, A.c.due_at, A.c.action_id)
    if customer_id is not None:
        query = query.where(A.c.customer_id == customer_id)
    if rep is not None:
        query = query.where(A.c.owner_rep == rep)
    if status is not None:
        query = query.where(A.c.status == status)
    return [dict(r._mapping) for r in session.execute(query.limit(limit).offset(offset))]


def get(session: Session, action_id: str) -> Row | None:
    row = session.execute(select(A).where(A.c.action_id == action_id)).first()
    return dict(row._mapping) if row is not None else None
