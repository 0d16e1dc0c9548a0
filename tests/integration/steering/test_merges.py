"""Merges, unmerges and erasures in steering: orders, period flags and segment state follow
profiles."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.steering import cockpit, consistency, models
from services.steering.domain.contributions import ORDERED, UNPROFITABLE_SERVED
from shared.events.envelope import new_event
from shared.events.gdpr import CustomerErased
from tests.integration.steering.support import (
    Steering,
    assigned,
    contact,
    merged,
    order,
    registered,
    steering_on,
    unmerged,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def steering(database_factory, api_keys: tuple[Path, dict[str, str]]) -> Steering:  # type: ignore[no-untyped-def]
    running = steering_on(database_factory("steering"), api_keys[0])
    running.activate_strategy()
    running.feed(
        registered("c1", region="south"),
        registered("c2", region="north"),
        assigned("c1", "key_accounts", "high", "loyal", clv="5000", cm3="1200"),
        assigned("c2", "mass_market", "negative", "developing", clv="100", cm3="-50"),
    )
    running.feed(
        order("c1", "o1", "2025-10-05T10:00:00+00:00", "1000.00", "600.00"),
        order("c2", "o2", "2025-10-10T10:00:00+00:00", "200.00", "180.00"),
        order("c2", "o3", "2025-11-02T10:00:00+00:00", "50.00", "20.00"),
    )
    return running


def _state(steering: Steering) -> dict[str, Any]:
    [row] = steering.rows(models.kpi_state, dimension="all")
    return {name: row[name] for name in ("customers", "clv", "unprofitable_customers")}


def _owners(steering: Steering) -> dict[str, str]:
    return {row["order_id"]: row["customer_id"] for row in steering.rows(models.orders)}


def _flags(steering: Steering, customer_id: str) -> dict[str, int]:
    rows = steering.rows(models.customer_periods, customer_id=customer_id)
    return {row["period"]: row["flags"] for row in rows}


def _active_over_both_months(steering: Steering) -> object:
    """Active customers of October and November together, each counted once."""
    with steering.runtime.read_session_factory() as session:
        board = cockpit.build_board(session, "2025-10..2025-11", "all")
    return board.members[0].evaluations["active_customers"].value


def _totals(steering: Steering) -> dict[str, tuple[int, Decimal]]:
    with steering.runtime.read_session_factory() as session:
        found = consistency.customer_totals(session, "", 100)
    return {t.customer_id: (t.orders, t.revenue) for t in found}


def test_a_merge_moves_orders_and_flags_to_the_survivor_and_takes_the_absorbed_state_out(
    steering: Steering,
) -> None:
    flags_before = _flags(steering, "c2")
    assert _active_over_both_months(steering) == 2

    steering.feed(merged("c1", "c2"))

    assert _owners(steering) == {"o1": "c1", "o2": "c1", "o3": "c1"}
    assert _flags(steering, "c2") == {}
    assert steering.rows(models.customer_activity, customer_id="c2") == []
    assert _active_over_both_months(steering) == 1
    assert set(flags_before) <= set(_flags(steering, "c1"))
    assert _state(steering) == {"customers": 1, "clv": 5000_0000, "unprofitable_customers": 0}
    assert steering.rows(models.customer_facts, customer_id="c2") == []
    assert _totals(steering) == {"c1": (3, Decimal("1250.00"))}


def test_an_order_of_the_survivor_in_the_merge_batch_sees_the_flags_it_was_given(
    steering: Steering,
) -> None:
    # c2 was active in November; the survivor orders in November in the same batch.
    steering.feed(
        merged("c1", "c2"),
        order("c1", "o5", "2025-11-10T10:00:00+00:00", "40.00", "10.00"),
    )

    with steering.runtime.read_session_factory() as session:
        board = cockpit.build_board(session, "2025-11", "all")
    assert board.members[0].evaluations["active_customers"].value == 1
    # c2's flags for November (ordered, unprofitable served) stay with the survivor.
    assert _flags(steering, "c1")["2025-11"] == ORDERED | UNPROFITABLE_SERVED


def test_an_unmerge_gives_back_exactly_what_the_merge_took(steering: Steering) -> None:
    flags_before = _flags(steering, "c2")
    steering.feed(merged("c1", "c2"))
    # Arrives for the survivor while merged: it stays with the survivor.
    steering.feed(order("c1", "o4", "2025-11-20T10:00:00+00:00", "70.00", "30.00"))

    steering.feed(unmerged("c1", "c2"))
    steering.feed(assigned("c2", "mass_market", "negative", "developing", clv="90", cm3="-40"))

    assert _owners(steering) == {"o1": "c1", "o2": "c2", "o3": "c2", "o4": "c1"}
    assert _flags(steering, "c2") == flags_before
    assert _active_over_both_months(steering) == 2
    # c2 counts again with its new assignment, and its old one is not taken out twice.
    assert _state(steering) == {"customers": 2, "clv": 5090_0000, "unprofitable_customers": 1}
    assert _totals(steering) == {
        "c1": (2, Decimal("1070.00")),
        "c2": (2, Decimal("250.00")),
    }
    assert steering.rows(models.merge_journal) == []


def test_a_redelivered_unmerge_changes_nothing(steering: Steering) -> None:
    steering.feed(merged("c1", "c2"))
    steering.feed(unmerged("c1", "c2"))
    owners = _owners(steering)

    steering.feed(unmerged("c1", "c2"))

    assert _owners(steering) == owners


def test_events_arriving_after_the_erasure_do_not_bring_the_customer_back(
    steering: Steering,
) -> None:
    state_without_c2 = {"customers": 1, "clv": 5000_0000, "unprofitable_customers": 0}
    erased = CustomerErased(customer_id="c2", erasure_id="e-1", requested_at=datetime.now(UTC))
    steering.feed(new_event(source="profiles", type="customer.erased", subject="c2", data=erased))
    assert _state(steering) == state_without_c2

    # Orders, contacts and assignments travel on other topics than the erasure.
    steering.feed(
        order("c2", "o9", "2025-11-05T10:00:00+00:00", "30.00", "10.00"),
        contact("c2", "2025-11-06T10:00:00+00:00", "phone", "complaint", csat=1),
        assigned("c2", "mass_market", "negative", "developing", clv="100", cm3="-50"),
    )

    assert _state(steering) == state_without_c2
    assert steering.rows(models.orders, customer_id="c2") == []
    assert steering.rows(models.customer_facts, customer_id="c2") == []
    assert steering.rows(models.customer_periods, customer_id="c2") == []
    assert steering.rows(models.customer_activity, customer_id="c2") == []
    assert set(_totals(steering)) == {"c1"}
