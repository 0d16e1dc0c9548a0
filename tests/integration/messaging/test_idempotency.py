"""The same event, posted twice or delivered twice, has one effect."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.profiles.models import Customer
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.broker import EmbeddedBroker
from shared.events import topics
from tests.fixtures.cloudevents import as_message, customer_event
from tests.fixtures.events import customer_upserted
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for
from tests.fixtures.state import directory_customers, inbox_rows, metric, outbox_rows
from tests.fixtures.topics import produce

pytestmark = pytest.mark.integration

CUSTOMERS = topics.CUSTOMERS.name


def test_an_event_posted_twice_is_accepted_once(
    broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> None:
    keys_file, keys = api_keys
    profiles = build_runtime(
        PROFILES,
        database_url=database_factory("profiles"),
        bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=keys_file,
    )
    event = customer_upserted(name="Schreinerei Maier")
    with serving(PROFILES.build_app(profiles)) as url:
        responses = [
            httpx.post(f"{url}/v1/events", json=[event], headers={"X-API-Key": keys["integration"]})
            for _ in range(2)
        ]

    assert [r.status_code for r in responses] == [200, 200]
    first, second = (r.json() for r in responses)
    assert (first["accepted"], first["duplicates"]) == (1, 0)
    assert (second["accepted"], second["duplicates"]) == (0, 1)
    assert second["results"][0]["status"] == "duplicate"
    assert second["results"][0]["id"] == event["id"]
    customer_id = first["results"][0]["customer_id"]
    with profiles.session_factory() as session:
        assert list(session.scalars(select(Customer.customer_id))) == [customer_id]
    published = outbox_rows(profiles)
    assert [(row["event_type"], row["message_key"]) for row in published] == [
        ("customer.registered", customer_id)
    ]


def test_a_cloudevent_delivered_twice_on_the_topic_has_one_effect_downstream(
    broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> None:
    segmentation = build_runtime(
        SEGMENTATION,
        database_url=database_factory("segmentation"),
        bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=api_keys[0],
    )
    consumer = SEGMENTATION.build_consumers(segmentation)[0].name
    event = customer_event(name="Autohaus Brandl", region="north")

    def consumed(outcome: str) -> float:
        return metric("segmentation_events_consumed_total", topic=CUSTOMERS, outcome=outcome)

    duplicates_before = consumed("duplicate")
    with running_worker(segmentation, SEGMENTATION):
        produce(broker.bootstrap_servers, CUSTOMERS, [as_message(event)] * 2)
        assert wait_for(lambda: consumed("duplicate") > duplicates_before)

    customers = directory_customers(segmentation)
    assert event.subject in customers
    assert customers[event.subject]["name"] == "Autohaus Brandl"
    assert customers[event.subject]["revision"] == 1
    assert customers[event.subject]["as_of_event_id"] == event.id
    recorded = [row for row in inbox_rows(segmentation, consumer) if row["event_id"] == event.id]
    assert [(row["source"], row["outcome"]) for row in recorded] == [(event.source, "processed")]
    assert consumed("duplicate") - duplicates_before == 1
