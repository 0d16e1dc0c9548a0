"""Touchpoint rows from the events that make them, and journeys as rows and back.

Every order is a `purchase` touchpoint and every return a `return` touchpoint: both are
contacts the customer had with the company, priced at the `return` rate for returns.
"""

from datetime import datetime
from typing import Any

from services.experience.domain.definitions import JourneyDefinition
from services.experience.domain.funnel import step_seconds
from services.experience.domain.journeys import Contact, Journey
from shared.events.envelope import CloudEvent
from shared.events.orders import OrderPlaced, OrderReturned
from shared.events.touchpoints import TouchpointRecorded

ORDER_CHANNELS = {
    "field_sales": "field_visit",
    "inside_sales": "phone",
    "marketplace": "web",
    "edi": "partner",
}
"""Order channels that are called otherwise among touchpoint channels."""

_EMPTY: dict[str, Any] = {
    "reported_stage": None,
    "direction": None,
    "csat": None,
    "nps": None,
    "effort": None,
    "outcome": None,
    "duration_seconds": None,
    "rep": None,
    "cost": None,
    "revenue": None,
    "journey_id": None,
    "journey_type": None,
    "stage": None,
}


def touchpoint_row(event: CloudEvent, touchpoint: TouchpointRecorded) -> dict[str, Any]:
    return {
        **_EMPTY,
        "touchpoint_key": f"tp:{event.id}",
        "customer_id": touchpoint.customer_id,
        "anonymous_id": touchpoint.anonymous_id,
        "occurred_at": touchpoint.occurred_at,
        "source_system": touchpoint.source_system,
        "channel": touchpoint.channel,
        "touchpoint_type": touchpoint.touchpoint_type,
        "reported_stage": touchpoint.journey_stage,
        "direction": touchpoint.direction,
        "csat": touchpoint.csat,
        "nps": touchpoint.nps,
        "effort": touchpoint.effort,
        "outcome": touchpoint.outcome,
        "duration_seconds": touchpoint.duration_seconds,
        "rep": touchpoint.rep,
        "cost": touchpoint.cost,
    }


def order_key(source_system: str, order_id: str) -> str:
    return f"order:{source_system}:{order_id}"


def purchase_row(order: OrderPlaced) -> dict[str, Any]:
    """The order as a purchase touchpoint; a replaced order keeps its key."""
    return {
        **_EMPTY,
        "touchpoint_key": order_key(order.source_system, order.order_id),
        "customer_id": order.customer_id,
        "anonymous_id": None,
        "occurred_at": order.ordered_at,
        "source_system": order.source_system,
        "channel": ORDER_CHANNELS.get(order.channel, order.channel),
        "touchpoint_type": "purchase",
        "direction": "inbound",
        "rep": order.sales_rep,
        "revenue": order.net_revenue,
    }


def return_row(event: CloudEvent, returned: OrderReturned) -> dict[str, Any]:
    return {
        **_EMPTY,
        "touchpoint_key": f"return:{event.id}",
        "customer_id": returned.customer_id,
        "anonymous_id": None,
        "occurred_at": returned.returned_at,
        "source_system": returned.source_system,
        "channel": "return",
        "touchpoint_type": "return",
        "direction": "inbound",
        "cost": returned.handling_cost,
    }


def contact_of(row: Any) -> Contact:
    """A touchpoint row (mapping or Row) as the contact journeys are built from."""
    values = row if isinstance(row, dict) else row._mapping
    return Contact(
        key=values["touchpoint_key"],
        occurred_at=values["occurred_at"],
        channel=values["channel"],
        touchpoint_type=values["touchpoint_type"],
        direction=values["direction"],
        reported_stage=values["reported_stage"],
        outcome=values["outcome"],
    )


def journey_row(
    customer_id: str, journey: Journey, definitions: tuple[JourneyDefinition, ...]
) -> dict[str, Any]:
    definition = next(d for d in definitions if d.journey_type == journey.journey_type)
    return {
        "journey_id": journey.journey_id,
        "customer_id": customer_id,
        "journey_type": journey.journey_type,
        "stage": journey.stage,
        "stage_index": definition.index(journey.stage),
        "status": journey.status,
        "started_at": journey.started_at,
        "last_contact_at": journey.last_contact_at,
        "converted_at": journey.converted_at,
        "entry_channel": journey.entry_channel,
        "channels": list(journey.channels),
        "channel_count": len(journey.channels),
        "stage_entries": [[stage, at.isoformat()] for stage, at in journey.stage_entries],
        "path": ">".join(journey.path),
        "touchpoints": journey.touchpoints,
        "contacts_to_convert": journey.contacts_to_convert,
        "first_response_at": journey.first_response_at,
        "opened_inbound": int(journey.opened_inbound),
    }


def step_rows(
    customer_id: str,
    journey: Journey,
    definitions: tuple[JourneyDefinition, ...],
    segment: str | None,
) -> list[dict[str, Any]]:
    """The journey's time from stage to stage, one row per step it took."""
    definition = next(d for d in definitions if d.journey_type == journey.journey_type)
    return [
        {
            "journey_id": journey.journey_id,
            "step_index": index,
            "customer_id": customer_id,
            "journey_type": journey.journey_type,
            "started_at": journey.started_at,
            "entry_channel": journey.entry_channel,
            "segment": segment or "",
            "seconds": seconds,
        }
        for index, seconds in step_seconds(definition.stages, journey.stage_entries).items()
    ]


def journey_of(row: Any) -> Journey:
    return Journey(
        journey_id=row.journey_id,
        journey_type=row.journey_type,
        stage=row.stage,
        status=row.status,
        started_at=row.started_at,
        last_contact_at=row.last_contact_at,
        entry_channel=row.entry_channel,
        stage_entries=[(stage, datetime.fromisoformat(at)) for stage, at in row.stage_entries],
        channels=list(row.channels),
        path=row.path.split(">") if row.path else [],
        touchpoints=row.touchpoints,
        converted_at=row.converted_at,
        contacts_to_convert=row.contacts_to_convert,
        first_response_at=row.first_response_at,
        opened_inbound=bool(row.opened_inbound),
    )
