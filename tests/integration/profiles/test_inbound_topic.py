"""The new event types posted on the inbound topic take the same path as over HTTP."""

import json
import uuid

import pytest

from services.profiles.bootstrap import build_consumers
from services.profiles.repository import LINKS, ORDERS
from shared.events import topics
from tests.fixtures.events import customer_identified, order_placed, touchpoint_recorded
from tests.fixtures.topics import produce, read_topic
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

INBOUND = topics.INBOUND.name


def test_orders_touchpoints_and_identifications_from_the_inbound_topic_are_applied(
    profiles: Profiles,
) -> None:
    run = uuid.uuid4().hex[:8]
    visitor, customer = f"visitor-{run}", f"K-{run}"
    events = [
        customer_identified(anonymous_id=visitor, external_id=customer),
        touchpoint_recorded(anonymous_id=visitor),
        order_placed(external_id=customer, order_id=f"A-{run}"),
        # Contradicts the first link: dead-lettered with its reason, the rest applied.
        customer_identified(anonymous_id=visitor, external_id=f"other-{run}"),
    ]
    produce(
        profiles.runtime.settings.kafka_bootstrap_servers,
        INBOUND,
        [(visitor, json.dumps(event).encode()) for event in events],
    )
    ids = {event["id"] for event in events}
    records = [
        r
        for r in read_topic(profiles.runtime.settings.kafka_bootstrap_servers, INBOUND)
        if json.loads(r.value)["id"] in ids
    ]
    [loop] = [c for c in build_consumers(profiles.runtime) if c.name == "profiles.inbound"]

    loop.process(records)

    [link] = profiles.rows(LINKS)
    [order] = profiles.rows(ORDERS)
    assert link["customer_id"] == order["customer_id"]
    [touchpoint] = profiles.published("touchpoint.recorded")
    assert (touchpoint.key, touchpoint.data["customer_id"]) == (order["customer_id"],) * 2
    [dead_letter] = [p for p in profiles.published() if p.topic == topics.INBOUND.dlq]
    assert "already linked" in dead_letter.headers["dlq.error"]
    assert dead_letter.key == visitor
    assert profiles.stored()["customers"] == 1
