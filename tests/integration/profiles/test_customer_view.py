"""GET /v1/customers/{customer_id}: the 360° view, its value part and the pending parts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.fixtures.events import customer_upserted, order_line, order_placed, order_returned
from tests.integration.profiles.parts_support import assigned, parts_of, recommended, summary
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
MONEY = (
    "net_revenue",
    "cost_of_goods",
    "returned_revenue",
    "returned_cost_of_goods",
    "discounts",
    "shipping_cost",
    "other_direct_costs",
    "return_handling_cost",
    "cm1",
    "cm2",
    "cm3",
)


def _customer_with_orders(profiles: Profiles) -> tuple[str, str]:
    """A customer with a recent and a two-year-old order, each partly returned."""
    [result] = profiles.accept(
        customer_upserted(external_id="K-V", kind="organization", name="Huber KG", owner_rep="r-3")
    )
    recent_return = order_returned(
        external_id="K-V",
        order_id="O-1",
        time=NOW - timedelta(days=5),
        lines=[{"sku": "S-2", "quantity": 1, "net_revenue": "49.50", "cost_of_goods": "20.25"}],
        handling_cost="3",
    )
    profiles.accept(
        order_placed(
            external_id="K-V",
            order_id="O-1",
            time=NOW - timedelta(days=10),
            lines=[
                order_line(net_revenue="150.50", cost_of_goods="90"),
                order_line(sku="S-2", net_revenue="49.50", cost_of_goods="20.25"),
            ],
            discount="10",
            shipping_cost="7.90",
            other_direct_costs="1.20",
        ),
        order_placed(
            external_id="K-V",
            order_id="O-2",
            time=NOW - timedelta(days=730),
            lines=[order_line(net_revenue="300", cost_of_goods="180")],
            discount="5",
        ),
        recent_return,
        order_returned(
            external_id="K-V",
            order_id="O-2",
            time=NOW - timedelta(days=700),
            amount="30",
            handling_cost="2",
        ),
    )
    return str(result["customer_id"]), str(recent_return["id"])


def _get(profiles: Profiles, customer_id: str, key: str) -> dict[str, Any]:
    response = profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth(key))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _decimals(period: dict[str, Any]) -> dict[str, Decimal | None]:
    return {name: None if period[name] is None else Decimal(period[name]) for name in MONEY}


def test_value_over_12_months_and_lifetime_from_orders_and_returns(profiles: Profiles) -> None:
    customer_id, newest_event = _customer_with_orders(profiles)

    value = _get(profiles, customer_id, "finance")["value"]

    assert value["status"] == "current"
    assert value["as_of"]["event_id"] == newest_event
    assert datetime.fromisoformat(value["as_of"]["time"]) == NOW - timedelta(days=5)
    assert _decimals(value["last_12_months"]) == {
        "net_revenue": Decimal("200.00"),
        "cost_of_goods": Decimal("110.25"),
        "returned_revenue": Decimal("49.50"),
        "returned_cost_of_goods": Decimal("20.25"),
        "discounts": Decimal("10"),
        "shipping_cost": Decimal("7.90"),
        "other_direct_costs": Decimal("1.20"),
        "return_handling_cost": Decimal("3"),
        "cm1": Decimal("60.50"),
        "cm2": Decimal("38.40"),
        "cm3": None,
    }
    assert _decimals(value["lifetime"]) == {
        "net_revenue": Decimal("500.00"),
        "cost_of_goods": Decimal("290.25"),
        "returned_revenue": Decimal("79.50"),
        "returned_cost_of_goods": Decimal("20.25"),
        "discounts": Decimal("15"),
        "shipping_cost": Decimal("7.90"),
        "other_direct_costs": Decimal("1.20"),
        "return_handling_cost": Decimal("5"),
        "cm1": Decimal("150.50"),
        "cm2": Decimal("121.40"),
        "cm3": None,
    }
    assert (value["last_12_months"]["order_count"], value["lifetime"]["order_count"]) == (1, 2)
    assert (value["last_12_months"]["return_count"], value["lifetime"]["return_count"]) == (1, 2)
    assert datetime.fromisoformat(value["first_order_at"]) == NOW - timedelta(days=730)
    assert datetime.fromisoformat(value["last_order_at"]) == NOW - timedelta(days=10)
    assert value["currencies"] == ["EUR"]
    assert "segmentation" in value["cm3_note"]
    assert value["masked"] == []
    assert isinstance(value["lifetime"]["cm2"], str)


@pytest.mark.parametrize("key", ["sales", "finance"])
def test_callers_with_financials_read_see_the_figures(profiles: Profiles, key: str) -> None:
    customer_id, _ = _customer_with_orders(profiles)

    value = _get(profiles, customer_id, key)["value"]

    assert Decimal(value["lifetime"]["cm1"]) == Decimal("150.50")
    assert value["masked"] == []


def test_marketing_sees_no_financial_figures(profiles: Profiles) -> None:
    customer_id, newest_event = _customer_with_orders(profiles)

    value = _get(profiles, customer_id, "marketing")["value"]

    for period in ("last_12_months", "lifetime"):
        assert _decimals(value[period]) == dict.fromkeys(MONEY)
        assert {f"{period}.{name}" for name in MONEY} <= set(value["masked"])
    assert value["lifetime"]["order_count"] == 2
    assert value["as_of"]["event_id"] == newest_event


def test_a_customer_without_orders_has_zero_value_and_no_as_of(profiles: Profiles) -> None:
    [result] = profiles.accept(customer_upserted(external_id="K-0", owner_rep="rep-9"))

    view = _get(profiles, result["customer_id"], "sales")

    assert view["value"]["as_of"] is None
    assert view["value"]["lifetime"]["order_count"] == 0
    assert Decimal(view["value"]["lifetime"]["cm2"]) == 0
    assert view["value"]["first_order_at"] is None
    assert view["responsible_rep"] == "rep-9"


def test_parts_of_other_services_are_present_and_pending(profiles: Profiles) -> None:
    event = customer_upserted(external_id="K-P", owner_rep="rep-1")
    [result] = profiles.accept(event)

    view = _get(profiles, result["customer_id"], "sales")

    assert view["as_of"]["event_id"] == event["id"]
    expected = {
        "segment": ("segmentation", ["lifecycle_stage", "clv", "churn_risk", "abc_class"]),
        "strategy": ("steering", ["thrust", "service_level", "treatment"]),
        "experience": ("experience", ["journey_stage", "csat", "nps", "open_complaints"]),
        "next_best_actions": ("steering", []),
    }
    for part, (source, fields) in expected.items():
        assert view[part]["status"] == "pending", part
        assert view[part]["as_of"] is None
        assert view[part]["source"] == source
        assert all(view[part][name] is None for name in fields), part
    assert view["experience"]["last_touchpoints"] == []
    assert view["next_best_actions"]["items"] == []


def test_delivered_parts_show_over_http_with_their_events(profiles: Profiles) -> None:
    [result] = profiles.accept(customer_upserted(external_id="K-D"))
    customer_id = result["customer_id"]
    segment, experience = assigned(customer_id), summary(customer_id)
    action = recommended(customer_id)
    parts_of(profiles.runtime).feed(segment, experience, action)

    view = _get(profiles, customer_id, "finance")
    masked = _get(profiles, customer_id, "marketing")

    assert view["segment"]["as_of"]["event_id"] == segment.id
    assert view["segment"]["lifecycle_stage"] == "loyal"
    assert Decimal(view["segment"]["clv"]) == Decimal("9100.00")
    assert view["strategy"]["thrust"] == "retain"
    assert view["experience"]["as_of"]["event_id"] == experience.id
    assert view["experience"]["csat"] == 3.5
    assert [a["action_id"] for a in view["next_best_actions"]["items"]] == [
        action.data["action_id"]
    ]
    assert masked["segment"]["clv"] is None
    assert masked["segment"]["lifecycle_stage"] == "loyal"
    assert "clv" in masked["segment"]["masked"]
