"""Keeps touchpoints and journeys current from a consumer batch, in a few statements.

Handlers collect touchpoint rows in memory; one hook writes them before the batch commits,
advances each customer's journeys by the new contacts and publishes what changed. A customer
whose new contacts are older than its journeys' last contact (late delivery, a stitched
visitor, a merge, a replaced order) has its journeys rebuilt from all its touchpoints.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from services.experience import (
    contact_store,
    journey_replay,
    journey_store,
    merge_journal,
    models,
    store,
    summaries,
)
from services.experience.config_store import DefinitionsCache
from services.experience.contacts import (
    contact_of,
    journey_row,
    purchase_row,
    return_row,
    step_rows,
    touchpoint_row,
)
from services.experience.domain.definitions import JourneyDefinition
from services.experience.domain.journeys import Journey, JourneyBook, StageChange, in_time_order
from shared.db.buffer import buffer_of
from shared.db.lookup import one_of
from shared.events.customers import CustomerIdentified, CustomerMerged, CustomerUnmerged
from shared.events.envelope import CloudEvent
from shared.events.orders import OrderPlaced, OrderReturned
from shared.events.segments import SegmentAssigned
from shared.events.touchpoints import TouchpointRecorded
from shared.messaging.outbox import Outbox

STATE = "experience_journeys"
Clock = Callable[[], datetime]
t = models.touchpoints.c


@dataclass
class _Advanced:
    """What placing a batch's new contacts on the stored journeys gave."""

    definitions: tuple[JourneyDefinition, ...]
    now: datetime
    stored: dict[str, list[Journey]]
    """The customers' latest journey of each type."""
    segments: dict[str, tuple[str, Any]]
    journey_rows: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    changes: list[tuple[str, StageChange]] = field(default_factory=list)
    known: dict[str, list[summaries.JourneyState]] = field(default_factory=dict)
    replayed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Customers whose contacts came out of order: their contacts, to be built again."""


@dataclass
class _Batch:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, str | None] = field(default_factory=dict)
    new_links: dict[str, dict[str, Any]] = field(default_factory=dict)
    stitches: dict[str, str] = field(default_factory=dict)
    segments: dict[str, dict[str, Any]] = field(default_factory=dict)
    rebuild: set[str] = field(default_factory=set)
    detached: set[str] = field(default_factory=set)


class JourneyWriter:
    def __init__(
        self,
        outbox: Outbox,
        service: str,
        definitions: DefinitionsCache,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._outbox = outbox
        self._service = service
        self._definitions = definitions
        self._clock = clock

    def _batch(self, session: Session) -> _Batch:
        buffer = buffer_of(session)
        buffer.before_inserts(STATE, self._finish)
        return buffer.state(STATE, _Batch)

    def drop_pending(self, session: Session, customer_ids: set[str], visitors: set[str]) -> None:
        """Forget what the batch holds for customers being erased and for their visitors."""
        batch = self._batch(session)
        batch.rows = {
            key: row
            for key, row in batch.rows.items()
            if row["customer_id"] not in customer_ids and row["anonymous_id"] not in visitors
        }
        for visitor in visitors:
            batch.links.pop(visitor, None)
            batch.new_links.pop(visitor, None)
            batch.stitches.pop(visitor, None)
        batch.rebuild -= customer_ids
        batch.segments = {c: v for c, v in batch.segments.items() if c not in customer_ids}

    def write_pending(self, session: Session) -> None:
        """Write what the batch holds so far (before an erasure deletes and counts it)."""
        self._write(session, self._batch(session))

    def prepare_touchpoints(
        self, session: Session, events: list[tuple[CloudEvent, TouchpointRecorded]]
    ) -> None:
        """Load the customer links of the batch's anonymous visitors in one query."""
        self._load_links(
            session,
            self._batch(session),
            {tp.anonymous_id for _, tp in events if tp.customer_id is None and tp.anonymous_id},
        )

    def _load_links(self, session: Session, batch: _Batch, visitors: set[str]) -> None:
        wanted = sorted(v for v in visitors if v not in batch.links)
        links = models.visitor_links.c
        for chunk in store.chunks(wanted):
            for visitor in chunk:
                batch.links[visitor] = None
            rows = session.execute(
                select(links.anonymous_id, links.customer_id).where(
                    one_of(session, links.anonymous_id, chunk)
                )
            )
            batch.links.update({row.anonymous_id: row.customer_id for row in rows})

    def apply_touchpoint(
        self, session: Session, event: CloudEvent, touchpoint: TouchpointRecorded
    ) -> None:
        batch = self._batch(session)
        row = touchpoint_row(event, touchpoint)
        visitor = touchpoint.anonymous_id
        if row["customer_id"] is None and visitor is not None:
            self._load_links(session, batch, {visitor})
            row["customer_id"] = batch.links[visitor]
        batch.rows[row["touchpoint_key"]] = row

    def apply_order(self, session: Session, event: CloudEvent, order: OrderPlaced) -> None:
        row = purchase_row(order)
        self._batch(session).rows[row["touchpoint_key"]] = row

    def apply_return(self, session: Session, event: CloudEvent, returned: OrderReturned) -> None:
        row = return_row(event, returned)
        self._batch(session).rows[row["touchpoint_key"]] = row

    def apply_identified(
        self, session: Session, event: CloudEvent, identified: CustomerIdentified
    ) -> None:
        """Give the visitor's touchpoints, stored and pending, to the customer."""
        batch = self._batch(session)
        visitor, customer_id = identified.anonymous_id, identified.customer_id
        batch.links[visitor] = customer_id
        batch.new_links[visitor] = {
            "anonymous_id": visitor,
            "customer_id": customer_id,
            "linked_at": event.time,
        }
        for row in batch.rows.values():
            if row["anonymous_id"] == visitor and row["customer_id"] is None:
                row["customer_id"] = customer_id
        batch.stitches[visitor] = customer_id
        batch.rebuild.add(customer_id)

    def apply_segment(self, session: Session, event: CloudEvent, assigned: SegmentAssigned) -> None:
        batch = self._batch(session)
        known = batch.segments.get(assigned.customer_id)
        if known is not None and known["as_of"] > assigned.as_of:
            return
        batch.segments[assigned.customer_id] = {
            "customer_id": assigned.customer_id,
            "strategic_segment": assigned.strategic_segment,
            "lifecycle_stage": assigned.lifecycle_stage,
            "value_tier": assigned.value_tier,
            "contribution_margin_3_12m": assigned.contribution_margin_3_12m,
            "as_of": assigned.as_of,
        }

    def apply_merge(self, session: Session, event: CloudEvent, merged: CustomerMerged) -> None:
        """Write what is pending, then move the absorbed customers' touchpoints to the survivor."""
        batch = self._batch(session)
        self._write(session, batch)
        contact_store.detach(session, batch.detached, {merged.survivor_id, *merged.absorbed_ids})
        merge_journal.record_and_move(session, merged)
        batch.links = {v: c for v, c in batch.links.items() if c not in merged.absorbed_ids}
        batch.rebuild.update({merged.survivor_id, *merged.absorbed_ids})

    def apply_unmerge(
        self, session: Session, event: CloudEvent, unmerged: CustomerUnmerged
    ) -> None:
        """Give the restored customer back what the merge moved to the survivor."""
        batch = self._batch(session)
        self._write(session, batch)
        contact_store.detach(session, batch.detached, {unmerged.survivor_id, unmerged.restored_id})
        merge_journal.give_back(
            session, unmerged.merge_id, unmerged.survivor_id, unmerged.restored_id
        )
        batch.links.clear()
        batch.rebuild.update({unmerged.survivor_id, unmerged.restored_id})

    def _finish(self, session: Session) -> None:
        self._write(session, buffer_of(session).state(STATE, _Batch))

    def _write(self, session: Session, batch: _Batch) -> None:
        now = self._clock()
        definitions = self._definitions.current(session).definitions
        rows, batch.rows = list(batch.rows.values()), {}
        store.lock_customers(
            session,
            [
                *(row["customer_id"] for row in rows if row["customer_id"] is not None),
                *batch.rebuild,
                *batch.stitches.values(),
                *batch.segments,
            ],
        )
        contact_store.detach(
            session,
            batch.detached,
            batch.rebuild | set(batch.stitches.values()) | set(batch.segments),
        )
        store.upsert(session, models.visitor_links, list(batch.new_links.values()))
        store.upsert(session, models.customer_segments, list(batch.segments.values()))
        journey_store.resegment_steps(
            session, {c: row["strategic_segment"] for c, row in batch.segments.items()}
        )
        batch.new_links, batch.segments = {}, {}
        self._stitch(session, batch)
        self._rebuild_replaced_orders(session, batch, rows)
        contact_store.detach(session, batch.detached, batch.rebuild)
        new_contacts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            if row["customer_id"] is not None and row["customer_id"] not in batch.rebuild:
                new_contacts[row["customer_id"]].append(row)
        stored = journey_store.load_latest_journeys(session, list(new_contacts))
        segments = contact_store.segments_of(session, new_contacts)
        advanced = _Advanced(definitions, now, stored, segments)
        for customer_id, contacts in new_contacts.items():
            self._advance(batch, advanced, customer_id, contacts)
        journey_rows, steps, changes = advanced.journey_rows, advanced.steps, advanced.changes
        known, replayed = advanced.known, advanced.replayed
        contact_store.detach(session, batch.detached, batch.rebuild)
        store.upsert(session, models.touchpoints, rows)
        # The new contacts of customers whose touchpoints come back whole are not added.
        not_new = batch.detached | set(replayed)
        journey_store.write_journeys(session, journey_rows, steps)
        changes += journey_replay.replay(session, replayed, definitions, now, segments)
        rebuilt, batch.rebuild = batch.rebuild, set()
        changes += journey_store.rebuild(session, rebuilt, definitions, now)
        contact_store.attach(session, batch.detached)
        summaries.publish_changes(session, self._outbox, self._service, changes)
        summaries.publish_summaries(
            session,
            self._outbox,
            self._service,
            set(new_contacts) | rebuilt,
            now,
            known={c: states for c, states in known.items() if c not in rebuilt},
        )
        # The new contacts' cells last: every customer adds to the same day and month cells,
        # so in a batch that detaches no one (no new segment, rebuild, stitch or merge) their
        # rows are locked only for the moment before the commit, not while another worker of
        # the group waits for the rest of this batch.
        contact_store.add_new(session, rows, not_new, segments)

    def _advance(
        self,
        batch: _Batch,
        advanced: "_Advanced",
        customer_id: str,
        contacts: list[dict[str, Any]],
    ) -> None:
        """Place a customer's new contacts on its stored journeys, if they come in time
        order; else leave them to be built again."""
        definitions = advanced.definitions
        journeys = advanced.stored.get(customer_id, [])
        contacts.sort(key=lambda row: (row["occurred_at"], row["touchpoint_key"]))
        arrived = [contact_of(row) for row in contacts]
        if not in_time_order(definitions, journeys, arrived):
            # Placed by building again from the journey the earliest falls into; a
            # detached customer's touchpoints come back whole, so it is built anew.
            if customer_id in batch.detached:
                batch.rebuild.add(customer_id)
            else:
                advanced.replayed[customer_id] = contacts
            return
        book = JourneyBook(definitions, journeys)
        for row, contact in zip(contacts, arrived, strict=True):
            placed = book.add(contact)
            if placed is not None:
                journey, stage = placed
                row.update(
                    journey_id=journey.journey_id,
                    journey_type=journey.journey_type,
                    stage=stage,
                )
        book.close_lapsed(advanced.now)
        segment = advanced.segments.get(customer_id, (None, None))[0]
        for journey in book.journeys:
            if journey.journey_id in book.changed:
                advanced.journey_rows.append(journey_row(customer_id, journey, definitions))
                advanced.steps += step_rows(customer_id, journey, definitions, segment)
        advanced.changes += [(customer_id, change) for change in book.changes]
        advanced.known[customer_id] = summaries.journey_states(book.journeys)

    def _stitch(self, session: Session, batch: _Batch) -> None:
        if not batch.stitches:
            return
        session.execute(
            update(models.touchpoints)
            .where(t.anonymous_id == bindparam("visitor"), t.customer_id.is_(None))
            .values(customer_id=bindparam("customer")),
            [{"visitor": v, "customer": c} for v, c in sorted(batch.stitches.items())],
        )
        batch.stitches = {}

    def _rebuild_replaced_orders(
        self, session: Session, batch: _Batch, rows: list[dict[str, Any]]
    ) -> None:
        """A replaced order may have moved in time or to another customer: rebuild both."""
        keys = sorted(r["touchpoint_key"] for r in rows if r["touchpoint_key"].startswith("order:"))
        replaced = {r["touchpoint_key"]: r["customer_id"] for r in rows}
        for chunk in store.chunks(keys):
            for row in session.execute(
                select(t.touchpoint_key, t.customer_id).where(
                    one_of(session, t.touchpoint_key, chunk)
                )
            ):
                batch.rebuild.update(
                    c for c in (row.customer_id, replaced[row.touchpoint_key]) if c is not None
                )
