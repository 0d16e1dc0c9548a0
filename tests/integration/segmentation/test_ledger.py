"""The ledger kept from events on a real database: replaced orders, returns, merges, erasure."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.segmentation import ledger, models
from shared.events.customers import CustomerMerged, CustomerUnmerged
from shared.events.gdpr import CustomerErased
from shared.events.orders import OrderReturned
from shared.events.touchpoints import TouchpointRecorded
from tests.integration.segmentation.support import (
    Segmentation,
    order,
    published,
    registered,
    segmentation_on,
)

pytestmark = pytest.mark.integration
DAY_1 = datetime(2026, 5, 4, 10, tzinfo=UTC)
DAY_2 = DAY_1 + timedelta(days=3)


@pytest.fixture
def segmentation(database_factory: Any, api_keys: tuple[Path, dict[str, str]]) -> Segmentation:
    subject = segmentation_on(database_factory("segmentation"), api_keys[0])
    yield subject
    subject.runtime.engine.dispose()


def _days(segmentation: Segmentation, customer_id: str) -> dict[int, dict[str, Any]]:
    return {
        row["day"]: row for row in segmentation.rows(models.customer_days, customer_id=customer_id)
    }


def test_a_replaced_order_counts_once_at_its_new_figures_and_day(
    segmentation: Segmentation,
) -> None:
    segmentation.feed(order("c1", "o1", DAY_1, "100.00", "60.00", category="tools"))
    segmentation.feed(order("c1", "o1", DAY_2, "80.00", "50.00", category="paint"))

    days = _days(segmentation, "c1")
    first, second = ledger.day_number(DAY_1), ledger.day_number(DAY_2)
    assert days[first]["orders"] == 0 and days[first]["revenue"] == 0
    assert days[second]["orders"] == 1 and days[second]["revenue"] == 800_000
    categories = segmentation.rows(models.customer_categories, customer_id="c1")
    assert {(row["category"], row["revenue"]) for row in categories if row["revenue"]} == {
        ("paint", 800_000)
    }


def test_an_older_version_of_an_order_arriving_late_changes_nothing(
    segmentation: Segmentation,
) -> None:
    newer = order("c1", "o1", DAY_1, "120.00", "60.00", event_time=DAY_2)
    older = order("c1", "o1", DAY_1, "100.00", "60.00", event_time=DAY_1)

    segmentation.feed(newer)
    segmentation.feed(older)

    assert _days(segmentation, "c1")[ledger.day_number(DAY_1)]["revenue"] == 1_200_000


def test_a_return_before_its_order_counts_both(segmentation: Segmentation) -> None:
    returned = OrderReturned(
        customer_id="c1",
        order_id="o1",
        source_system="shop",
        amount=Decimal("30"),
        returned_at=DAY_2,
    )
    segmentation.feed(published(returned, "order.returned", "c1"))
    segmentation.feed(order("c1", "o1", DAY_1, "100.00", "60.00"))

    days = _days(segmentation, "c1")
    assert days[ledger.day_number(DAY_2)]["returns"] == 300_000
    assert days[ledger.day_number(DAY_1)]["revenue"] == 1_000_000


def test_a_merge_adds_the_absorbed_customers_days_to_the_survivors(
    segmentation: Segmentation,
) -> None:
    segmentation.feed(
        registered("s"),
        registered("a"),
        order("s", "o1", DAY_1, "100.00", "60.00"),
        order("a", "o2", DAY_1, "50.00", "20.00"),
        order("a", "o3", DAY_2, "10.00", "5.00"),
    )
    merged = CustomerMerged(
        survivor_id="s",
        absorbed_ids=["a"],
        merge_id="m1",
        reason="same",
        absorbed_revisions={"a": 2},
    )

    segmentation.feed(published(merged, "customer.merged", "s"))

    days = _days(segmentation, "s")
    assert days[ledger.day_number(DAY_1)]["revenue"] == 1_500_000
    assert days[ledger.day_number(DAY_1)]["orders"] == 2
    assert days[ledger.day_number(DAY_2)]["revenue"] == 100_000
    assert _days(segmentation, "a") == {}
    assert {row["order_id"] for row in segmentation.rows(models.orders, customer_id="s")} == {
        "o1",
        "o2",
        "o3",
    }


def test_an_erasure_takes_what_the_same_batch_added_before_it(segmentation: Segmentation) -> None:
    erased = CustomerErased(customer_id="c1", erasure_id="e1", requested_at=DAY_2)

    segmentation.feed(
        registered("c1"),
        order("c1", "o1", DAY_1, "100.00", "60.00"),
        published(erased, "customer.erased", "c1"),
    )

    assert _days(segmentation, "c1") == {}
    assert segmentation.rows(models.orders, customer_id="c1") == []
    assert segmentation.rows(models.customer_categories, customer_id="c1") == []


def test_an_order_or_contact_arriving_after_the_erasure_is_dropped(
    segmentation: Segmentation,
) -> None:
    erased = CustomerErased(customer_id="c1", erasure_id="e1", requested_at=DAY_2)
    segmentation.feed(registered("c1"), order("c1", "o1", DAY_1, "100.00", "60.00"))
    segmentation.feed(published(erased, "customer.erased", "c1"))
    contact = TouchpointRecorded(
        customer_id="c1",
        source_system="crm",
        channel="phone",
        touchpoint_type="complaint",
        occurred_at=DAY_1,
        nps=3,
    )

    # On the orders and touchpoints topics, they may come after the customers topic's erasure.
    segmentation.feed(
        order("c1", "o2", DAY_1, "80.00", "50.00"),
        published(contact, "touchpoint.recorded", "c1"),
    )
    segmentation.feed(order("c1", "o3", DAY_2, "10.00", "5.00"))

    assert _days(segmentation, "c1") == {}
    assert segmentation.rows(models.orders, customer_id="c1") == []
    assert segmentation.rows(models.customer_contacts, customer_id="c1") == []
    assert segmentation.rows(models.latest_nps, customer_id="c1") == []
    assert segmentation.rows(models.assignments, customer_id="c1") == []


def test_an_unmerge_gives_back_what_the_merge_moved_and_keeps_what_came_since(
    segmentation: Segmentation,
) -> None:
    segmentation.feed(
        registered("s"),
        registered("a"),
        order("s", "o1", DAY_1, "100.00", "60.00"),
        order("a", "o2", DAY_1, "50.00", "20.00"),
    )
    merged = CustomerMerged(
        survivor_id="s", absorbed_ids=["a"], merge_id="m1", reason="same", absorbed_revisions={}
    )
    segmentation.feed(published(merged, "customer.merged", "s"))
    segmentation.feed(order("s", "o3", DAY_2, "10.00", "5.00"))

    unmerged = CustomerUnmerged(survivor_id="s", restored_id="a", merge_id="m1")
    segmentation.feed(published(unmerged, "customer.unmerged", "s"))

    survivor, restored = _days(segmentation, "s"), _days(segmentation, "a")
    assert survivor[ledger.day_number(DAY_1)]["revenue"] == 1_000_000
    assert survivor[ledger.day_number(DAY_1)]["orders"] == 1
    assert survivor[ledger.day_number(DAY_2)]["revenue"] == 100_000
    assert restored[ledger.day_number(DAY_1)]["revenue"] == 500_000
    assert [row["order_id"] for row in segmentation.rows(models.orders, customer_id="a")] == ["o2"]
    assert segmentation.rows(models.merge_journal) == []


def test_the_newest_nps_answer_is_kept_whatever_the_order_of_arrival(
    segmentation: Segmentation,
) -> None:
    def answer(customer_id: str, nps: int, when: datetime) -> Any:
        touchpoint = TouchpointRecorded(
            customer_id=customer_id,
            source_system="survey",
            channel="email",
            touchpoint_type="survey_answer",
            nps=nps,
            occurred_at=when,
        )
        return published(touchpoint, "touchpoint.recorded", customer_id)

    segmentation.feed(answer("s", 9, DAY_2), answer("a", 3, DAY_1 - timedelta(days=9)))
    segmentation.feed(answer("s", 2, DAY_1))
    [kept] = segmentation.rows(models.latest_nps, customer_id="s")
    assert kept["nps"] == 9
    # Several answers of one customer in one batch: the newest.
    segmentation.feed(answer("b", 1, DAY_1), answer("b", 7, DAY_2), answer("b", 5, DAY_1))
    assert [row["nps"] for row in segmentation.rows(models.latest_nps, customer_id="b")] == [7]

    segmentation.feed(answer("a", 10, DAY_2 + timedelta(days=1)))
    merged = CustomerMerged(
        survivor_id="s", absorbed_ids=["a"], merge_id="m2", reason="same", absorbed_revisions={}
    )
    segmentation.feed(published(merged, "customer.merged", "s"))

    assert [row["nps"] for row in segmentation.rows(models.latest_nps, customer_id="s")] == [10]
    assert sorted(row["customer_id"] for row in segmentation.rows(models.latest_nps)) == ["b", "s"]
