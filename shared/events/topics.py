"""Kafka topics of the platform; every topic is keyed by customer id."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    description: str

    @property
    def dlq(self) -> str:
        return f"{self.name}.dlq"


INBOUND = Topic("cockpit.inbound.v1", "Raw events from CRM, shop and POS systems, as posted.")
CUSTOMERS = Topic("cockpit.customers.v1", "Customer registrations, updates, merges, erasure.")
ORDERS = Topic("cockpit.orders.v1", "Orders and returns as received, with resolved customer.")
TOUCHPOINTS = Topic("cockpit.touchpoints.v1", "Interactions over every channel.")
SEGMENTS = Topic("cockpit.segments.v1", "Segment assignments and segmentation runs.")
JOURNEYS = Topic("cockpit.journeys.v1", "Journey stage changes and experience summaries.")
STEERING = Topic("cockpit.steering.v1", "Published strategies, actions and KPI alerts.")

ALL_TOPICS: tuple[Topic, ...] = (
    INBOUND,
    CUSTOMERS,
    ORDERS,
    TOUCHPOINTS,
    SEGMENTS,
    JOURNEYS,
    STEERING,
)


def all_topic_names(with_dlq: bool = True) -> list[str]:
    names = [topic.name for topic in ALL_TOPICS]
    if with_dlq:
        names += [topic.dlq for topic in ALL_TOPICS]
    return names
