"""Full runs and re-scores on a real database: what is stored, published and reported."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.segmentation import config_store, models
from services.segmentation.assignment_store import COPY_FROM, AssignmentWriter
from services.segmentation.rescoring import ModelCache, Rescorer
from shared.events.steering import StrategyPublished
from shared.events.touchpoints import TouchpointRecorded
from tests.integration.segmentation.support import (
    Segmentation,
    order,
    population,
    published,
    segmentation_on,
)

pytestmark = pytest.mark.integration
CUSTOMERS = 160


@pytest.fixture
def segmentation(
    database_factory: Any, api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Segmentation]:
    subject = segmentation_on(database_factory("segmentation"), api_keys[0])
    events = population(CUSTOMERS)
    for start in range(0, len(events), 500):
        subject.feed(*events[start : start + 500])
    yield subject
    subject.runtime.engine.dispose()


def _assignments(segmentation: Segmentation) -> dict[str, dict[str, Any]]:
    return {row["customer_id"]: row for row in segmentation.rows(models.assignments)}


def test_a_run_assigns_everyone_and_publishes_each_first_assignment(
    segmentation: Segmentation,
) -> None:
    run = segmentation.run()

    assert run["status"] == "completed", run["error"]
    summary = run["summary"]
    assert summary["customers"] == CUSTOMERS == summary["changed"]
    assert sum(group["customers"] for group in summary["segments"].values()) == CUSTOMERS
    assert summary["lifecycle_stages"]["prospect"]["customers"] == CUSTOMERS // 10
    assert summary["models"]["bgnbd"]["time_unit"] == "weeks"
    assert summary["models"]["needs_clusters"]["clusters"]
    assert summary["migration"] == {
        "none": {key: group["customers"] for key, group in summary["segments"].items()}
    }
    assert set(summary["abc_comparison"]["customers_by_abc_class"]) == {"A", "B", "C"}
    assert len(_assignments(segmentation)) == CUSTOMERS
    assert len(segmentation.published("segment.assigned")) == CUSTOMERS
    assert len(segmentation.published("segmentation.run_completed")) == 1


def test_a_second_run_on_the_same_data_changes_and_publishes_nothing(
    segmentation: Segmentation,
) -> None:
    segmentation.run()

    second = segmentation.run()

    assert second["summary"]["changed"] == 0
    assert len(segmentation.published("segment.assigned")) == CUSTOMERS
    assert second["summary"]["models"]["version"] == 2


def test_rescoring_every_customer_gives_what_the_run_gave(segmentation: Segmentation) -> None:
    segmentation.run()
    before = _assignments(segmentation)
    rescore = Rescorer(AssignmentWriter(segmentation.runtime.outbox, "segmentation"), ModelCache())

    with segmentation.runtime.session_factory() as session, session.begin():
        rescore(session, set(before))

    after = _assignments(segmentation)
    assert len(segmentation.published("segment.assigned")) == CUSTOMERS
    for customer_id, row in before.items():
        again = after[customer_id]
        assert again["run_id"] is None
        for name in ("strategic_segment", "lifecycle_reason", "needs_cluster", "reasons"):
            assert again[name] == row[name], (customer_id, name)
        assert again["scores"] == row["scores"], customer_id


def test_a_prospects_first_order_is_rescored_at_once(segmentation: Segmentation) -> None:
    segmentation.run()
    prospect = "cust-1-00000"
    assert _assignments(segmentation)[prospect]["lifecycle_stage"] == "prospect"

    segmentation.feed(order(prospect, "first", datetime.now(UTC), "250.00", "100.00"))

    row = _assignments(segmentation)[prospect]
    assert row["lifecycle_stage"] == "new"
    assert row["run_id"] is None
    news = [r for r in segmentation.published("segment.assigned") if r["message_key"] == prospect]
    assert len(news) == 2


def test_a_back_test_counts_only_what_happened_before_and_stores_nothing(
    segmentation: Segmentation,
) -> None:
    as_of = datetime.now(UTC) - timedelta(days=400)

    run = segmentation.run(as_of=as_of)

    assert run["status"] == "completed", run["error"]
    assert run["summary"]["live"] is False
    assert run["summary"]["changed"] is None
    prospects = run["summary"]["lifecycle_stages"]["prospect"]["customers"]
    assert prospects > CUSTOMERS // 10  # customers whose first order came later
    assert _assignments(segmentation) == {}
    assert segmentation.published("segment.assigned") == []


def test_a_published_strategy_brings_its_mapping_and_rates_and_a_run(
    segmentation: Segmentation,
) -> None:
    cells = [
        {"value_tier": value, "potential_tier": potential, "segment": "core"}
        for value in ("negative", "low", "medium", "high")
        for potential in ("low", "medium", "high")
    ]
    strategy = StrategyPublished.model_validate(
        {
            "strategy_id": "s-1",
            "version": 3,
            "published_at": datetime.now(UTC).isoformat(),
            "segments": [{"key": "core", "name": "Core", "thrust": "retain"}],
            "portfolio": cells,
            "cost_rates": [{"channel": "phone", "rate": "11.50"}],
        }
    )

    segmentation.feed(published(strategy, "strategy.published", "s-1"))

    with segmentation.runtime.session_factory() as session:
        portfolio = config_store.portfolio_of(config_store.active_strategy(session))
        rates = config_store.cost_rates(session)
    assert portfolio.source == "strategy s-1 v3"
    assert rates[("phone", "*")] == 115_000
    assert rates[("field_visit", "*")] == 1_200_000  # built-in where the strategy is silent
    [queued] = segmentation.rows(models.runs, status="queued")
    assert queued["trigger"] == "strategy"
    run = segmentation.run()
    assert set(run["summary"]["segments"]) == {"core"}
    assert Decimal(_assignments(segmentation)["cust-1-00001"]["scores"]["clv"]) >= 0


def test_a_customer_known_only_from_a_visit_is_scored_as_a_prospect(
    segmentation: Segmentation,
) -> None:
    segmentation.run()
    visit = TouchpointRecorded(
        customer_id="not-yet-registered",
        source_system="web",
        channel="web",
        touchpoint_type="website_visit",
        occurred_at=datetime.now(UTC),
    )

    segmentation.feed(published(visit, "touchpoint.recorded", "not-yet-registered"))

    assert _assignments(segmentation)["not-yet-registered"]["lifecycle_stage"] == "prospect"


def test_runs_over_more_customers_than_one_statement_takes_store_and_update_them_all(
    database_factory: Any, api_keys: tuple[Path, dict[str, str]]
) -> None:
    many = segmentation_on(database_factory("segmentation_many"), api_keys[0])
    events = population(700, seed=2)
    for start in range(0, len(events), 1000):
        many.feed(*events[start : start + 1000])

    first = many.run()
    second = many.run()

    rows = _assignments(many)
    assert first["summary"]["customers"] == second["summary"]["customers"] == len(rows) == 700
    assert {row["run_id"] for row in rows.values()} == {second["run_id"]}
    many.runtime.engine.dispose()


def test_assignments_stored_in_bulk_hold_what_small_batches_store(
    database_factory: Any, api_keys: tuple[Path, dict[str, str]]
) -> None:
    many = segmentation_on(database_factory("segmentation_bulk"), api_keys[0])
    events = population(COPY_FROM + 100, seed=3)
    for start in range(0, len(events), 1000):
        many.feed(*events[start : start + 1000])
    many.run()  # one chunk of more than COPY_FROM rows: COPY and one upsert on PostgreSQL
    in_bulk = _assignments(many)
    rescore = Rescorer(AssignmentWriter(many.runtime.outbox, "segmentation"), ModelCache())

    ids = sorted(in_bulk)
    for start in range(0, len(ids), 100):  # batches below COPY_FROM: one executemany each
        with many.runtime.session_factory() as session, session.begin():
            rescore(session, set(ids[start : start + 100]))

    in_batches = _assignments(many)
    moments = {"run_id", "as_of", "assigned_at"}
    for customer_id, row in in_bulk.items():
        again = in_batches[customer_id]
        assert {k: v for k, v in again.items() if k not in moments} == {
            k: v for k, v in row.items() if k not in moments
        }, customer_id
    many.runtime.engine.dispose()
