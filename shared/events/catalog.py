"""The one place where event types are registered with their payload, topic and producer."""

from shared.events import (
    customers,
    gdpr,
    journeys,
    orders,
    segments,
    steering,
    topics,
    touchpoints,
)
from shared.events.registry import EventRegistry, EventType


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(
        EventType(
            name="customer.registered",
            version=1,
            payload=customers.CustomerRegistered,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="A customer became known; carries its first snapshot.",
        )
    )
    registry.register(
        EventType(
            name="customer.updated",
            version=1,
            payload=customers.CustomerUpdated,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="A known customer changed; carries the new snapshot.",
        )
    )
    registry.register(
        EventType(
            name="customer.identified",
            version=1,
            payload=customers.CustomerIdentified,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="A web or app visitor was linked to a customer; the visitor's "
            "anonymous touchpoints belong to that customer from now on.",
        )
    )
    registry.register(
        EventType(
            name="order.placed",
            version=1,
            payload=orders.OrderPlaced,
            topic=topics.ORDERS,
            producer="profiles",
            description="An order as received, with the resolved customer and revenue and "
            "cost-of-goods totals; a later event for the same source system and order id "
            "replaces the order.",
        )
    )
    registry.register(
        EventType(
            name="order.returned",
            version=1,
            payload=orders.OrderReturned,
            topic=topics.ORDERS,
            producer="profiles",
            description="Goods of an order came back (returned lines or a credited amount); "
            "an order may have several returns, and a return may precede its order.",
        )
    )
    registry.register(
        EventType(
            name="touchpoint.recorded",
            version=1,
            payload=touchpoints.TouchpointRecorded,
            topic=topics.TOUCHPOINTS,
            producer="profiles",
            description="An interaction over any channel with the resolved customer; keyed "
            "by the anonymous id while the visitor is not identified.",
        )
    )
    registry.register(
        EventType(
            name="customer.erased",
            version=1,
            payload=gdpr.CustomerErased,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="The customer's personal data was erased or anonymised in profiles; "
            "every other service deletes what it holds on the customer and confirms.",
        )
    )
    registry.register(
        EventType(
            name="erasure.completed",
            version=1,
            payload=gdpr.ErasureCompleted,
            topic=topics.CUSTOMERS,
            producer="erasure-participants",
            description="Segmentation, experience or steering completed its part of an "
            "erasure, with row counts of what it deleted and anonymised; profiles tracks the "
            "erasure's progress from these.",
        )
    )
    registry.register(
        EventType(
            name="customer.merged",
            version=1,
            payload=customers.CustomerMerged,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="Customers were merged into a survivor (keyed by the survivor); "
            "consumers re-key the absorbed customers' data to it. Each absorbed customer's "
            "snapshot with `merged_into` and the survivor's new snapshot follow as "
            "customer.updated.",
        )
    )
    registry.register(
        EventType(
            name="customer.unmerged",
            version=1,
            payload=customers.CustomerUnmerged,
            topic=topics.CUSTOMERS,
            producer="profiles",
            description="A merge was undone (keyed by the survivor); the restored customer's "
            "snapshot follows as customer.updated and brings it back.",
        )
    )
    registry.register(
        EventType(
            name="segment.assigned",
            version=1,
            payload=segments.SegmentAssigned,
            topic=topics.SEGMENTS,
            producer="segmentation",
            description="A customer's strategic segment, value or potential tier, lifecycle "
            "stage, needs cluster or ABC class changed, by a full run or by a re-score when "
            "its events arrived; carries the scores and the reasons.",
        )
    )
    registry.register(
        EventType(
            name="segmentation.run_completed",
            version=1,
            payload=segments.SegmentationRunCompleted,
            topic=topics.SEGMENTS,
            producer="segmentation",
            description="A full segmentation run finished; keyed by the run id, after the "
            "segment.assigned events of the customers it changed.",
        )
    )
    registry.register(
        EventType(
            name="strategy.published",
            version=1,
            payload=steering.StrategyPublished,
            topic=topics.STEERING,
            producer="steering",
            description="An approved version of the sales strategy became active: strategic "
            "segments with their thrust, the portfolio mapping and the cost rates that "
            "segmentation and experience apply.",
        )
    )
    registry.register(
        EventType(
            name="action.recommended",
            version=1,
            payload=steering.ActionRecommended,
            topic=topics.STEERING,
            producer="steering",
            description="A next best action for a customer (keyed by the customer), derived "
            "from its segment's treatment and its consents; profiles shows it in the view.",
        )
    )
    registry.register(
        EventType(
            name="kpi.alert",
            version=1,
            payload=steering.KpiAlert,
            topic=topics.STEERING,
            producer="steering",
            description="A KPI turned red, a high-value customer became at risk, or an "
            "unprofitable segment grew (keyed by what it concerns).",
        )
    )
    registry.register(
        EventType(
            name="journey.stage_changed",
            version=1,
            payload=journeys.JourneyStageChanged,
            topic=topics.JOURNEYS,
            producer="experience",
            description="A customer's journey entered a stage, converted or was abandoned.",
        )
    )
    registry.register(
        EventType(
            name="experience.summary_updated",
            version=1,
            payload=journeys.ExperienceSummaryUpdated,
            topic=topics.JOURNEYS,
            producer="experience",
            description="A customer's experience summary changed: journey stage, CSAT, NPS, "
            "effort, open complaints and latest contacts.",
        )
    )
    return registry


REGISTRY = build_registry()
