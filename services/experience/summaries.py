"""What experience publishes: journey stage changes and each customer's experience summary.

A summary is published once per customer and batch, and only when it differs from the last
one published for the customer.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session

from services.experience import models, store
from services.experience.domain.journeys import Journey, StageChange
from shared.db.lookup import one_of
from shared.events.envelope import new_event
from shared.events.journeys import ExperienceSummaryUpdated, JourneyStageChanged
from shared.messaging.outbox import Outbox

t = models.touchpoints.c
j = models.journeys.c
d = models.summary_digests.c
RECENT_CONTACTS = 3
SUMMARY_WINDOW = timedelta(days=365)


def publish_changes(
    session: Session, outbox: Outbox, service: str, changes: list[tuple[str, StageChange]]
) -> None:
    for customer_id, change in changes:
        payload = JourneyStageChanged(customer_id=customer_id, **change.__dict__)
        outbox.add(
            session,
            new_event(
                source=f"/{service}",
                type="journey.stage_changed",
                subject=customer_id,
                data=payload,
            ),
        )


class JourneyState(NamedTuple):
    """What a customer's summary says of one of its journeys."""

    journey_type: str
    stage: str
    status: str
    last_contact_at: datetime
    path: list[str]


def journey_states(journeys: Iterable[Journey]) -> list[JourneyState]:
    return [
        JourneyState(j.journey_type, j.stage, j.status, j.last_contact_at, j.path) for j in journeys
    ]


def _recent_contacts(session: Session, customer_ids: list[str], since: datetime) -> Any:
    """Each customer's last contacts, latest first, each carrying the customer's figures of
    the window."""
    mine = t.customer_id
    recent = t.occurred_at >= since
    answered_nps = and_(recent, t.nps.is_not(None))
    ranked = select(
        t.customer_id,
        t.occurred_at,
        t.channel,
        t.touchpoint_type,
        func.row_number()
        .over(partition_by=mine, order_by=(t.occurred_at.desc(), t.touchpoint_key))
        .label("rank"),
        func.count(t.csat).filter(recent).over(partition_by=mine).label("csat_answers"),
        func.sum(t.csat).filter(recent).over(partition_by=mine).label("csat_sum"),
        func.count(t.nps).filter(recent).over(partition_by=mine).label("nps_answers"),
        func.count(t.effort).filter(recent).over(partition_by=mine).label("effort_answers"),
        func.sum(t.effort).filter(recent).over(partition_by=mine).label("effort_sum"),
        func.first_value(t.nps)
        .over(
            partition_by=mine,
            order_by=(case((answered_nps, 0), else_=1), t.occurred_at.desc(), t.touchpoint_key),
        )
        .label("first_nps"),
        func.first_value(case((answered_nps, 1), else_=0))
        .over(
            partition_by=mine,
            order_by=(case((answered_nps, 0), else_=1), t.occurred_at.desc(), t.touchpoint_key),
        )
        .label("nps_in_window"),
    ).where(one_of(session, t.customer_id, customer_ids))
    rows = ranked.subquery()
    return session.execute(
        select(rows).where(rows.c.rank <= RECENT_CONTACTS).order_by(rows.c.customer_id, rows.c.rank)
    )


def summaries(
    session: Session,
    customer_ids: list[str],
    now: datetime,
    known: Mapping[str, list[JourneyState]] | None = None,
) -> list[ExperienceSummaryUpdated]:
    """The experience summary of every customer in `customer_ids` that has touchpoints.

    One statement per chunk of customers reads their last contacts with their figures of
    the year; journeys are read only for customers whose journeys are not `known`.
    """
    since = now - SUMMARY_WINDOW
    known = known or {}
    recent: dict[str, list[Any]] = defaultdict(list)
    journeys: dict[str, list[JourneyState]] = defaultdict(list)
    for chunk in store.chunks(sorted(customer_ids)):
        for row in _recent_contacts(session, chunk, since):
            recent[row.customer_id].append(row)
        unknown = [customer_id for customer_id in chunk if customer_id not in known]
        if not unknown:
            continue
        for journey in session.execute(
            select(j.customer_id, j.journey_type, j.stage, j.status, j.last_contact_at, j.path)
            .where(one_of(session, j.customer_id, unknown))
            .order_by(j.customer_id)
        ):
            journeys[journey.customer_id].append(
                JourneyState(
                    journey.journey_type,
                    journey.stage,
                    journey.status,
                    journey.last_contact_at,
                    journey.path.split(">"),
                )
            )
    result = []
    for customer_id in sorted(recent):
        own = known[customer_id] if customer_id in known else journeys.get(customer_id, [])
        result.append(_summary(customer_id, recent[customer_id], own))
    return result


def _summary(
    customer_id: str, contacts: list[Any], own: list[JourneyState]
) -> ExperienceSummaryUpdated:
    latest = max(own, key=lambda journey: journey.last_contact_at, default=None)
    open_complaints = sum(
        1
        for journey in own
        if journey.journey_type == "service"
        and journey.status == "open"
        and "complaint" in journey.path
    )
    figures = contacts[0]
    csat_answers, effort_answers = int(figures.csat_answers), int(figures.effort_answers)
    # Validated from plain values in one go: cheaper than building each part as a model.
    return ExperienceSummaryUpdated.model_validate(
        {
            "customer_id": customer_id,
            "journey_type": latest.journey_type if latest else None,
            "journey_stage": latest.stage if latest else None,
            "journey_status": latest.status if latest else None,
            "csat_mean": float(figures.csat_sum) / csat_answers if csat_answers else None,
            "csat_answers": csat_answers,
            "last_nps": figures.first_nps if figures.nps_in_window else None,
            "nps_answers": int(figures.nps_answers),
            "effort_mean": float(figures.effort_sum) / effort_answers if effort_answers else None,
            "open_complaints": open_complaints,
            "last_contacts": [
                {
                    "occurred_at": row.occurred_at,
                    "channel": row.channel,
                    "touchpoint_type": row.touchpoint_type,
                }
                for row in contacts
            ],
            "as_of": contacts[0].occurred_at,
        }
    )


def publish_summaries(
    session: Session,
    outbox: Outbox,
    service: str,
    customer_ids: set[str],
    now: datetime,
    *,
    known: Mapping[str, list[JourneyState]] | None = None,
) -> None:
    """Publish the summaries of these customers that differ from the last ones published."""
    found = summaries(session, sorted(customer_ids), now, known)
    digests = {
        summary.customer_id: hashlib.sha256(summary.model_dump_json().encode()).hexdigest()
        for summary in found
    }
    published: dict[str, str] = {}
    for chunk in store.chunks(sorted(customer_ids)):
        rows = session.execute(
            select(d.customer_id, d.digest).where(one_of(session, d.customer_id, chunk))
        )
        published.update({row.customer_id: row.digest for row in rows})
    changed = [s for s in found if published.get(s.customer_id) != digests[s.customer_id]]
    # A customer left without touchpoints (moved away by a merge) starts afresh.
    gone = sorted(set(published) - set(digests))
    for chunk in store.chunks(gone):
        session.execute(delete(models.summary_digests).where(one_of(session, d.customer_id, chunk)))
    store.upsert(
        session,
        models.summary_digests,
        [{"customer_id": s.customer_id, "digest": digests[s.customer_id]} for s in changed],
    )
    for summary in changed:
        outbox.add(
            session,
            new_event(
                source=f"/{service}",
                type="experience.summary_updated",
                subject=summary.customer_id,
                data=summary,
            ),
        )
