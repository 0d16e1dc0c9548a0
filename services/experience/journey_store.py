"""Journeys and touchpoints of a set of customers: loaded, rebuilt and written in bulk."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from services.experience import contact_store, models, store
from services.experience.contacts import contact_of, journey_of, journey_row, step_rows
from services.experience.domain.definitions import JourneyDefinition
from services.experience.domain.journeys import Journey, StageChange, build_journeys
from shared.db.buffer import insert_rows
from shared.db.lookup import one_of

t = models.touchpoints.c
j = models.journeys.c
js = models.journey_steps.c
CONTACT_COLUMNS = (
    t.customer_id,
    t.touchpoint_key,
    t.occurred_at,
    t.channel,
    t.touchpoint_type,
    t.direction,
    t.reported_stage,
    t.outcome,
    t.csat,
    t.nps,
    t.effort,
    t.cost,
    t.journey_id,
    t.journey_type,
    t.stage,
)
"""A touchpoint with what its journey placement and its day cell need."""


def load_journeys(session: Session, customer_ids: list[str]) -> dict[str, list[Journey]]:
    """Every stored journey of these customers, by customer."""
    found: dict[str, list[Journey]] = defaultdict(list)
    for chunk in store.chunks(sorted(customer_ids)):
        rows = session.execute(select(models.journeys).where(one_of(session, j.customer_id, chunk)))
        for row in rows:
            found[row.customer_id].append(journey_of(row))
    return found


def load_latest_journeys(session: Session, customer_ids: list[str]) -> dict[str, list[Journey]]:
    """The latest journey of each type of these customers, by customer.

    Contacts in time order only ever advance the latest instance of a type (an older one
    was closed when the next began), so these are all a batch of new contacts needs.
    """
    rank = (
        func.row_number()
        .over(
            partition_by=(j.customer_id, j.journey_type),
            order_by=(j.started_at.desc(), j.journey_id.desc()),
        )
        .label("rank")
    )
    found: dict[str, list[Journey]] = defaultdict(list)
    for chunk in store.chunks(sorted(customer_ids)):
        ranked = (
            select(models.journeys, rank).where(one_of(session, j.customer_id, chunk)).subquery()
        )
        rows = session.execute(select(ranked).where(ranked.c.rank == 1))
        for row in rows:
            found[row.customer_id].append(journey_of(row))
    return found


def write_journeys(
    session: Session,
    rows: list[dict[str, Any]],
    steps: list[dict[str, Any]],
    gone: Iterable[str] = (),
) -> None:
    """Store the journeys and replace their steps (deleted, then written in one go each);
    the journeys `gone` are deleted with their steps."""
    ids = sorted({row["journey_id"] for row in rows} | set(gone))
    for chunk in store.chunks(ids):
        session.execute(delete(models.journeys).where(one_of(session, j.journey_id, chunk)))
        session.execute(delete(models.journey_steps).where(one_of(session, js.journey_id, chunk)))
    insert_rows(session, models.journeys, rows)
    insert_rows(session, models.journey_steps, steps)


def resegment_steps(session: Session, segments: dict[str, str]) -> None:
    """Give the customers' journey steps their new segments."""
    if segments:
        session.execute(
            update(models.journey_steps)
            .where(js.customer_id == bindparam("customer"))
            .values(segment=bindparam("new_segment")),
            [{"customer": c, "new_segment": segment} for c, segment in sorted(segments.items())],
        )


def rebuild(
    session: Session,
    customer_ids: set[str],
    definitions: tuple[JourneyDefinition, ...],
    now: datetime,
) -> list[tuple[str, StageChange]]:
    """Build these customers' journeys anew from all their touchpoints; what changed.

    A journey whose stage and status are what they were is not reported again.
    """
    if not customer_ids:
        return []
    ordered = sorted(customer_ids)
    before = {
        journey.journey_id: (journey.stage, journey.status)
        for journeys in load_journeys(session, ordered).values()
        for journey in journeys
    }
    segments = contact_store.segments_of(session, ordered)
    contacts = defaultdict(list)
    for chunk in store.chunks(ordered):
        rows = session.execute(
            select(*CONTACT_COLUMNS).where(one_of(session, t.customer_id, chunk))
        )
        for row in rows:
            contacts[row.customer_id].append(row)
    journey_rows: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    changes: list[tuple[str, StageChange]] = []
    for customer_id in ordered:
        stored = {row.touchpoint_key: row for row in contacts.get(customer_id, [])}
        book, placed = build_journeys(
            definitions, (contact_of(row) for row in stored.values()), now
        )
        journey_rows += [journey_row(customer_id, jr, definitions) for jr in book.journeys]
        segment = segments.get(customer_id, (None, None))[0]
        steps += [
            row for jr in book.journeys for row in step_rows(customer_id, jr, definitions, segment)
        ]
        types = {journey.journey_id: journey.journey_type for journey in book.journeys}
        for key, row in stored.items():
            journey_id, stage = placed.get(key, (None, None))
            if (row.journey_id, row.stage) != (journey_id, stage):
                placements.append(
                    {
                        "key": key,
                        "journey_id": journey_id,
                        "journey_type": types.get(journey_id or ""),
                        "stage": stage,
                    }
                )
        last_change = {change.journey_id: change for change in book.changes}
        for journey in book.journeys:
            was = before.get(journey.journey_id)
            if was != (journey.stage, journey.status):
                # Said against what was reported before, not within the rebuild.
                previous_status = was[1] if was is not None else None
                change = replace(last_change[journey.journey_id], previous_status=previous_status)
                changes.append((customer_id, change))
    for chunk in store.chunks(ordered):
        session.execute(delete(models.journeys).where(one_of(session, j.customer_id, chunk)))
        session.execute(delete(models.journey_steps).where(one_of(session, js.customer_id, chunk)))
    write_journeys(session, journey_rows, steps)
    place_touchpoints(session, placements)
    return changes


def place_touchpoints(session: Session, placements: list[dict[str, Any]]) -> None:
    """Give touchpoints (by key) their journey, journey type and stage."""
    if placements:
        session.execute(
            update(models.touchpoints)
            .where(t.touchpoint_key == bindparam("key"))
            .values(
                journey_id=bindparam("journey_id"),
                journey_type=bindparam("journey_type"),
                stage=bindparam("stage"),
            ),
            sorted(placements, key=lambda p: p["key"]),
        )
