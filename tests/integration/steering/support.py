"""Steering on a real database, fed through its own consumer's dispatcher."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from services.steering import handlers
from services.steering.bootstrap import DEFINITION, DIRECTORY
from services.steering.incentive_plans import incentive_plan_documents
from services.steering.strategy import strategy_documents
from shared.approvals import Actor
from shared.db.migrations import upgrade_to_head
from shared.events.customers import CustomerMerged, CustomerRegistered, CustomerUnmerged
from shared.events.envelope import CloudEvent, new_event
from shared.events.journeys import JourneyStageChanged
from shared.events.orders import OrderLine, OrderPlaced, OrderReturned, ReturnLine
from shared.events.segments import SegmentAssigned
from shared.events.touchpoints import TouchpointRecorded
from shared.runtime import Runtime
from tests.fixtures.dispatch import FedService
from tests.integration.steering.strategies import strategy


class Steering(FedService):
    def activate_strategy(self, **overrides: Any) -> None:
        documents = strategy_documents(self.runtime.outbox, "steering", ["sales"])
        with self.runtime.session_factory.begin() as session:
            state = documents.edit(session, "plan", strategy(**overrides), Actor("s", "sales"))
            documents.approve(session, "plan", state["draft"]["version"], Actor("s", "sales"), None)

    def activate_plan(self, plan_id: str, content: dict[str, Any]) -> None:
        documents = incentive_plan_documents(["sales"])
        with self.runtime.session_factory.begin() as session:
            state = documents.edit(session, plan_id, content, Actor("s", "sales"))
            documents.approve(
                session, plan_id, state["draft"]["version"], Actor("s", "sales"), None
            )


def steering_on(database_url: str, keys_file: Path) -> Steering:
    upgrade_to_head("steering", DEFINITION.migrations_dir, database_url)
    settings = DEFINITION.settings(
        database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9", api_keys_file=keys_file
    )
    runtime = Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)
    parts = handlers.SteeringParts(alert_check_seconds=0)
    dispatcher = handlers.steering_handlers(runtime, DIRECTORY, parts)
    return Steering(runtime, dispatcher)


def _event(
    source: str, event_type: str, subject: str, payload: Any, time: datetime | None
) -> CloudEvent:
    return new_event(source=source, type=event_type, subject=subject, data=payload, time=time)


def registered(customer_id: str, **fields: Any) -> CloudEvent:
    payload = CustomerRegistered(
        customer_id=customer_id, revision=1, kind="organization", name=customer_id, **fields
    )
    return _event("profiles", "customer.registered", customer_id, payload, None)


def merged(survivor_id: str, *absorbed: str, merge_id: str = "m-1") -> CloudEvent:
    payload = CustomerMerged(
        survivor_id=survivor_id, absorbed_ids=list(absorbed), merge_id=merge_id, reason="same"
    )
    return _event("profiles", "customer.merged", survivor_id, payload, None)


def unmerged(survivor_id: str, restored_id: str, merge_id: str = "m-1") -> CloudEvent:
    payload = CustomerUnmerged(survivor_id=survivor_id, restored_id=restored_id, merge_id=merge_id)
    return _event("profiles", "customer.unmerged", survivor_id, payload, None)


def assigned(
    customer_id: str, segment: str, value_tier: str, stage: str, **amounts: str
) -> CloudEvent:
    payload = SegmentAssigned(
        customer_id=customer_id,
        strategic_segment=segment,
        thrust=amounts.get("thrust", "grow"),
        value_tier=value_tier,  # type: ignore[arg-type]
        potential_tier=amounts.get("potential", "medium"),  # type: ignore[arg-type]
        lifecycle_stage=stage,  # type: ignore[arg-type]
        lifecycle_reason="test",
        needs_cluster=None,
        needs_description=None,
        abc_class="A",
        revenue_12m=Decimal("0"),
        contribution_margin_3_12m=Decimal(amounts.get("cm3", "0")),
        clv=Decimal(amounts.get("clv", "0")),
        share_of_wallet_gap=Decimal(amounts.get("gap", "0")),
        churn_risk=None,
        p_alive=None,
        reasons=[],
        changed=[],
        model_version="test",
        run_id=None,
        as_of=datetime.fromisoformat(amounts.get("as_of", "2025-10-01T00:00:00+00:00")),
    )
    return _event("segmentation", "segment.assigned", customer_id, payload, None)


def order(
    customer_id: str,
    order_id: str,
    at: str,
    revenue: str,
    cost: str,
    *,
    event_time: datetime | None = None,
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
                category="tools",
                quantity=Decimal(1),
                net_revenue=Decimal(revenue),
                cost_of_goods=Decimal(cost),
            )
        ],
        ordered_at=datetime.fromisoformat(at),
        net_revenue=Decimal(revenue),
        cost_of_goods=Decimal(cost),
        **fields,
    )
    return _event("profiles", "order.placed", customer_id, payload, event_time or datetime.now(UTC))


def returned(
    customer_id: str, order_id: str, at: str, credited: str, cost: str, handling: str
) -> CloudEvent:
    payload = OrderReturned(
        customer_id=customer_id,
        order_id=order_id,
        source_system="shop",
        lines=[
            ReturnLine(
                sku="a",
                quantity=Decimal(1),
                net_revenue=Decimal(credited),
                cost_of_goods=Decimal(cost),
            )
        ],
        handling_cost=Decimal(handling),
        returned_at=datetime.fromisoformat(at),
    )
    return _event("profiles", "order.returned", customer_id, payload, None)


def contact(customer_id: str, at: str, channel: str, kind: str, **fields: Any) -> CloudEvent:
    payload = TouchpointRecorded(
        customer_id=customer_id,
        source_system="crm",
        channel=channel,  # type: ignore[arg-type]
        touchpoint_type=kind,
        occurred_at=datetime.fromisoformat(at),
        **fields,
    )
    return _event("profiles", "touchpoint.recorded", customer_id, payload, None)


def journey(
    customer_id: str,
    journey_id: str,
    stage: str,
    at: str,
    status: str,
    previous_status: str | None,
) -> CloudEvent:
    """A journey.stage_changed as experience publishes it."""
    payload = JourneyStageChanged(
        customer_id=customer_id,
        journey_id=journey_id,
        journey_type="purchase",
        stage=stage,
        previous_stage=None,
        status=status,  # type: ignore[arg-type]
        previous_status=previous_status,  # type: ignore[arg-type]
        entered_at=datetime.fromisoformat(at),
        channel="web",
        touchpoint_type=None,
    )
    return _event("experience", "journey.stage_changed", customer_id, payload, None)
