"""order.placed and order.returned over HTTP: stored as received, published on the orders topic."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.profiles.repository import ORDERS, RETURNS
from shared.events import topics
from tests.fixtures.events import customer_upserted, order_line, order_placed, order_returned
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

PLACED_AT = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _known_customer(profiles: Profiles, external_id: str) -> str:
    [result] = profiles.accept(customer_upserted(external_id=external_id, name="Huber KG"))
    return str(result["customer_id"])


def test_placed_order_is_stored_and_published_with_its_totals(profiles: Profiles) -> None:
    customer_id = _known_customer(profiles, "K-1")
    event = order_placed(
        external_id="K-1",
        order_id="A-100",
        time=PLACED_AT,
        channel="field_sales",
        currency="CHF",
        lines=[
            order_line(sku="S-1", quantity=3, net_revenue="150.50", cost_of_goods=90),
            order_line(sku="S-2", quantity="0.5", net_revenue=49.5, cost_of_goods="20.25"),
        ],
        discount="10",
        shipping_cost=7.9,
        other_direct_costs="1.20",
        sales_rep="rep-7",
    )

    [result] = profiles.accept(event)

    assert result["customer_id"] == customer_id
    [row] = profiles.rows(ORDERS)
    assert (row["source_system"], row["order_id"], row["customer_id"]) == (
        "shop",
        "A-100",
        customer_id,
    )
    assert (row["channel"], row["currency"], row["sales_rep"]) == ("field_sales", "CHF", "rep-7")
    assert row["placed_at"] == PLACED_AT
    assert (row["net_revenue"], row["cost_of_goods"]) == (Decimal("200.00"), Decimal("110.25"))
    assert (row["discount"], row["shipping_cost"], row["other_direct_costs"]) == (
        Decimal("10"),
        Decimal("7.9"),
        Decimal("1.2"),
    )
    assert [line["sku"] for line in row["lines"]] == ["S-1", "S-2"]
    assert row["as_of_event_id"] == event["id"]
    [published] = profiles.published("order.placed")
    assert (published.topic, published.key) == (topics.ORDERS.name, customer_id)
    assert published.data["customer_id"] == customer_id
    assert (published.data["order_id"], published.data["source_system"]) == ("A-100", "shop")
    assert (published.data["net_revenue"], published.data["cost_of_goods"]) == (
        "200.00",
        "110.25",
    )
    assert (published.data["discount"], published.data["shipping_cost"]) == ("10", "7.9")
    assert published.data["lines"][1] == {
        "sku": "S-2",
        "category": "tools",
        "quantity": "0.5",
        "net_revenue": "49.5",
        "cost_of_goods": "20.25",
    }
    assert datetime.fromisoformat(published.data["ordered_at"]) == PLACED_AT


def test_newer_version_of_an_order_replaces_it_and_is_published_again(
    profiles: Profiles,
) -> None:
    first = order_placed(order_id="A-1", external_id="K-1", time=PLACED_AT)
    second = order_placed(
        order_id="A-1",
        external_id="K-1",
        time=PLACED_AT + timedelta(hours=1),
        lines=[order_line(net_revenue="80", cost_of_goods="50")],
    )
    profiles.accept(first)

    profiles.accept(second)

    [row] = profiles.rows(ORDERS)
    assert (row["net_revenue"], row["as_of_event_id"]) == (Decimal("80"), second["id"])
    versions = profiles.published("order.placed")
    assert [p.data["net_revenue"] for p in versions] == ["100.00", "80"]
    assert len({p.key for p in versions}) == 1


def test_newer_and_older_version_in_one_batch_keep_the_newer(profiles: Profiles) -> None:
    newer = order_placed(order_id="A-1", external_id="K-1", time=PLACED_AT, discount="5")
    older = order_placed(order_id="A-1", external_id="K-1", time=PLACED_AT - timedelta(days=1))

    profiles.accept(newer, older)

    [row] = profiles.rows(ORDERS)
    assert (row["as_of_event_id"], row["discount"]) == (newer["id"], Decimal("5"))
    assert len(profiles.published("order.placed")) == 1


def test_older_version_of_a_stored_order_is_accepted_without_effect(profiles: Profiles) -> None:
    newer = order_placed(order_id="A-1", external_id="K-1", time=PLACED_AT)
    profiles.accept(newer)

    profiles.accept(
        order_placed(order_id="A-1", external_id="K-1", time=PLACED_AT.replace(year=2023))
    )

    [row] = profiles.rows(ORDERS)
    assert row["as_of_event_id"] == newer["id"]
    assert len(profiles.published("order.placed")) == 1


def test_same_order_id_from_two_systems_is_two_orders(profiles: Profiles) -> None:
    profiles.accept(
        order_placed(order_id="A-1", source="shop"), order_placed(order_id="A-1", source="erp")
    )

    assert sorted(row["source_system"] for row in profiles.rows(ORDERS)) == ["erp", "shop"]


def test_return_of_an_order_never_seen_is_stored_and_published(profiles: Profiles) -> None:
    customer_id = _known_customer(profiles, "K-1")
    event = order_returned(
        external_id="K-1",
        order_id="A-404",
        time=PLACED_AT,
        lines=[{"sku": "S-1", "quantity": 1, "net_revenue": "50.5", "cost_of_goods": 30}],
        handling_cost="4.50",
    )

    [result] = profiles.accept(event)

    assert result["customer_id"] == customer_id
    assert profiles.rows(ORDERS) == []
    [row] = profiles.rows(RETURNS)
    assert (row["order_id"], row["event_id"], row["customer_id"]) == (
        "A-404",
        event["id"],
        customer_id,
    )
    assert (row["amount"], row["handling_cost"]) == (None, Decimal("4.5"))
    assert row["lines"] == [
        {"sku": "S-1", "quantity": "1", "net_revenue": "50.5", "cost_of_goods": "30"}
    ]
    [published] = profiles.published("order.returned")
    assert (published.topic, published.key) == (topics.ORDERS.name, customer_id)
    assert published.data == {
        "customer_id": customer_id,
        "order_id": "A-404",
        "source_system": "shop",
        "lines": [{"sku": "S-1", "quantity": "1", "net_revenue": "50.5", "cost_of_goods": "30"}],
        "amount": None,
        "handling_cost": "4.50",
        "returned_at": published.data["returned_at"],
    }
    assert datetime.fromisoformat(published.data["returned_at"]) == PLACED_AT


def test_every_return_of_an_order_is_kept(profiles: Profiles) -> None:
    profiles.accept(order_placed(order_id="A-1", external_id="K-1"))

    profiles.accept(
        order_returned(order_id="A-1", external_id="K-1", amount="10"),
        order_returned(order_id="A-1", external_id="K-1", amount="2.5"),
    )

    assert sorted(row["amount"] for row in profiles.rows(RETURNS)) == [
        Decimal("2.5"),
        Decimal("10"),
    ]
    assert [p.data["amount"] for p in profiles.published("order.returned")] == ["10", "2.5"]


def test_reposted_orders_and_returns_are_duplicates_with_one_effect(profiles: Profiles) -> None:
    events = [
        order_placed(order_id="A-1", external_id="K-1"),
        order_returned(order_id="A-1", external_id="K-1"),
    ]
    profiles.accept(*events)
    before = profiles.published()

    again = profiles.post(events)

    assert again.status_code == 200, again.text
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert profiles.stored() == {
        "customers": 1,
        "orders": 1,
        "order_returns": 1,
        "anonymous_links": 0,
    }
    assert profiles.published() == before
    assert profiles.inbox_count() == 2
