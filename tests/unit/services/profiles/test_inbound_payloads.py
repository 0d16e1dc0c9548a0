"""Validation of inbound orders, returns, touchpoints and identifications (no I/O)."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.events.inbound import (
    INBOUND_PAYLOADS,
    IdentifiedVisitor,
    PlacedOrder,
    RecordedTouchpoint,
    ReturnedOrder,
)

CUSTOMER = {"system": "crm", "id": "K-1"}
LINE = {"sku": "S-1", "category": "tools", "quantity": 1, "net_revenue": "10", "cost_of_goods": 6}
RETURN_LINE = {"sku": "S-1", "quantity": 1, "net_revenue": "10", "cost_of_goods": 6}


def _order(**data: Any) -> dict[str, Any]:
    return {
        "order_id": "A-1",
        "customer": CUSTOMER,
        "channel": "web",
        "currency": "EUR",
        "lines": [LINE],
        **data,
    }


def _errors(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return [(".".join(map(str, e["loc"])), e["msg"]) for e in raised.value.errors()]


def test_every_inbound_type_of_the_issue_has_a_payload_model() -> None:
    assert set(INBOUND_PAYLOADS) == {
        "customer.upserted",
        "order.placed",
        "order.returned",
        "touchpoint.recorded",
        "customer.identified",
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("150.50", Decimal("150.50")),
        (150, Decimal("150")),
        (49.5, Decimal("49.5")),
        ("1e3", Decimal("1000")),
        ("-0", Decimal("0")),
        ("99999999999999.9999", Decimal("99999999999999.9999")),
    ],
)
def test_money_is_read_as_decimal_from_text_or_number(given: Any, expected: Decimal) -> None:
    order = PlacedOrder.model_validate(_order(discount=given))

    assert order.discount == expected
    assert str(order.discount) == str(expected)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("-0.01", "greater than or equal to 0"),
        ("1.00001", "no more than 4 decimal places"),
        ("1" * 19, "no more than 18 digits"),
        ("NaN", "finite number"),
        (True, "Decimal input should be"),
        ("ten", "Input should be a valid decimal"),
    ],
)
def test_money_outside_the_rules_is_rejected(given: Any, message: str) -> None:
    [(where, msg)] = _errors(PlacedOrder, _order(shipping_cost=given))

    assert where == "shipping_cost"
    assert message in msg


def test_order_needs_a_line() -> None:
    assert _errors(PlacedOrder, _order(lines=[])) == [
        ("lines", "List should have at least 1 item after validation, not 0")
    ]


@pytest.mark.parametrize("quantity", [0, -1, "0.0"])
def test_order_line_quantity_must_be_positive(quantity: Any) -> None:
    [(where, msg)] = _errors(PlacedOrder, _order(lines=[{**LINE, "quantity": quantity}]))

    assert (where, msg) == ("lines.0.quantity", "Input should be greater than 0")


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", ""])
def test_currency_is_three_capital_letters(currency: str) -> None:
    [(where, _)] = _errors(PlacedOrder, _order(currency=currency))

    assert where == "currency"


def test_order_channel_is_one_of_the_listed() -> None:
    [(where, msg)] = _errors(PlacedOrder, _order(channel="telex"))

    assert where == "channel"
    assert "'marketplace'" in msg


def test_unknown_field_of_an_order_line_is_rejected() -> None:
    assert _errors(PlacedOrder, _order(lines=[{**LINE, "colour": "red"}])) == [
        ("lines.0.colour", "Extra inputs are not permitted")
    ]


def test_return_takes_lines_or_an_amount() -> None:
    by_lines = ReturnedOrder.model_validate(
        {"order_id": "A-1", "customer": CUSTOMER, "lines": [RETURN_LINE]}
    )
    by_amount = ReturnedOrder.model_validate(
        {"order_id": "A-1", "customer": CUSTOMER, "amount": "12.5", "handling_cost": 3}
    )

    assert (by_lines.amount, by_lines.lines is not None) == (None, True)
    assert (by_amount.amount, by_amount.lines) == (Decimal("12.5"), None)


def test_return_with_both_lines_and_amount_is_rejected_with_a_clear_message() -> None:
    data = {"order_id": "A-1", "customer": CUSTOMER, "lines": [RETURN_LINE], "amount": "1"}

    assert _errors(ReturnedOrder, data) == [
        ("", "lines and amount are exclusive: give exactly one of them")
    ]


def test_return_without_lines_or_amount_is_rejected_with_a_clear_message() -> None:
    assert _errors(ReturnedOrder, {"order_id": "A-1", "customer": CUSTOMER}) == [
        ("", "lines or amount is required (exactly one of them)")
    ]


def test_return_line_has_no_category() -> None:
    data = {"order_id": "A-1", "customer": CUSTOMER, "lines": [{**RETURN_LINE, "category": "x"}]}

    assert _errors(ReturnedOrder, data) == [("lines.0.category", "Extra inputs are not permitted")]


def _touchpoint(**data: Any) -> dict[str, Any]:
    return {"channel": "web", "touchpoint_type": "website_visit", **data}


def test_touchpoint_is_of_a_customer_or_of_an_anonymous_visitor() -> None:
    known = RecordedTouchpoint.model_validate(_touchpoint(customer=CUSTOMER))
    anonymous = RecordedTouchpoint.model_validate(_touchpoint(anonymous_id="visitor-1"))

    assert (known.customer is not None, known.anonymous_id) == (True, None)
    assert (anonymous.customer, anonymous.anonymous_id) == (None, "visitor-1")


def test_touchpoint_of_both_a_customer_and_a_visitor_is_rejected() -> None:
    data = _touchpoint(customer=CUSTOMER, anonymous_id="visitor-1")

    assert _errors(RecordedTouchpoint, data) == [
        ("", "customer and anonymous_id are exclusive: give exactly one of them")
    ]


def test_touchpoint_of_nobody_is_rejected() -> None:
    assert _errors(RecordedTouchpoint, _touchpoint()) == [
        ("", "customer or anonymous_id is required (exactly one of them)")
    ]


@pytest.mark.parametrize(
    ("field", "lowest", "highest"), [("csat", 1, 5), ("nps", 0, 10), ("effort", 1, 7)]
)
def test_scores_are_whole_numbers_within_their_scale(field: str, lowest: int, highest: int) -> None:
    for score in (lowest, highest):
        valid = RecordedTouchpoint.model_validate(_touchpoint(anonymous_id="v", **{field: score}))
        assert getattr(valid, field) == score
    for score in (lowest - 1, highest + 1, 3.5, "3", True):
        [(where, _)] = _errors(RecordedTouchpoint, _touchpoint(anonymous_id="v", **{field: score}))
        assert where == field


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "fax"),
        ("direction", "sideways"),
        ("duration_seconds", -1),
        ("cost", "-1"),
        ("touchpoint_type", ""),
    ],
)
def test_touchpoint_field_outside_its_rules_is_rejected(field: str, value: Any) -> None:
    [(where, _)] = _errors(RecordedTouchpoint, _touchpoint(anonymous_id="v", **{field: value}))

    assert where == field


def test_identification_needs_a_visitor_and_a_customer() -> None:
    assert _errors(IdentifiedVisitor, {"customer": CUSTOMER}) == [
        ("anonymous_id", "Field required")
    ]
    assert _errors(IdentifiedVisitor, {"anonymous_id": "v"}) == [("customer", "Field required")]
