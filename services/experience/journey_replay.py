"""Journeys built again from where contacts that came late fall in, not from the beginning.

History loaded in bulk brings a customer's orders and touchpoints on different topics, so a
contact often arrives after a later one of its journey type was placed. The journeys of a
type do not touch those of another, and those that started before the journey the late
contact falls into were closed before it began (that journey began anew): only that journey
and the ones after it are built again, from their stored touchpoints and the arrived ones.
The day cells take the difference of the touchpoints moved.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.experience import contact_store, models, store
from services.experience.contacts import contact_of, journey_row, step_rows
from services.experience.domain import contact_cells
from services.experience.domain.contact_cells import CellContact, Cells
from services.experience.domain.definitions import JourneyDefinition, place
from services.experience.domain.journeys import JourneyBook, StageChange
from services.experience.journey_store import (
    CONTACT_COLUMNS,
    place_touchpoints,
    write_journeys,
)
from shared.db.lookup import one_of

t = models.touchpoints.c
j = models.journeys.c
js = models.journey_steps.c


@dataclass
class _Span:
    """One customer's journeys of one type from the first one built again."""

    replaced: dict[str, tuple[str, str]] = field(default_factory=dict)
    """The stored journeys built again: id -> (stage, status) as they were."""
    since: datetime | None = None
    """Start of the first of them; None when there are none."""


def journey_type_of(definitions: tuple[JourneyDefinition, ...], row: Any) -> str | None:
    placement = place(definitions, row["touchpoint_type"], row["reported_stage"], row["outcome"])
    return placement.definition.journey_type if placement is not None else None


@dataclass
class _Result:
    journey_rows: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    placements: list[dict[str, Any]] = field(default_factory=list)
    changes: list[tuple[str, StageChange]] = field(default_factory=list)
    cells: Cells = field(default_factory=dict)


def replay(
    session: Session,
    arrived: dict[str, list[dict[str, Any]]],
    definitions: tuple[JourneyDefinition, ...],
    now: datetime,
    segments: dict[str, tuple[str, Any]],
) -> list[tuple[str, StageChange]]:
    """Place the `arrived` touchpoints (stored already, unplaced, in no day cell yet) of
    these customers, building again from the journey each falls into; what changed."""
    if not arrived:
        return []
    spans = _spans(session, arrived, definitions)
    stored = _stored_contacts(session, spans)
    result = _Result()
    for customer_id, rows in sorted(arrived.items()):
        segment, margin = segments.get(customer_id, (None, None))
        kinds = [journey_type_of(definitions, row) for row in rows]
        unplaced = [
            _cell(row, None, None, segment, margin)
            for row, kind in zip(rows, kinds, strict=True)
            if kind is None
        ]
        contact_cells.add(result.cells, unplaced)
        for journey_type, span in sorted(spans[customer_id].items()):
            new = [row for row, kind in zip(rows, kinds, strict=True) if kind == journey_type]
            contacts = [*stored[(customer_id, journey_type)], *new]
            _replay_span(
                customer_id,
                span,
                contacts,
                segment=(segment, margin),
                definitions=definitions,
                now=now,
                result=result,
            )
    replaced = [jid for types in spans.values() for s in types.values() for jid in s.replaced]
    write_journeys(session, result.journey_rows, result.steps, gone=replaced)
    place_touchpoints(session, result.placements)
    contact_store.add_cells(session, result.cells)
    return result.changes


