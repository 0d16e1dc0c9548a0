"""A broker outage delays events but never loses an accepted one."""

from pathlib import Path

import httpx
import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.broker import EmbeddedBroker
from shared.messaging.kafka import ensure_topics
from tests.fixtures.events import customer_upserted
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for
from tests.fixtures.state import directory_customers, pending_outbox

pytestmark = pytest.mark.integration

REQUESTS = 5
EVENTS_PER_REQUEST = 10


def test_events_accepted_while_the_broker_is_down_reach_downstream_once_it_returns(
    private_broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> None:
    keys_file, keys = api_keys
    quick_recovery = {"relay_max_backoff_seconds": 1.0, "consumer_session_timeout_ms": 3000}
    profiles, segmentation = (
        build_runtime(
            definition,
            database_url=database_factory(definition.name),
            bootstrap_servers=private_broker.bootstrap_servers,
            api_keys_file=keys_file,
            **quick_recovery,
        )
        for definition in (PROFILES, SEGMENTATION)
    )
    headers = {"X-API-Key": keys["integration"]}
    with (
        running_worker(profiles, PROFILES),
        running_worker(segmentation, SEGMENTATION),
        serving(PROFILES.build_app(profiles)) as url,
    ):
        warm_up = httpx.post(f"{url}/v1/events", json=[customer_upserted()], headers=headers)
        assert warm_up.status_code == 200, warm_up.text
        first_customer = warm_up.json()["results"][0]["customer_id"]
        assert wait_for(lambda: first_customer in directory_customers(segmentation))

        private_broker.stop()
        posted, pending_after_each_request = [], []
        for _ in range(REQUESTS):
            batch = [customer_upserted() for _ in range(EVENTS_PER_REQUEST)]
            response = httpx.post(f"{url}/v1/events", json=batch, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["accepted"] == EVENTS_PER_REQUEST
            posted += [result["customer_id"] for result in response.json()["results"]]
            pending_after_each_request.append(pending_outbox(profiles))
        assert pending_after_each_request == [
            EVENTS_PER_REQUEST * n for n in range(1, REQUESTS + 1)
        ]
        # Let the relay and the consumers notice the outage before the broker returns.
        assert wait_for(lambda: profiles.relay().pending()[1] >= 2.0)

        private_broker.start()
        ensure_topics(
            private_broker.bootstrap_servers,
            PROFILES.topics + SEGMENTATION.topics,
            partitions=profiles.settings.topic_partitions,
        )
        assert wait_for(lambda: pending_outbox(profiles) == 0, timeout=60)
        everyone = {first_customer, *posted}
        assert wait_for(lambda: set(directory_customers(segmentation)) == everyone, timeout=60)

    downstream = directory_customers(segmentation)
    assert set(downstream) == everyone
    assert len(set(posted)) == REQUESTS * EVENTS_PER_REQUEST
    assert {row["revision"] for row in downstream.values()} == {1}
