"""Orders and returns as received: stored under the sender's order id and published on."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles import domain
from services.profiles.customers import CustomerResolver, publish
from services.profiles.identity import identity_set
from services.profiles.repository import RETURNS, OrderKey, OrderRepository
from shared.db.buffer import buffer_of
from shared.events import orders
from shared.events.inbound import InboundEvent, PlacedOrder, ReturnedOrder
from shared.messaging.outbox import Outbox

AMOUNTS = ("discount", "shipping_cost", "other_direct_costs")


@dataclass
class OrderBook:
    """The orders of one unit of work: when each was placed, and the rows to write."""

    placed_at: dict[OrderKey, datetime] = field(default_factory=dict)
    looked_up: set[OrderKey] = field(default_factory=set)
    rows: dict[OrderKey, dict[str, Any]] = field(default_factory=dict)
    stored: set[OrderKey] = field(default_factory=set)

    def load(self, session: Session, keys: Iterable[OrderKey]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self.looked_up]
        if not wanted:
            return
        found = OrderRepository(session).placed_times(wanted)
        self.placed_at.update(found)
        self.stored.update(found)
        self.looked_up.update(wanted)

    def put(self, session: Session, row: dict[str, Any]) -> None:
        """Keep `row` as the order's newest version, written (once) on flush."""
        key = (row["source_system"], row["order_id"])
        self.placed_at[key] = row["placed_at"]
        self.looked_up.add(key)
        self.rows[key] = row
        # Orders refer to customers, which the identity hook writes: it must run first.
        identity_set(session).schedule(session)
        buffer_of(session).before_inserts("profiles.orders", self._write)

    def _write(self, session: Session) -> None:
        repo = OrderRepository(session)
        repo.insert_orders([row for key, row in self.rows.items() if key not in self.stored])
        repo.update_orders([row for key, row in self.rows.items() if key in self.stored])


def order_book(session: Session) -> OrderBook:
    return buffer_of(session).state("profiles.orders", OrderBook)


def _reference(data: PlacedOrder | ReturnedOrder) -> tuple[str, str]:
    return data.customer.system, data.customer.id


class OrderPlacements:
    def __init__(self, outbox: Outbox, customers: CustomerResolver) -> None:
        self._outbox = outbox
        self._customers = customers

    def prepare(self, session: Session, batch: list[tuple[InboundEvent, Any]]) -> None:
        """Load the batch's customers and the stored versions of its orders."""
        self._customers.prepare(session, [_reference(data) for _, data in batch])
        order_book(session).load(session, [(event.source, data.order_id) for event, data in batch])

    def apply(self, session: Session, event: InboundEvent, data: PlacedOrder) -> str:
        """Store the order unless a newer version is stored; publish what was stored."""
        customer_id = self._customers.resolve(session, event, _reference(data))
        book = order_book(session)
        key = (event.source, data.order_id)
        book.load(session, [key])
        if not domain.supersedes(event.time, book.placed_at.get(key)):
            return customer_id
        net_revenue, cost_of_goods = domain.totals(
            (line.net_revenue, line.cost_of_goods) for line in data.lines
        )
        lines = [line.model_dump(mode="json") for line in data.lines]
        book.put(
            session,
            {
                "source_system": event.source,
                "order_id": data.order_id,
                "customer_id": customer_id,
                "channel": data.channel,
                "currency": data.currency,
                "placed_at": event.time,
                "net_revenue": net_revenue,
                "cost_of_goods": cost_of_goods,
                **{name: getattr(data, name) for name in AMOUNTS},
                "sales_rep": data.sales_rep,
                "lines": lines,
                "as_of_event_id": event.id,
                "updated_at": datetime.now(UTC),
            },
        )
        payload = orders.OrderPlaced(
            customer_id=customer_id,
            order_id=data.order_id,
            source_system=event.source,
            channel=data.channel,
            currency=data.currency,
            lines=[orders.OrderLine.model_validate(line) for line in lines],
            **{name: getattr(data, name) for name in AMOUNTS},
            sales_rep=data.sales_rep,
            ordered_at=event.time,
            net_revenue=net_revenue,
            cost_of_goods=cost_of_goods,
        )
        publish(
            self._outbox,
            session,
            event,
            event_type="order.placed",
            subject=customer_id,
            payload=payload,
        )
        return customer_id


class OrderReturns:
    def __init__(self, outbox: Outbox, customers: CustomerResolver) -> None:
        self._outbox = outbox
        self._customers = customers

    def prepare(self, session: Session, batch: list[tuple[InboundEvent, Any]]) -> None:
        """Load the batch's customers; returns are only added, never looked up."""
        self._customers.prepare(session, [_reference(data) for _, data in batch])

    def apply(self, session: Session, event: InboundEvent, data: ReturnedOrder) -> str:
        """Store and publish the return, whether or not its order has arrived yet."""
        customer_id = self._customers.resolve(session, event, _reference(data))
        lines = (
            None if data.lines is None else [line.model_dump(mode="json") for line in data.lines]
        )
        buffer_of(session).insert(
            RETURNS,
            {
                "source_system": event.source,
                "order_id": data.order_id,
                "event_id": event.id,
                "customer_id": customer_id,
                "returned_at": event.time,
                "lines": lines,
                "amount": data.amount,
                "handling_cost": data.handling_cost,
                "received_at": datetime.now(UTC),
            },
        )
        payload = orders.OrderReturned(
            customer_id=customer_id,
            order_id=data.order_id,
            source_system=event.source,
            lines=None if lines is None else [orders.ReturnLine.model_validate(x) for x in lines],
            amount=data.amount,
            handling_cost=data.handling_cost,
            returned_at=event.time,
        )
        publish(
            self._outbox,
            session,
            event,
            event_type="order.returned",
            subject=customer_id,
            payload=payload,
        )
        return customer_id
