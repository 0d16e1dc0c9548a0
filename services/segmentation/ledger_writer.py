"""Keeps the ledger current from order, return and touchpoint events, a batch at a time.

Handlers add deltas in memory; one hook writes them before the batch commits and hands the
customers it touched to the re-scorer. A replaced order (same source system and order id)
is taken back at its stored figures and counted again, so no order is ever counted twice
and no customer's history is rescanned.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.segmentation import ledger, ledger_store, merge_journal, models
from shared.db.buffer import buffer_of
from shared.db.lookup import pair_of
from shared.events.customers import CustomerMerged, CustomerUnmerged
from shared.events.envelope import CloudEvent
from shared.events.orders import OrderPlaced, OrderReturned
from shared.events.touchpoints import TouchpointRecorded

Rescore = Callable[[Session, set[str]], None]
OrderKey = tuple[str, str]


@dataclass
class _StoredOrder:
    figures: ledger.OrderFigures
    event_time: Any
    stored: bool
    row: dict[str, Any] | None = None


@dataclass
class _Batch:
    days: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)
    categories: dict[tuple[str, int, str], dict[str, int]] = field(default_factory=dict)
    contacts: dict[tuple[str, int, str, str], dict[str, int]] = field(default_factory=dict)
    orders: dict[OrderKey, _StoredOrder | None] = field(default_factory=dict)
    latest_nps: dict[str, tuple[datetime, int]] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    def add_day(self, customer_id: str, day: int, measures: dict[str, int]) -> None:
        totals = self.days.setdefault((customer_id, day), {})
        for name, value in measures.items():
            totals[name] = totals.get(name, 0) + value
        self.touched.add(customer_id)

    def add_order(self, figures: ledger.OrderFigures, sign: int) -> None:
        self.add_day(figures.customer_id, figures.day, figures.measures(sign))
        for category, revenue in figures.categories.items():
            key = (figures.customer_id, figures.day, category)
            totals = self.categories.setdefault(key, {})
            totals["revenue"] = totals.get("revenue", 0) + sign * revenue


class LedgerWriter:
    def __init__(self, rescore: Rescore) -> None:
        self._rescore = rescore

    def _batch(self, session: Session) -> _Batch:
        buffer = buffer_of(session)
        buffer.before_inserts("segmentation_ledger", self._finish)
        return buffer.state("segmentation_ledger", _Batch)

    def prepare_orders(self, session: Session, events: list[tuple[CloudEvent, Any]]) -> None:
        """Load the stored figures of every order a batch mentions, in one query."""
        batch = self._batch(session)
        wanted = {(o.source_system, o.order_id) for _, o in events} - set(batch.orders)
        self._load_orders(session, batch, wanted)

    def _load_orders(self, session: Session, batch: _Batch, keys: set[OrderKey]) -> None:
        table = models.orders
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for key in chunk:
                batch.orders[key] = None
            rows = session.execute(
                select(table).where(
                    pair_of(session, table.c.source_system, table.c.order_id, chunk)
                )
            )
            for row in rows:
                batch.orders[(row.source_system, row.order_id)] = _StoredOrder(
                    ledger.OrderFigures(
                        customer_id=row.customer_id,
                        day=row.day,
                        channel=row.channel,
                        revenue=row.revenue,
                        cost_of_goods=row.cost_of_goods,
                        discounts=row.discounts,
                        shipping_costs=row.shipping_costs,
                        other_direct_costs=row.other_direct_costs,
                        categories=dict(row.categories),
                    ),
                    row.event_time,
                    stored=True,
                )

    def apply_order(self, session: Session, event: CloudEvent, order: OrderPlaced) -> None:
        batch = self._batch(session)
        key = (order.source_system, order.order_id)
        if key not in batch.orders:
            self._load_orders(session, batch, {key})
        previous = batch.orders[key]
        if previous is not None and event.time < previous.event_time:
            return  # an older version of an order already replaced
        figures = ledger.order_figures(order)
        if previous is not None:
            batch.add_order(previous.figures, -1)
        batch.add_order(figures, +1)
        row = {
            "source_system": order.source_system,
            "order_id": order.order_id,
            "customer_id": order.customer_id,
            "ordered_at": order.ordered_at,
            "day": figures.day,
            "channel": order.channel,
            "revenue": figures.revenue,
            "cost_of_goods": figures.cost_of_goods,
            "discounts": figures.discounts,
            "shipping_costs": figures.shipping_costs,
            "other_direct_costs": figures.other_direct_costs,
            "categories": figures.categories,
            "event_time": event.time,
        }
        stored = previous.stored if previous is not None else False
        batch.orders[key] = _StoredOrder(figures, event.time, stored=stored, row=row)

    def apply_return(self, session: Session, event: CloudEvent, returned: OrderReturned) -> None:
        day, measures = ledger.return_measures(returned)
        self._batch(session).add_day(returned.customer_id, day, measures)

    def apply_touchpoint(
        self, session: Session, event: CloudEvent, touchpoint: TouchpointRecorded
    ) -> None:
        if touchpoint.customer_id is None:
            return  # an anonymous visit costs nothing attributable until it is identified
        batch = self._batch(session)
        day, measures = ledger.touchpoint_measures(touchpoint)
        batch.add_day(touchpoint.customer_id, day, measures)
        key = (touchpoint.customer_id, day, touchpoint.channel, touchpoint.touchpoint_type)
        totals = batch.contacts.setdefault(key, {})
        totals["contacts"] = totals.get("contacts", 0) + 1
        if touchpoint.nps is not None:
            answer = (touchpoint.occurred_at, touchpoint.nps)
            known = batch.latest_nps.get(touchpoint.customer_id)
            if known is None or known[0] < answer[0]:
                batch.latest_nps[touchpoint.customer_id] = answer

    def apply_merge(self, session: Session, event: CloudEvent, merged: CustomerMerged) -> None:
        """Write what is pending, then move the absorbed customers' ledger to the survivor."""
        batch = self._batch(session)
        self._write(session, batch)
        merge_journal.record(session, merged.merge_id, merged.absorbed_ids)
        ledger_store.rekey(session, merged.absorbed_ids, merged.survivor_id)
        batch.touched.difference_update(merged.absorbed_ids)
        batch.touched.add(merged.survivor_id)

    def apply_unmerge(
        self, session: Session, event: CloudEvent, unmerged: CustomerUnmerged
    ) -> None:
        """Give the restored customer back what the merge moved to the survivor."""
        batch = self._batch(session)
        self._write(session, batch)
        restored, survivor = unmerged.restored_id, unmerged.survivor_id
        merge_journal.give_back(session, unmerged.merge_id, survivor, restored)
        batch.touched.update({restored, survivor})

    def write_pending(self, session: Session) -> None:
        """Write what the batch added so far (e.g. before an erasure deletes the customer)."""
        self._write(session, self._batch(session))

    def touch(self, session: Session, customer_ids: set[str]) -> None:
        """Have these customers re-scored when the batch ends (e.g. their snapshot changed)."""
        self._batch(session).touched.update(customer_ids)

    def _finish(self, session: Session) -> None:
        batch = buffer_of(session).state("segmentation_ledger", _Batch)
        self._write(session, batch)
        if batch.touched:
            self._rescore(session, set(batch.touched))

    def _write(self, session: Session, batch: _Batch) -> None:
        for table, deltas in (
            (models.customer_days, batch.days),
            (models.customer_categories, batch.categories),
            (models.customer_contacts, batch.contacts),
        ):
            measures = [c.name for c in table.columns if not c.primary_key]
            ledger_store.add_to(session, table, measures, ledger_store.rows_from(deltas, table))
            deltas.clear()
        ledger_store.keep_newest_nps(
            session,
            [
                {"customer_id": cid, "nps": nps, "answered_at": at}
                for cid, (at, nps) in batch.latest_nps.items()
            ],
        )
        batch.latest_nps.clear()
        changed = [o for o in batch.orders.values() if o is not None and o.row is not None]
        inserts = [o.row for o in changed if not o.stored and o.row is not None]
        updates = [o.row for o in changed if o.stored and o.row is not None]
        ledger_store.upsert_orders(session, inserts + updates)
        for stored_order in changed:
            stored_order.stored, stored_order.row = True, None