def _replay_span(
    customer_id: str,
    span: _Span,
    contacts: list[dict[str, Any]],
    *,
    segment: tuple[str | None, Any],
    definitions: tuple[JourneyDefinition, ...],
    now: datetime,
    result: _Result,
) -> None:
    """Build one type's journeys again from the span's start."""
    segment_key, margin = segment
    book = JourneyBook(definitions)
    before = span.replaced
    for row in sorted(contacts, key=lambda r: (r["occurred_at"], r["touchpoint_key"])):
        journey, stage = book.add(contact_of(row)) or (None, None)
        placed = (journey.journey_id, journey.journey_type) if journey else (None, None)
        if row.get("stored"):
            if (row["journey_id"], row["stage"]) == (placed[0], stage):
                continue
            old = _cell(row, row["journey_type"], row["stage"], segment_key, margin)
            contact_cells.add(result.cells, [old], sign=-1)
        result.placements.append(
            {"key": row["touchpoint_key"], "journey_id": placed[0], "journey_type": placed[1]}
            | {"stage": stage}
        )
        contact_cells.add(result.cells, [_cell(row, placed[1], stage, segment_key, margin)])
    book.close_lapsed(now)
    last_change = {change.journey_id: change for change in book.changes}
    for journey in book.journeys:
        result.journey_rows.append(journey_row(customer_id, journey, definitions))
        result.steps += step_rows(customer_id, journey, definitions, segment_key)
        was = before.get(journey.journey_id)
        change = last_change.get(journey.journey_id)
        if change is not None and was != (journey.stage, journey.status):
            previous_status = was[1] if was is not None else None
            result.changes.append((customer_id, replace(change, previous_status=previous_status)))


def _spans(
    session: Session, arrived: dict[str, list[dict[str, Any]]], definitions: Any
) -> dict[str, dict[str, _Span]]:
    """Per customer and type of an arrived contact: from which journey to build again."""
    earliest: dict[str, dict[str, datetime]] = defaultdict(dict)
    for customer_id, rows in arrived.items():
        for row in rows:
            journey_type = journey_type_of(definitions, row)
            if journey_type is not None:
                seen = earliest[customer_id].get(journey_type)
                if seen is None or row["occurred_at"] < seen:
                    earliest[customer_id][journey_type] = row["occurred_at"]
    heads: dict[tuple[str, str], list[tuple[datetime, str, str, str]]] = defaultdict(list)
    for chunk in store.chunks(sorted(earliest)):
        for head in session.execute(
            select(
                j.customer_id, j.journey_type, j.started_at, j.journey_id, j.stage, j.status
            ).where(one_of(session, j.customer_id, chunk))
        ):
            key = (head.customer_id, head.journey_type)
            heads[key].append((head.started_at, head.journey_id, head.stage, head.status))
    spans: dict[str, dict[str, _Span]] = defaultdict(dict)
    for customer_id, types in earliest.items():
        for journey_type, since in types.items():
            ordered = sorted(heads.get((customer_id, journey_type), []))
            starts = [i for i, head in enumerate(ordered) if head[0] <= since]
            first = starts[-1] if starts else 0
            span = _Span(
                replaced={head[1]: (head[2], head[3]) for head in ordered[first:]},
                since=ordered[first][0] if ordered else None,
            )
            spans[customer_id][journey_type] = span
    return spans


def _stored_contacts(
    session: Session, spans: dict[str, dict[str, _Span]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The stored touchpoints of the journeys built again, by customer and type."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    starts = {
        customer_id: min(span.since for span in types.values() if span.since is not None)
        for customer_id, types in spans.items()
        if any(span.since is not None for span in types.values())
    }
    for chunk in store.chunks(sorted(starts)):
        # A journey's touchpoints are none older than its start.
        since = min(starts[customer_id] for customer_id in chunk)
        query = select(*CONTACT_COLUMNS).where(
            one_of(session, t.customer_id, chunk),
            t.occurred_at >= since,
            t.journey_id.is_not(None),
        )
        for stored in session.execute(query):
            span = spans[stored.customer_id].get(stored.journey_type)
            if span is not None and stored.journey_id in span.replaced:
                key = (stored.customer_id, stored.journey_type)
                found[key].append({**stored._mapping, "stored": True})
    return found


def _cell(
    row: dict[str, Any],
    journey_type: str | None,
    stage: str | None,
    segment: str | None,
    margin: Any,
) -> CellContact:
    return CellContact(
        occurred_at=row["occurred_at"],
        journey_type=journey_type,
        stage=stage,
        channel=row["channel"],
        touchpoint_type=row["touchpoint_type"],
        segment=segment,
        csat=row["csat"],
        nps=row["nps"],
        effort=row["effort"],
        cost=row["cost"],
        margin=margin,
    )
