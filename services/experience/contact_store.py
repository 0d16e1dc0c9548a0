"""The day cells of touchpoints: kept in step with the touchpoints, read by the analytics.

New touchpoints of a batch are added to their cells directly. A customer whose stored
touchpoints are about to change (a new segment or margin, a rebuild, a stitch, a merge) is
detached first: its touchpoints are subtracted from the cells as they are, and added back
as they are once the batch has changed them. Erasure keeps the counts, as anonymous ones.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from services.experience import models, store
from services.experience.domain import contact_cells
from services.experience.domain.contact_cells import CellContact, Cells
from shared.db.lookup import one_of

t = models.touchpoints.c
s = models.customer_segments.c
days = models.contact_days
months = models.contact_months


def contact_rows() -> Any:
    """Touchpoints of customers with what their cells need, the segment and margin joined."""
    return (
        select(
            t.occurred_at,
            t.journey_type,
            t.stage,
            t.channel,
            t.touchpoint_type,
            t.csat,
            t.nps,
            t.effort,
            t.cost,
            s.strategic_segment,
            s.contribution_margin_3_12m,
        )
        .select_from(
            models.touchpoints.outerjoin(models.customer_segments, s.customer_id == t.customer_id)
        )
        .where(t.customer_id.is_not(None))
    )


def cell_contact(row: Any, segment: str | None = None, margin: Any = None) -> CellContact:
    """A touchpoint row (selected by `contact_rows`, or a row dict) as a cell contact."""
    values = row if isinstance(row, dict) else row._mapping
    return CellContact(
        occurred_at=values["occurred_at"],
        journey_type=values["journey_type"],
        stage=values["stage"],
        channel=values["channel"],
        touchpoint_type=values["touchpoint_type"],
        segment=values.get("strategic_segment", segment),
        csat=values["csat"],
        nps=values["nps"],
        effort=values["effort"],
        cost=values["cost"],
        margin=values.get("contribution_margin_3_12m", margin),
    )


def customers_contacts(session: Session, customer_ids: Iterable[str]) -> list[CellContact]:
    found = []
    for chunk in store.chunks(sorted(set(customer_ids))):
        rows = session.execute(contact_rows().where(one_of(session, t.customer_id, chunk)))
        found += [cell_contact(row) for row in rows]
    return found


def add_cells(session: Session, cells: Cells) -> None:
    """Add the cells' measures to the stored day and month cells (one upsert each)."""
    kept = contact_cells.merged(cells)
    for table, grouped in (
        (days, kept),
        (months, contact_cells.merged(contact_cells.by_month(kept))),
    ):
        period = table.primary_key.columns.keys()[0]
        rows = [
            {period: key[0], **dict(zip(contact_cells.KEY[1:], key[1:], strict=True)), **cell}
            for key, cell in grouped.items()
        ]
        store.add_up(session, table, rows, contact_cells.MEASURES)


def segments_of(session: Session, customer_ids: Iterable[str]) -> dict[str, tuple[str, Any]]:
    """The strategic segment and margin of those of the customers that have a segment."""
    known: dict[str, tuple[str, Any]] = {}
    for chunk in store.chunks(sorted(set(customer_ids))):
        rows = session.execute(
            select(s.customer_id, s.strategic_segment, s.contribution_margin_3_12m).where(
                one_of(session, s.customer_id, chunk)
            )
        )
        known.update({row.customer_id: (row[1], row[2]) for row in rows})
    return known


def add_new(
    session: Session,
    rows: list[dict[str, Any]],
    detached: set[str],
    segments: dict[str, tuple[str, Any]],
) -> None:
    """Add new touchpoint rows of customers that are not detached (those come back whole).

    `segments` holds the segment and margin of (at least) these rows' customers.
    """
    mine = [r for r in rows if r["customer_id"] is not None and r["customer_id"] not in detached]
    contacts = (cell_contact(r, *segments.get(r["customer_id"], (None, None))) for r in mine)
    add_cells(session, contact_cells.add({}, contacts))


def detach(session: Session, detached: set[str], customer_ids: Iterable[str]) -> None:
    """Subtract the customers' touchpoints from the cells, unless detached already."""
    wanted = set(customer_ids) - detached
    if not wanted:
        return
    detached |= wanted
    add_cells(session, contact_cells.add({}, customers_contacts(session, wanted), sign=-1))


def attach(session: Session, detached: set[str]) -> None:
    """Add the detached customers' touchpoints, as they are now, back to the cells."""
    if detached:
        add_cells(session, contact_cells.add({}, customers_contacts(session, detached)))
        detached.clear()


def stored_cells(session: Session, table: Table, where: list[Any]) -> Cells:
    """Stored day or month cells narrowed by `where`, summed (the day of each key is None)."""
    key = [table.c[name] for name in contact_cells.KEY[1:]]
    rows = session.execute(
        select(*key, *(func.sum(table.c[name]).label(name) for name in contact_cells.MEASURES))
        .where(*where)
        .group_by(*key)
        .having(func.sum(table.c.contacts) != 0)
    )
    return {(None, *row[: len(key)]): dict(row._mapping) for row in rows}
