"""Invalid orders, returns, touchpoints and identifications: 422 naming the field, no effect."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.events import (
    customer_identified,
    order_line,
    order_placed,
    order_returned,
    touchpoint_recorded,
)
from tests.integration.profiles.support import NOTHING_STORED, Profiles

pytestmark = pytest.mark.integration

Event = dict[str, Any]


def _data(make: Callable[..., Event], **data: Any) -> Callable[[], Event]:
    return lambda: make(**data)


def _without(make: Callable[..., Event], field: str, **data: Any) -> Callable[[], Event]:
    def build() -> Event:
        event = make(**data)
        del event["data"][field]
        return event

    return build


def _line(**fields: Any) -> Callable[[], Event]:
    return _data(order_placed, lines=[order_line(**fields)])


RETURN_LINE = {"sku": "S-1", "quantity": 1, "net_revenue": "5", "cost_of_goods": "3"}

INVALID: dict[str, tuple[Callable[[], Event], str]] = {
    "order-unknown-field": (_data(order_placed, coupon="SPRING"), "data.coupon: Extra inputs"),
    "order-without-order-id": (_without(order_placed, "order_id"), "data.order_id: Field required"),
    "order-without-customer": (_without(order_placed, "customer"), "data.customer: Field required"),
    "order-unknown-channel": (_data(order_placed, channel="fax"), "data.channel: Input should be"),
    "order-lower-case-currency": (_data(order_placed, currency="eur"), "data.currency: String"),
    "order-three-letter-currency-only": (_data(order_placed, currency="EURO"), "data.currency:"),
    "order-without-lines": (_data(order_placed, lines=[]), "data.lines: List should have at least"),
    "order-negative-revenue": (
        _line(net_revenue="-1"),
        "data.lines.0.net_revenue: Input should be greater than or equal to 0",
    ),
    "order-negative-cost": (_line(cost_of_goods=-0.5), "data.lines.0.cost_of_goods: Input should"),
    "order-zero-quantity": (_line(quantity=0), "data.lines.0.quantity: Input should be greater"),
    "order-five-decimals": (_line(net_revenue="1.00001"), "data.lines.0.net_revenue: Decimal"),
    "order-nineteen-digits": (_line(net_revenue="1" * 19), "data.lines.0.net_revenue: Decimal"),
    "order-amount-not-a-number": (_line(net_revenue="lots"), "data.lines.0.net_revenue:"),
    "order-amount-boolean": (_line(net_revenue=True), "data.lines.0.net_revenue:"),
    "order-line-unknown-field": (_line(colour="red"), "data.lines.0.colour: Extra inputs"),
    "order-line-without-sku": (
        lambda: order_placed(lines=[{k: v for k, v in order_line().items() if k != "sku"}]),
        "data.lines.0.sku: Field required",
    ),
    "order-negative-discount": (_data(order_placed, discount="-5"), "data.discount: Input should"),
    "order-negative-shipping": (_data(order_placed, shipping_cost=-1), "data.shipping_cost:"),
    "return-with-lines-and-amount": (
        _data(order_returned, lines=[RETURN_LINE], amount="5"),
        "data.lines and amount are exclusive: give exactly one of them",
    ),
    "return-without-lines-or-amount": (
        _without(order_returned, "amount"),
        "data.lines or amount is required (exactly one of them)",
    ),
    "return-negative-amount": (_data(order_returned, amount="-5"), "data.amount: Input should"),
    "return-line-with-category": (
        _data(order_returned, lines=[{**RETURN_LINE, "category": "tools"}]),
        "data.lines.0.category: Extra inputs",
    ),
    "return-negative-handling-cost": (
        _data(order_returned, handling_cost="-1"),
        "data.handling_cost: Input should",
    ),
    "touchpoint-with-customer-and-visitor": (
        _data(touchpoint_recorded, anonymous_id="visitor-1", customer={"system": "crm", "id": "K"}),
        "data.customer and anonymous_id are exclusive: give exactly one of them",
    ),
    "touchpoint-without-customer-or-visitor": (
        _without(touchpoint_recorded, "customer"),
        "data.customer or anonymous_id is required (exactly one of them)",
    ),
    "touchpoint-unknown-channel": (_data(touchpoint_recorded, channel="fax"), "data.channel:"),
    "touchpoint-without-type": (
        _without(touchpoint_recorded, "touchpoint_type"),
        "data.touchpoint_type: Field required",
    ),
    "touchpoint-csat-6": (_data(touchpoint_recorded, csat=6), "data.csat: Input should be less"),
    "touchpoint-csat-0": (_data(touchpoint_recorded, csat=0), "data.csat: Input should be greater"),
    "touchpoint-csat-fraction": (_data(touchpoint_recorded, csat=4.5), "data.csat:"),
    "touchpoint-csat-text": (_data(touchpoint_recorded, csat="4"), "data.csat:"),
    "touchpoint-nps-11": (_data(touchpoint_recorded, nps=11), "data.nps: Input should be less"),
    "touchpoint-effort-8": (_data(touchpoint_recorded, effort=8), "data.effort: Input should be"),
    "touchpoint-unknown-direction": (
        _data(touchpoint_recorded, direction="both"),
        "data.direction",
    ),
    "touchpoint-negative-duration": (
        _data(touchpoint_recorded, duration_seconds=-1),
        "data.duration_seconds: Input should be greater",
    ),
    "touchpoint-negative-cost": (_data(touchpoint_recorded, cost="-0.01"), "data.cost:"),
    "touchpoint-unknown-field": (_data(touchpoint_recorded, mood="sunny"), "data.mood: Extra"),
    "identified-without-visitor": (
        lambda: {
            **customer_identified(anonymous_id="x"),
            "data": {"customer": {"system": "crm", "id": "K"}},
        },
        "data.anonymous_id: Field required",
    ),
    "identified-without-customer": (
        _without(customer_identified, "customer", anonymous_id="visitor-1"),
        "data.customer: Field required",
    ),
    "order-nul-in-sku": (_line(sku="S\x001"), "data.lines.0.sku: Value error, must not contain"),
    "touchpoint-nul-in-outcome": (
        _data(touchpoint_recorded, outcome="solved\x00"),
        "data.outcome: Value error, must not contain NUL",
    ),
    "touchpoint-nul-in-customer-id": (
        _data(touchpoint_recorded, customer={"system": "crm", "id": "K\x00"}),
        "data.customer.id: Value error, must not contain NUL",
    ),
    "identified-empty-visitor": (
        _data(customer_identified, anonymous_id=""),
        "data.anonymous_id: String should have at least 1 character",
    ),
}


@pytest.mark.parametrize("case", INVALID)
def test_invalid_event_is_rejected_naming_the_field_and_has_no_effect(
    profiles: Profiles, case: str
) -> None:
    build, reason = INVALID[case]

    response = profiles.post([build()])

    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (0, 0, 1)
    [result] = body["results"]
    assert (result["status"], result["customer_id"]) == ("rejected", None)
    assert reason in result["reason"]
    assert profiles.stored() == NOTHING_STORED
    assert profiles.published() == []
    assert profiles.inbox_count() == 0


def test_invalid_item_is_rejected_while_the_rest_of_the_batch_is_stored(
    profiles: Profiles,
) -> None:
    valid = order_placed(order_id="A-1")
    invalid = order_returned(lines=[RETURN_LINE], amount="1")

    response = profiles.post([valid, invalid])

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "rejected"]
    assert profiles.stored()["orders"] == 1
    assert profiles.stored()["order_returns"] == 0
