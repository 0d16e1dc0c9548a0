"""Reps and payouts on a real database: components over the rep x segment aggregates."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.steering import payouts, periods_store, reps
from tests.integration.steering.support import Steering, assigned, order, registered, steering_on

pytestmark = pytest.mark.integration

PLAN: dict[str, Any] = {
    "name": "Field sales 2025",
    "teams": ["field"],
    "on_target_bonus": "1000.00",
    "components": [
        {
            "key": "grow_cm2",
            "name": "cm2 growth in grow segments",
            "metric": "cm2_growth",
            "thrusts": ["grow"],
            "weight": "0.6",
            "target": "100",
            "threshold": "0.5",
            "cap": "2",
            "accelerators": [{"from_attainment": "1.0", "multiplier": "2"}],
        },
        {
            "key": "new_targets",
            "name": "new customers in target segments",
            "metric": "new_customers",
            "target_segments_only": True,
            "weight": "0.4",
            "target": "1",
        },
        {
            "key": "discount",
            "name": "discount beyond the price band",
            "metric": "discount_malus",
            "weight": "0",
            "target": "0.03",
            "malus_per_point": "10",
        },
    ],
}


@pytest.fixture
def steering(database_factory, api_keys: tuple[Path, dict[str, str]]) -> Steering:  # type: ignore[no-untyped-def]
    running = steering_on(database_factory("steering"), api_keys[0])
    running.activate_strategy()
    running.activate_plan("field", PLAN)
    with running.runtime.session_factory.begin() as session:
        reps.register(session, "anna", {"name": "Anna", "team": "field", "region": "south"})
    running.feed(
        registered("c1", region="south", owner_rep="anna"),
        registered("c3", region="south", owner_rep="anna"),
        registered("c2", region="north", owner_rep="ben"),
        assigned("c1", "key_accounts", "high", "loyal"),
        assigned("c3", "key_accounts", "high", "new"),
    )
    running.feed(
        order("c1", "o0", "2025-09-10T10:00:00+00:00", "400.00", "200.00"),
        order(
            "c1",
            "o1",
            "2025-10-05T10:00:00+00:00",
            "1000.00",
            "600.00",
            discount=Decimal("50"),
            shipping_cost=Decimal("20"),
        ),
        order("c3", "o3", "2025-10-07T10:00:00+00:00", "100.00", "100.00"),
    )
    return running


def _payout(steering: Steering, period: str, rep: str = "anna") -> dict[str, Any]:
    with steering.runtime.read_session_factory() as session:
        statements, _, final = payouts.payouts(session, period, rep)
    return {**statements[0], "final": final}


def test_each_component_pays_by_its_rules_and_explains_itself(steering: Steering) -> None:
    payout = _payout(steering, "2025-10")
    lines = {line["component"]: line for line in payout["lines"]}

    # cm2 Oct 1000 - 600 - 50 - 20 + (100 - 100) = 330, Sep 400 - 200 = 200: growth 130
    # 130 / 100 = 1.30 -> accelerated 1.00 + 0.30 x 2 = 1.60; 1000 x 0.6 x 1.60 = 960
    assert lines["grow_cm2"]["value"] == Decimal("130.00")
    assert lines["grow_cm2"]["factor"] == Decimal("1.6000")
    assert lines["grow_cm2"]["amount"] == Decimal("960.00")
    assert lines["grow_cm2"]["segments"] == ["key_accounts"]
    # c3 ordered first in October: 1 / 1 -> 1000 x 0.4
    assert lines["new_targets"]["amount"] == Decimal("400.00")
    # discount 50 / 1150 = 0.0435: 1.35 points beyond 3 % x 10
    assert lines["discount"]["amount"] == Decimal("-13.50")
    assert "beyond the price band" in lines["discount"]["explanation"]
    assert payout["total"] == Decimal("1346.50")
    assert payout["plan_id"] == "field" and payout["final"] is False


def test_a_closed_period_pays_the_same_after_late_events_which_count_in_the_next(
    steering: Steering,
) -> None:
    with steering.runtime.session_factory.begin() as session:
        periods_store.close_month(session, "2025-10", "finance", None)
        payouts.freeze(session, "2025-10")
    steering.feed(order("c3", "late", "2025-10-25T10:00:00+00:00", "900.00", "100.00"))

    october = _payout(steering, "2025-10")
    november = _payout(steering, "2025-11")
    assert october["final"] is True
    assert Decimal(october["total"]) == Decimal("1346.50")
    assert november["late_events"] == 1 and november["final"] is False


def test_reps_are_learned_from_customers_owner_rep(steering: Steering) -> None:
    with steering.runtime.read_session_factory() as session:
        known = {row["rep_id"]: row for row in reps.listed(session)}
        _, unplanned = payouts.compute(session, "2025-10")
    assert known["anna"]["source"] == "api" and known["anna"]["team"] == "field"
    assert known["ben"]["source"] == "customers" and known["ben"]["region"] == "north"
    assert unplanned == ["ben"]  # no plan names no team, ben has none
