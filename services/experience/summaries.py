"""What experience publishes: journey stage changes and each customer's experience summary."""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.experience import models, store
from services.experience.domain.journeys import StageChange
from shared.db.lookup import one_of
from shared.events.envelope import new_event
from shared.events.journeys import ExperienceSummaryUpdated, JourneyStageChanged, RecentContact
from shared.messaging.outbox import Outbox

t = models.touchpoints.c
j = models.journeys.c
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


def summaries(
    session: Session, customer_ids: list[str], now: datetime
) -> list[ExperienceSummaryUpdated]:
    """The experience summary of every customer in `customer_ids` that has touchpoints."""
    since = now - SUMMARY_WINDOW
    figures: dict[str, Any] = {}
    recent: dict[str, list[Any]] = defaultdict(list)
    last_nps: dict[str, tuple[datetime, int]] = {}
    journeys: dict[str, list[Any]] = defaultdict(list)
    for chunk in store.chunks(sorted(customer_ids)):
        mine = one_of(session, t.customer_id, chunk)
        for row in session.execute(
            select(
                t.customer_id,
                func.max(t.occurred_at).label("as_of"),
                func.count(t.csat).label("csat_answers"),
                func.sum(t.csat).label("csat_sum"),
                func.count(t.nps).label("nps_answers"),
                func.count(t.effort).label("effort_answers"),
                func.sum(t.effort).label("effort_sum"),
            )
            .where(mine, t.occurred_at >= since)
            .group_by(t.customer_id)
        ):
            figures[row.customer_id] = row
        ranked = select(
            t.customer_id,
            t.occurred_at,
            t.channel,
            t.touchpoint_type,
            func.row_number()
            .over(partition_by=t.customer_id, order_by=(t.occurred_at.desc(), t.touchpoint_key))
            .label("rank"),
        ).where(mine)
        recent_rows = ranked.subquery()
        for row in session.execute(
            select(recent_rows).where(recent_rows.c.rank <= RECENT_CONTACTS)
        ):
            recent[row.customer_id].append(row)
        for row in session.execute(
            select(t.customer_id, t.occurred_at, t.nps).where(
                mine, t.nps.is_not(None), t.occurred_at >= since
            )
        ):
            known = last_nps.get(row.customer_id)
            if known is None or row.occurred_at > known[0]:
                last_nps[row.customer_id] = (row.occurred_at, row.nps)
        for row in session.execute(
            select(j.customer_id, j.journey_type, j.stage, j.status, j.last_contact_at, j.path)
            .where(one_of(session, j.customer_id, chunk))
            .order_by(j.customer_id)
        ):
            journeys[row.customer_id].append(row)
    result = []
    for customer_id in sorted(set(figures) | set(recent)):
        contacts = sorted(recent[customer_id], key=lambda row: row.rank)
        if not contacts:
            continue
        result.append(_summary(customer_id, figures.get(customer_id), contacts, last_nps, journeys))
    return result


def _summary(
    customer_id: str,
    figures: Any,
    contacts: list[Any],
    last_nps: dict[str, tuple[datetime, int]],
    journeys: dict[str, list[Any]],
) -> ExperienceSummaryUpdated:
    own = journeys.get(customer_id, [])
    latest = max(own, key=lambda row: row.last_contact_at, default=None)
    open_complaints = sum(
        1
        for row in own
        if row.journey_type == "service"
        and row.status == "open"
        and "complaint" in row.path.split(">")
    )
    csat_answers = int(figures.csat_answers) if figures else 0
    effort_answers = int(figures.effort_answers) if figures else 0
    return ExperienceSummaryUpdated(
        customer_id=customer_id,
        journey_type=latest.journey_type if latest else None,
        journey_stage=latest.stage if latest else None,
        journey_status=latest.status if latest else None,
        csat_mean=float(figures.csat_sum) / csat_answers if csat_answers else None,
        csat_answers=csat_answers,
        last_nps=last_nps[customer_id][1] if customer_id in last_nps else None,
        nps_answers=int(figures.nps_answers) if figures else 0,
        effort_mean=float(figures.effort_sum) / effort_answers if effort_answers else None,
        open_complaints=open_complaints,
        last_contacts=[
            RecentContact(
                occurred_at=row.occurred_at,
                channel=row.channel,
                touchpoint_type=row.touchpoint_type,
            )
            for row in contacts
        ],
        as_of=contacts[0].occurred_at,
    )


def publish_summaries(
    session: Session, outbox: Outbox, service: str, customer_ids: set[str], now: datetime
) -> None:
    for summary in summaries(session, sorted(customer_ids), now):
        outbox.add(
            session,
            new_event(
                source=f"/{service}",
                type="experience.summary_updated",
                subject=summary.customer_id,
                data=summary,
            ),
        )
