"""A full batch of 1,000 mixed events on PostgreSQL: every event applied, in a few statements."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests.fixtures.events import (
    customer_identified,
    customer_upserted,
    order_placed,
    order_returned,
    touchpoint_recorded,
)
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

# Statements per request, whatever the batch size: lookups in chunks of 500, one write
# per table. One statement per event would be thousands.
STATEMENT_BUDGET = 30


def _mixed_batch() -> list[dict[str, Any]]:
    customers = [customer_upserted(external_id=f"K-{i}") for i in range(200)]
    # K-200 .. K-249 are named by no upsert: they become provisional customers.
    orders = [order_placed(external_id=f"K-{i % 250}", order_id=f"A-{i}") for i in range(300)]
    returns = [order_returned(external_id=f"K-{i}", order_id=f"A-{i}") for i in range(100)]
    links = [customer_identified(anonymous_id=f"V-{i}", external_id=f"K-{i}") for i in range(100)]
    touchpoints = (
        [touchpoint_recorded(anonymous_id=f"V-{i}") for i in range(100)]
        + [touchpoint_recorded(anonymous_id=f"W-{i}") for i in range(100)]
        + [touchpoint_recorded(external_id=f"K-{i}") for i in range(100)]
    )
    return customers + orders + returns + links + touchpoints


@contextmanager
def counting_statements(profiles: Profiles) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(profiles.runtime.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(profiles.runtime.engine, "before_cursor_execute", count)


def _on_postgresql_only(profiles: Profiles) -> None:
    if profiles.runtime.engine.dialect.name != "postgresql":
        pytest.skip("the full-batch check runs on PostgreSQL")


def test_batch_of_a_thousand_mixed_events_is_accepted_on_postgresql(profiles: Profiles) -> None:
    _on_postgresql_only(profiles)
    events = _mixed_batch()
    assert len(events) == 1000

    with counting_statements(profiles) as statements:
        response = profiles.post(events)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1000, 0, 0)
    assert profiles.stored() == {
        "customers": 250,
        "orders": 300,
        "order_returns": 100,
        "anonymous_links": 100,
    }
    assert Counter(p.event_type for p in profiles.published()) == {
        "customer.registered": 250,
        "order.placed": 300,
        "order.returned": 100,
        "customer.identified": 100,
        "touchpoint.recorded": 300,
    }
    stitched = [p for p in profiles.published("touchpoint.recorded") if p.data["anonymous_id"]]
    assert sum(p.data["customer_id"] is not None for p in stitched) == 100
    assert profiles.inbox_count() == 1000
    assert len(statements) <= STATEMENT_BUDGET, statements


def test_second_batch_for_the_same_customers_and_orders_updates_them(profiles: Profiles) -> None:
    _on_postgresql_only(profiles)
    assert profiles.post(_mixed_batch()).status_code == 200
    published_before = Counter(p.event_type for p in profiles.published())

    with counting_statements(profiles) as statements:
        response = profiles.post(_mixed_batch())

    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1000
    assert profiles.stored() == {
        "customers": 250,
        "orders": 300,
        "order_returns": 200,
        "anonymous_links": 100,
    }
    published_now = Counter(p.event_type for p in profiles.published()) - published_before
    # Renamed customers are updated, newer order versions replace the stored ones, and the
    # visitors' links exist already.
    assert published_now == {
        "customer.updated": 200,
        "order.placed": 300,
        "order.returned": 100,
        "touchpoint.recorded": 300,
    }
    visitors = [p for p in profiles.published("touchpoint.recorded") if p.data["anonymous_id"]]
    assert Counter(
        (p.data["anonymous_id"][0], p.data["customer_id"] is None) for p in visitors
    ) == {
        ("V", False): 200,
        ("W", True): 200,
    }
    assert len(statements) <= STATEMENT_BUDGET, statements
