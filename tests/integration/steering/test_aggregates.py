"""KPI aggregates kept from events on a real database, and the board read from them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from services.steering import cockpit, models, periods_store
from tests.integration.steering.support import (
    Steering,
    assigned,
    contact,
    journey,
    order,
    registered,
    returned,
    steering_on,
)

pytestmark = pytest.mark.integration
NOW = "2099-01"  # no period of these tests is the running one


@pytest.fixture
def steering(database_factory, api_keys: tuple[Path, dict[str, str]]) -> Steering:  # type: ignore[no-untyped-def]
    running = steering_on(database_factory("steering"), api_keys[0])
    running.activate_strategy()
    return running


def _board(steering: Steering, period: str, dimension: str = "all") -> dict[str, dict[str, object]]:
    with steering.runtime.read_session_factory() as session:
        board = cockpit.build_board(session, period, dimension)
    return {m.member: {k: e for k, e in m.evaluations.items()} for m in board.members}


def _october(steering: Steering) -> None:
    steering.feed(
        registered("c1", region="south", owner_rep="anna"),
        registered("c2", region="north"),
        assigned("c1", "key_accounts", "high", "loyal", clv="5000", gap="300", cm3="1200"),
        assigned("c2", "mass_market", "negative", "developing", clv="100", cm3="-50"),
    )
    steering.feed(
        order(
            "c1",
            "o1",
            "2025-10-05T10:00:00+00:00",
            "1000.00",
            "600.00",
            channel="field_sales",
            discount=Decimal("50"),
            shipping_cost=Decimal("20"),
        ),
        order("c2", "o2", "2025-10-10T10:00:00+00:00", "200.00", "180.00"),
        returned("c1", "o1", "2025-10-20T10:00:00+00:00", "100.00", "60.00", "5.00"),
        contact("c1", "2025-10-21T10:00:00+00:00", "phone", "complaint", csat=4, nps=10),
    )


def test_the_board_of_a_month_is_computed_from_the_aggregates(steering: Steering) -> None:
    _october(steering)
    board = _board(steering, "2025-10")["all"]

    values = {key: evaluation.value for key, evaluation in board.items()}  # type: ignore[attr-defined]
    # revenue 1200 - 100 returned; cogs 780 - 60; cm2 less 50 discount, 20 shipping;
    # cost to serve: 5.00 handling + one phone contact at the strategy's 9.50
    assert values["revenue"] == Decimal("1100.00")
    assert values["contribution_margin_1"] == Decimal("380.00")
    assert values["contribution_margin_2"] == Decimal("310.00")
    assert values["contribution_margin_3"] == Decimal("295.50")
    assert values["active_customers"] == 2 and values["new_customers"] == 2
    assert values["discount_rate"] == Decimal("0.0400")  # 50 / 1250
    assert values["target_segment_revenue_share"] == Decimal("0.8333")  # 1000 / 1200
    assert values["nps"] == Decimal("100.0") and values["csat"] == Decimal("4.0000")
    assert values["unprofitable_customers_served"] == 1
    assert values["unprofitable_margin_lost"] == Decimal("0.00")  # c2 earned 20 this month
    assert values["average_clv"] == Decimal("2550.00")
    assert values["upsell_potential"] == Decimal("300.00")
    assert values["treatment_coverage"] == Decimal("0.5000")
    assert values["cost_to_serve_share"] == Decimal("0.0132")  # 14.50 / 1100
    revenue = board["revenue"]
    assert (revenue.target, revenue.attainment, revenue.status) == (  # type: ignore[attr-defined]
        Decimal("2000.00"),
        Decimal("0.5500"),
        "red",
    )
    assert board["discount_rate"].status == "green"  # type: ignore[attr-defined]
    quarter = _board(steering, "2025-Q4")["all"]["revenue"]
    assert quarter.target == Decimal("6000.00")  # type: ignore[attr-defined]


def test_the_board_splits_by_segment_region_and_rep(steering: Steering) -> None:
    _october(steering)
    by_segment = _board(steering, "2025-10", "segment")
    by_rep = _board(steering, "2025-10", "rep")
    by_region = _board(steering, "2025-10", "region")

    assert by_segment["key_accounts"]["revenue"].value == Decimal("900.00")  # type: ignore[attr-defined]
    assert by_segment["key_accounts"]["revenue"].target == Decimal("1000.00")  # type: ignore[attr-defined]
    assert by_segment["mass_market"]["revenue"].target is None  # type: ignore[attr-defined]
    assert by_rep["anna"]["active_customers"].value == 1  # type: ignore[attr-defined]
    assert by_region["north"]["revenue"].value == Decimal("200.00")  # type: ignore[attr-defined]


def test_a_closed_month_keeps_its_figures_and_late_events_count_in_the_next_open_one(
    steering: Steering,
) -> None:
    _october(steering)
    with steering.runtime.session_factory.begin() as session:
        periods_store.close_month(session, "2025-10", "finance", None)
    later = datetime.now(UTC) + timedelta(minutes=1)
    steering.feed(
        order("c1", "late", "2025-10-30T10:00:00+00:00", "50.00", "10.00"),
        # the replacement of an order counted in the closed month
        order("c2", "o2", "2025-10-10T10:00:00+00:00", "150.00", "180.00", event_time=later),
    )

    october = _board(steering, "2025-10")["all"]
    november = _board(steering, "2025-11")["all"]
    quarter = _board(steering, "2025-Q4")["all"]
    assert october["revenue"].value == Decimal("1100.00")  # type: ignore[attr-defined]
    # 50 late, -200 taken back, +150 replaced: all in November, three late events
    assert november["revenue"].value == Decimal("0.00")  # type: ignore[attr-defined]
    with steering.runtime.read_session_factory() as session:
        late = cockpit._flows(session, "2025-11", "all")["all"]["late_events"]
    assert late == 3
    assert quarter["revenue"].value == Decimal("1100.00")  # type: ignore[attr-defined]
    assert november["active_customers"].value == 1  # type: ignore[attr-defined]


def test_a_range_of_months_adds_up_its_sums_and_counts_each_customer_once(
    steering: Steering,
) -> None:
    _october(steering)
    steering.feed(
        order("c1", "o3", "2025-11-03T10:00:00+00:00", "300.00", "100.00", channel="field_sales"),
        contact("c1", "2025-11-04T10:00:00+00:00", "phone", "call"),
        order("c2", "o4", "2025-12-02T10:00:00+00:00", "100.00", "90.00"),
    )
    # c1 moves to mass_market after its orders: over a range it counts there, once
    steering.feed(assigned("c1", "mass_market", "high", "loyal", clv="5000", cm3="1200"))
    october, november = (_board(steering, m)["all"] for m in ("2025-10", "2025-11"))
    with steering.runtime.read_session_factory() as session:
        board = cockpit.build_board(session, "2025-10..2025-11", "all")
    span = {k: e.value for k, e in board.members[0].evaluations.items()}
    by_segment = _board(steering, "2025-10..2025-11", "segment")
    by_channel = _board(steering, "2025-10..2025-11", "channel")
    whole_quarter = _board(steering, "2025-10..2025-12", "channel")["field_sales"]

    assert (board.period, board.previous_period) == ("2025-10..2025-11", "2025-08..2025-09")
    assert span["revenue"] == Decimal("1400.00")  # 1100 in October + 300 in November
    assert october["active_customers"].value + november["active_customers"].value == 3  # type: ignore[attr-defined]
    assert span["active_customers"] == 2 and span["new_customers"] == 2
    # c1 was contacted in both months: once of two assigned customers, not twice
    assert span["treatment_coverage"] == Decimal("0.5000")
    assert span["unprofitable_customers_served"] == 1
    assert board.members[0].evaluations["revenue"].target == Decimal("4000.00")  # 2 x 2000
    assert by_segment["key_accounts"]["revenue"].value == Decimal("1200.00")  # type: ignore[attr-defined]
    assert by_segment["mass_market"]["active_customers"].value == 2  # type: ignore[attr-defined]
    assert by_segment["key_accounts"]["active_customers"].value == 0  # type: ignore[attr-defined]
    assert by_channel["field_sales"]["revenue"].value == Decimal("1200.00")  # type: ignore[attr-defined]
    assert by_channel["field_sales"]["active_customers"].value is None  # type: ignore[attr-defined]
    # a range that is exactly a quarter reads the quarter's own counts
    assert whole_quarter["active_customers"].value == 1  # type: ignore[attr-defined]


def test_a_range_across_two_blocks_of_activity_counts_a_customer_once(steering: Steering) -> None:
    steering.feed(
        registered("c1", region="south"),
        assigned("c1", "key_accounts", "high", "loyal", clv="5000", cm3="1200"),
    )
    # 2029-12 ends a block of 60 months, 2030-01 starts the next
    steering.feed(
        order("c1", "o1", "2029-12-05T10:00:00+00:00", "100.00", "60.00"),
        order("c1", "o2", "2030-01-05T10:00:00+00:00", "100.00", "60.00"),
    )

    span = _board(steering, "2029-11..2030-02")["all"]
    before = _board(steering, "2029-07..2029-10")["all"]

    assert span["active_customers"].value == 1  # type: ignore[attr-defined]
    assert span["revenue"].value == Decimal("200.00")  # type: ignore[attr-defined]
    assert before["active_customers"].value == 0  # type: ignore[attr-defined]


def test_an_older_order_arriving_later_makes_the_customer_new_in_its_month_instead(
    steering: Steering,
) -> None:
    steering.feed(
        registered("c1", region="south"),
        assigned("c1", "key_accounts", "high", "loyal", clv="5000", cm3="1200"),
    )
    steering.feed(order("c1", "o2", "2025-11-05T10:00:00+00:00", "100.00", "60.00"))
    assert _board(steering, "2025-11")["all"]["new_customers"].value == 1  # type: ignore[attr-defined]

    # History imported afterwards: the customer's first order was in September.
    steering.feed(
        order("c1", "o1", "2025-09-05T10:00:00+00:00", "80.00", "50.00", channel="field_sales")
    )

    def new(period: str, dimension: str = "all", member: str = "all") -> object:
        return _board(steering, period, dimension)[member]["new_customers"].value  # type: ignore[attr-defined]

    assert (new("2025-09"), new("2025-11")) == (1, 0)
    assert (new("2025-Q3"), new("2025-Q4"), new("2025")) == (1, 0, 1)
    assert new("2025-09", "channel", "field_sales") == 1
    assert new("2025-11", "channel", "web") == 0
    assert new("2025-11", "segment", "key_accounts") == 0
    # A still older order in the same month changes nothing more.
    steering.feed(order("c1", "o0", "2025-09-01T10:00:00+00:00", "10.00", "5.00"))
    assert (new("2025-09"), new("2025-11"), new("2025")) == (1, 0, 1)


def test_a_contacted_customer_moving_segment_counts_as_contacted_in_its_new_one(
    steering: Steering,
) -> None:
    _october(steering)  # c1 (key accounts) was contacted in October, c2 (mass market) not

    steering.feed(
        assigned(
            "c1", "mass_market", "high", "loyal", cm3="1200", as_of="2025-10-25T00:00:00+00:00"
        )
    )

    by_segment = _board(steering, "2025-10", "segment")
    quarter = _board(steering, "2025-Q4", "segment")
    mass_market = by_segment["mass_market"]["treatment_coverage"].value  # type: ignore[attr-defined]
    assert mass_market == Decimal("0.5000")  # c1 of c1 and c2
    assert by_segment["key_accounts"]["treatment_coverage"].value is None  # type: ignore[attr-defined]
    assert quarter["mass_market"]["treatment_coverage"].value == Decimal("0.5000")  # type: ignore[attr-defined]
    # The revenue stays where it was earned.
    assert by_segment["key_accounts"]["revenue"].value == Decimal("900.00")  # type: ignore[attr-defined]


def test_a_journey_counts_once_when_its_status_closes_and_a_reopening_takes_it_back(
    steering: Steering,
) -> None:
    steering.feed(registered("c1"), registered("c2"))
    steering.feed(
        journey("c1", "j1", "awareness", "2025-10-01T10:00:00+00:00", "open", None),
        journey("c1", "j1", "purchase", "2025-10-03T10:00:00+00:00", "converted", "open"),
        journey("c1", "j1", "onboarding", "2025-10-04T10:00:00+00:00", "converted", "converted"),
        journey("c2", "j2", "awareness", "2025-10-02T10:00:00+00:00", "abandoned", "open"),
        journey("c2", "j3", "awareness", "2025-10-05T10:00:00+00:00", "abandoned", "open"),
    )
    steering.feed(
        # History delivered later: j2 had a contact within its gap, and went on to convert.
        journey("c2", "j2", "awareness", "2025-10-02T10:00:00+00:00", "open", "abandoned"),
        journey("c2", "j2", "purchase", "2025-10-06T10:00:00+00:00", "converted", "open"),
    )

    table = models.kpi_aggregates
    with steering.runtime.read_session_factory() as session:
        row = session.execute(
            select(table.c.journeys_converted, table.c.journeys_abandoned).where(
                table.c.period == "2025-10", table.c.dimension == "all"
            )
        ).one()
    assert (row.journeys_converted, row.journeys_abandoned) == (2, 1)
