"""Experience on a real database, fed through its own consumer's dispatcher."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from services.experience import handlers, models
from services.experience.bootstrap import DEFINITION, DIRECTORY
from services.experience.config_store import DefinitionsCache
from services.experience.journey_writer import JourneyWriter
from shared.db.migrations import upgrade_to_head
from shared.events.customers import (
    CustomerIdentified,
    CustomerMerged,
    CustomerRegistered,
    CustomerUnmerged,
)
from shared.events.envelope import CloudEvent, new_event
from shared.events.gdpr import CustomerErased
from shared.events.orders import OrderLine, OrderPlaced
from shared.events.segments import SegmentAssigned
from shared.events.touchpoints import TouchpointRecorded
from shared.runtime import Runtime
from tests.fixtures.dispatch import FedService


class Experience(FedService):
    def touchpoints(self, **where: Any) -> list[dict[str, Any]]:
        return sorted(self.rows(models.touchpoints, **where), key=lambda r: r["occurred_at"])

    def journeys(self, customer_id: str) -> list[dict[str, Any]]:
        rows = self.rows(models.journeys, customer_id=customer_id)
        return sorted(rows, key=lambda r: (r["started_at"], r["journey_type"]))

    def published(self, event_type: str, subject: str | None = None) -> list[dict[str, Any]]:
        found = self.rows(models.messaging.outbox, event_type=event_type)
        events = [CloudEvent.model_validate_json(bytes(row["payload"])) for row in found]
        return [e.data for e in events if subject is None or e.subject == subject]


def experience_on(database_url: str, keys_file: Path) -> Experience:
    upgrade_to_head("experience", DEFINITION.migrations_dir, database_url)
    settings = DEFINITION.settings(
        database_url=database_url,
        kafka_bootstrap_servers="127.0.0.1:9",
        api_keys_file=keys_file,
    )
    runtime = Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)
    writer = JourneyWriter(runtime.outbox, "experience", DefinitionsCache())
    return Experience(runtime, handlers.experience_handlers(runtime, DIRECTORY, writer))


def published(payload: BaseModel, event_type: str, subject: str) -> CloudEvent:
    return new_event(source="profiles", type=event_type, subject=subject, data=payload)


def registered(customer_id: str, revision: int = 1, **fields: Any) -> CloudEvent:
    values: dict[str, Any] = {"customer_id": customer_id, "revision": revision, "kind": "person"}
    values.update({"name": f"Customer {customer_id}", **fields})
    return published(CustomerRegistered(**values), "customer.registered", customer_id)


def touchpoint(
    customer_id: str | None,
    at: datetime,
    touchpoint_type: str = "website_visit",
    channel: str = "web",
    *,
    anonymous_id: str | None = None,
    **fields: Any,
) -> CloudEvent:
    payload = TouchpointRecorded(
        customer_id=customer_id,
        anonymous_id=anonymous_id,
        source_system="crm",
        channel=channel,  # type: ignore[arg-type]
        touchpoint_type=touchpoint_type,
        occurred_at=at,
        **fields,
    )
    subject = customer_id or anonymous_id
    assert subject is not None
    return published(payload, "touchpoint.recorded", subject)


def order(customer_id: str, order_id: str, at: datetime, revenue: str = "100.00") -> CloudEvent:
    payload = OrderPlaced(
        customer_id=customer_id,
        order_id=order_id,
        source_system="shop",
        channel="field_sales",
        currency="EUR",
        lines=[
            OrderLine(
                sku="a",
                category="tools",
                quantity=Decimal(1),
                net_revenue=Decimal(revenue),
                cost_of_goods=Decimal("1.00"),
            )
        ],
        ordered_at=at,
        net_revenue=Decimal(revenue),
        cost_of_goods=Decimal("1.00"),
    )
    return published(payload, "order.placed", customer_id)


def identified(anonymous_id: str, customer_id: str) -> CloudEvent:
    payload = CustomerIdentified(anonymous_id=anonymous_id, customer_id=customer_id)
    return published(payload, "customer.identified", customer_id)


def merged(survivor_id: str, *absorbed: str, merge_id: str = "m-1") -> CloudEvent:
    payload = CustomerMerged(
        survivor_id=survivor_id, absorbed_ids=list(absorbed), merge_id=merge_id, reason="same"
    )
    return published(payload, "customer.merged", survivor_id)


def unmerged(survivor_id: str, restored_id: str, merge_id: str = "m-1") -> CloudEvent:
    payload = CustomerUnmerged(survivor_id=survivor_id, restored_id=restored_id, merge_id=merge_id)
    return published(payload, "customer.unmerged", survivor_id)


def erased(customer_id: str, erasure_id: str = "er-1") -> CloudEvent:
    payload = CustomerErased(
        customer_id=customer_id, erasure_id=erasure_id, requested_at=datetime.now(UTC)
    )
    return published(payload, "customer.erased", customer_id)


def segment(customer_id: str, strategic_segment: str, margin: str = "100.00") -> CloudEvent:
    payload = SegmentAssigned(
        customer_id=customer_id,
        strategic_segment=strategic_segment,
        thrust="grow",
        value_tier="high",
        potential_tier="high",
        lifecycle_stage="loyal",
        lifecycle_reason="orders regularly",
        needs_cluster=None,
        needs_description=None,
        abc_class="A",
        revenue_12m=Decimal("1000.00"),
        contribution_margin_3_12m=Decimal(margin),
        clv=Decimal("2000.00"),
        share_of_wallet_gap=Decimal("0.00"),
        churn_risk=0.1,
        p_alive=0.9,
        reasons=[],
        changed=["strategic_segment"],
        model_version="m1",
        run_id=None,
        as_of=datetime.now(UTC),
    )
    return published(payload, "segment.assigned", customer_id)
