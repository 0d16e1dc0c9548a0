"""The one place where event types are registered with their payload, topic and producer."""

from shared.events import customers, orders, topics, touchpoints
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
    return registry


REGISTRY = build_registry()
