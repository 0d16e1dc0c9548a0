"""What orders, returns and touchpoints add to a customer's day in the ledger."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from services.segmentation import ledger
from shared.events.orders import OrderLine, OrderPlaced, OrderReturned, ReturnLine
from shared.events.touchpoints import TouchpointRecorded

WHEN = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))


def _order(**fields: object) -> OrderPlaced:
    values: dict[str, object] = {
        "customer_id": "c1",
        "order_id": "o1",
        "source_system": "shop",
        "channel": "field_sales",
        "currency": "EUR",
        "lines": [
            OrderLine(
                sku="a",
                category="tools",
                quantity=Decimal(2),
                net_revenue=Decimal("100.005"),
                cost_of_goods=Decimal("60"),
            ),
            OrderLine(
                sku="b",
                category="paint",
                quantity=Decimal(1),
                net_revenue=Decimal("50"),
                cost_of_goods=Decimal("20"),
            ),
        ],
        "discount": Decimal("10"),
        "shipping_cost": Decimal("4.50"),
        "ordered_at": WHEN,
        "net_revenue": Decimal("150.005"),
        "cost_of_goods": Decimal("80"),
    }
    values.update(fields)
    return OrderPlaced.model_validate(values)


def test_an_order_counts_on_its_utc_day_in_exact_ten_thousandths() -> None:
    figures = ledger.order_figures(_order())

    assert ledger.day_date(figures.day).isoformat() == "2026-03-02"  # 01:30 UTC next day
    assert figures.revenue == 1_500_050
    assert figures.categories == {"tools": 1_000_050, "paint": 500_000}
    assert figures.measures(+1) == {
        "orders": 1,
        "revenue": 1_500_050,
        "cost_of_goods": 800_000,
        "discounts": 100_000,
        "shipping_costs": 45_000,
        "other_direct_costs": 0,
        "orders_field": 1,
    }


def test_taking_an_order_back_negates_every_measure() -> None:
    figures = ledger.order_figures(_order())

    back = figures.measures(-1)

    assert all(back[name] == -value for name, value in figures.measures(+1).items())


def test_returned_lines_count_the_credit_less_the_goods_that_came_back() -> None:
    returned = OrderReturned(
        customer_id="c1",
        order_id="o1",
        source_system="shop",
        lines=[
            ReturnLine(
                sku="a", quantity=Decimal(1), net_revenue=Decimal("50"), cost_of_goods=Decimal("30")
            )
        ],
        handling_cost=Decimal("7"),
        returned_at=datetime(2026, 3, 5, tzinfo=UTC),
    )

    day, measures = ledger.return_measures(returned)

    assert ledger.day_date(day).isoformat() == "2026-03-05"
    assert measures == {
        "returns": 200_000,
        "returned_revenue": 500_000,
        "return_handling": 70_000,
        "unpriced_returns": 0,
    }


def test_a_credited_amount_counts_in_full_and_its_handling_is_priced_later() -> None:
    returned = OrderReturned(
        customer_id="c1",
        order_id="o1",
        source_system="shop",
        amount=Decimal("25"),
        returned_at=datetime(2026, 3, 5, tzinfo=UTC),
    )

    _, measures = ledger.return_measures(returned)

    assert measures["returns"] == measures["returned_revenue"] == 250_000
    assert measures["unpriced_returns"] == 1


def test_a_complaint_with_a_rating_is_a_service_contact_and_an_answer() -> None:
    touchpoint = TouchpointRecorded(
        customer_id="c1",
        source_system="crm",
        channel="phone",
        touchpoint_type="complaint",
        csat=2,
        nps=3,
        occurred_at=WHEN,
    )

    _, measures = ledger.touchpoint_measures(touchpoint)

    assert measures == {
        "service_contacts": 1,
        "complaints": 1,
        "csat_sum": 2,
        "csat_answers": 1,
        "nps_sum": 3,
        "nps_answers": 1,
    }


def test_a_website_visit_adds_no_service_measure() -> None:
    touchpoint = TouchpointRecorded(
        customer_id="c1",
        source_system="web",
        channel="web",
        touchpoint_type="website_visit",
        occurred_at=WHEN,
    )

    assert ledger.touchpoint_measures(touchpoint)[1] == {}


def test_amounts_round_half_to_even_and_come_back_with_two_decimals() -> None:
    assert ledger.units(Decimal("0.00005")) == 0
    assert ledger.units(Decimal("0.00015")) == 2
    assert ledger.amount(1_234_567) == Decimal("123.46")
