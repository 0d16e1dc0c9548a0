"""One customer's events stay in order, though the topic spreads customers over partitions."""

import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.broker import EmbeddedBroker
from shared.events import topics
from tests.fixtures.events import customer_upserted
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for
from tests.fixtures.state import directory_customers, pending_outbox
from tests.fixtures.topics import partition_count, read_topic

pytestmark = pytest.mark.integration

CUSTOMER_COUNT = 20
VERSIONS = 5


def test_each_customer_ends_at_its_last_posted_version_and_its_events_stay_in_order(
    broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> None:
    keys_file, keys = api_keys
    profiles, segmentation = (
        build_runtime(
            definition,
            database_url=database_factory(definition.name),
            bootstrap_servers=broker.bootstrap_servers,
            api_keys_file=keys_file,
        )
        for definition in (PROFILES, SEGMENTATION)
    )
    assert partition_count(broker.bootstrap_servers, topics.CUSTOMERS.name) == 3
    references = [f"ORD-{uuid.uuid4().hex[:12]}" for _ in range(CUSTOMER_COUNT)]
    start = datetime.now(UTC)
    customer_ids: dict[str, str] = {}
    with (
        running_worker(profiles, PROFILES),
        running_worker(segmentation, SEGMENTATION),
        serving(PROFILES.build_app(profiles)) as url,
    ):
        for version in range(1, VERSIONS + 1):
            batch = [
                customer_upserted(
                    external_id=reference,
                    name=f"Kunde {reference} v{version}",
                    time=start + timedelta(seconds=version),
                )
                for reference in references
            ]
            response = httpx.post(
                f"{url}/v1/events", json=batch, headers={"X-API-Key": keys["integration"]}
            )
            assert response.status_code == 200, response.text
            assert response.json()["accepted"] == CUSTOMER_COUNT
            for reference, result in zip(references, response.json()["results"], strict=True):
                assert (
                    customer_ids.setdefault(reference, result["customer_id"])
                    == (result["customer_id"])
                )

        def all_at_last_version() -> bool:
            downstream = directory_customers(segmentation)
            return all(
                downstream.get(cid, {}).get("revision") == VERSIONS for cid in customer_ids.values()
            )

        assert wait_for(all_at_last_version, timeout=60)
        assert wait_for(lambda: pending_outbox(profiles) == 0)

    downstream = directory_customers(segmentation)
    for reference, customer_id in customer_ids.items():
        assert downstream[customer_id]["name"] == f"Kunde {reference} v{VERSIONS}"
        assert downstream[customer_id]["revision"] == VERSIONS

    revisions_by_key: dict[bytes, list[int]] = defaultdict(list)
    partitions_by_key: dict[bytes, set[int]] = defaultdict(set)
    wanted = {customer_id.encode() for customer_id in customer_ids.values()}
    for record in read_topic(broker.bootstrap_servers, topics.CUSTOMERS.name):
        if record.key in wanted:
            event = json.loads(record.value)
            assert event["subject"] == record.key.decode()
            revisions_by_key[record.key].append(event["data"]["revision"])
            partitions_by_key[record.key].add(record.partition)
    assert set(revisions_by_key) == wanted
    for key, revisions in revisions_by_key.items():
        assert revisions == list(range(1, VERSIONS + 1)), key
        assert len(partitions_by_key[key]) == 1, key
    assert len(set().union(*partitions_by_key.values())) > 1
