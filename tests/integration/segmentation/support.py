"""Segmentation on a real database, fed through its own consumer's dispatcher."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from services.segmentation import handlers, models, run_store
from services.segmentation.assignment_store import AssignmentWriter
from services.segmentation.bootstrap import DEFINITION, DIRECTORY
from services.segmentation.ledger_writer import LedgerWriter
from services.segmentation.rescoring import ModelCache, Rescorer
from services.segmentation.runs import RunExecutor
from shared.db.migrations import upgrade_to_head
from shared.events.customers import CustomerRegistered
from shared.events.envelope import CloudEvent, new_event
from shared.events.orders import OrderLine, OrderPlaced
from shared.runtime import Runtime
from tests.fixtures.dispatch import FedService


class Segmentation(FedService):
    def run(self, as_of: datetime | None = None) -> dict[str, Any]:
        """Request, claim and execute a run; the run's row when done."""
        sessions = self.runtime.session_factory
        with sessions() as session, session.begin():
            run_store.request_run(session, trigger="api", requested_by="test", as_of=as_of)
        with sessions() as session, session.begin():
            request = run_store.claim_next(session)
        assert request is not None
        executor = RunExecutor.of(self.runtime, ModelCache())
        executor.execute(request)
        with sessions() as session:
            row = run_store.get_run(session, request.run_id)
        assert row is not None
        return row

    def published(self, event_type: str) -> list[dict[str, Any]]:
        return self.rows(models.messaging.outbox, event_type=event_type)


def segmentation_on(database_url: str, keys_file: Path) -> Segmentation:
    upgrade_to_head("segmentation", DEFINITION.migrations_dir, database_url)
    settings = DEFINITION.settings(
        database_url=database_url,
        kafka_bootstrap_servers="127.0.0.1:9",
        api_keys_file=keys_file,
    )
    runtime = Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)
    ledger = LedgerWriter(Rescorer(AssignmentWriter(runtime.outbox, "segmentation"), ModelCache()))
    return Segmentation(runtime, handlers.segmentation_handlers(runtime, DIRECTORY, ledger))


def published(
    payload: BaseModel, event_type: str, subject: str, time: datetime | None = None
) -> CloudEvent:
    return new_event(source="profiles", type=event_type, subject=subject, data=payload, time=time)


def registered(customer_id: str, **fields: Any) -> CloudEvent:
    values: dict[str, Any] = {"customer_id": customer_id, "revision": 1, "kind": "person"}
    values.update({"name": f"Customer {customer_id}", **fields})
    return published(CustomerRegistered(**values), "customer.registered", customer_id)


def order(
    customer_id: str,
    order_id: str,
    ordered_at: datetime,
    revenue: str,
    cost: str,
    *,
    event_time: datetime | None = None,
    category: str = "tools",
    **fields: Any,
) -> CloudEvent:
    payload = OrderPlaced(
        customer_id=customer_id,
        order_id=order_id,
        source_system="shop",
        channel=fields.pop("channel", "web"),
        currency="EUR",
        lines=[
            OrderLine(
                sku="a",
                category=category,
                quantity=Decimal(1),
                net_revenue=Decimal(revenue),
                cost_of_goods=Decimal(cost),
            )
        ],
        ordered_at=ordered_at,
        net_revenue=Decimal(revenue),
        cost_of_goods=Decimal(cost),
        **fields,
    )
    return published(payload, "order.placed", customer_id, event_time or datetime.now(UTC))


def population(size: int, seed: int = 1, now: datetime | None = None) -> list[CloudEvent]:
    """Registrations and three years of orders of `size` customers with their own rhythms."""
    rng = random.Random(seed)
    today = now or datetime.now(UTC)
    events: list[CloudEvent] = []
    for number in range(size):
        customer_id = f"cust-{seed}-{number:05d}"
        kind = rng.choice(["person", "organization"])
        extra = {"industry": rng.choice(["retail", "crafts"]), "size_class": "M"}
        events.append(registered(customer_id, kind=kind, **(extra if kind != "person" else {})))
        if number % 10 == 0:
            continue  # a prospect
        moment = today - timedelta(days=rng.randint(20, 1000))
        interval = rng.uniform(7, 150)
        lifetime_end = moment + timedelta(days=rng.expovariate(1 / 600))
        sequence = 0
        while moment < min(today, lifetime_end):
            revenue = rng.randint(40, 3000)
            events.append(
                order(
                    customer_id,
                    f"{customer_id}-{sequence}",
                    moment,
                    f"{revenue}.00",
                    f"{revenue * rng.uniform(0.5, 0.8):.2f}",
                    channel=rng.choice(["web", "field_sales", "store", "phone"]),
                    discount=Decimal(rng.randint(0, revenue // 10)),
                )
            )
            sequence += 1
            moment += timedelta(days=rng.expovariate(1 / interval))
    return events
