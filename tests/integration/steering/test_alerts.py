"""Alerts on a real database: customers at risk, unprofitable segments growing, red KPIs."""

from pathlib import Path

import pytest
from sqlalchemy import select

from services.steering import alerts, periods_store
from services.steering.aggregate_writer import AggregateWriter
from tests.integration.steering.support import (
    Steering,
    assigned,
    order,
    registered,
    steering_on,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def steering(database_factory, api_keys: tuple[Path, dict[str, str]]) -> Steering:  # type: ignore[no-untyped-def]
    running = steering_on(database_factory("steering"), api_keys[0])
    running.activate_strategy()
    return running


def _alerts(steering: Steering, kind: str) -> list[dict[str, object]]:
    with steering.runtime.read_session_factory() as session:
        return alerts.listed(session, kind=kind, since=None, limit=100)


def test_a_high_value_customer_turning_at_risk_raises_one_alert(steering: Steering) -> None:
    steering.feed(registered("c1"), assigned("c1", "key_accounts", "high", "loyal"))
    steering.feed(assigned("c1", "key_accounts", "high", "at_risk"))
    steering.feed(assigned("c1", "key_accounts", "high", "at_risk", clv="10"))

    (alert,) = _alerts(steering, "customer_at_risk")
    assert alert["subject"] == "c1" and alert["severity"] == "critical"
    outbox = steering.runtime.tables.outbox
    with steering.runtime.read_session_factory() as session:
        published = session.scalars(
            select(outbox.c.message_key).where(outbox.c.event_type == "kpi.alert")
        ).all()
    assert "c1" in published


def test_an_unprofitable_segment_gaining_customers_raises_an_alert(steering: Steering) -> None:
    steering.feed(
        registered("c1"),
        registered("c2"),
        assigned("c1", "mass_market", "negative", "developing", cm3="-50"),
    )
    steering.feed(assigned("c2", "key_accounts", "high", "loyal", cm3="900"))

    (alert,) = _alerts(steering, "segment_growing")
    assert alert["subject"] == "mass_market"
    assert "-50.00" in str(alert["message"])


def test_closing_a_month_raises_its_red_kpis(steering: Steering) -> None:
    steering.feed(
        registered("c1"),
        assigned("c1", "key_accounts", "high", "loyal"),
    )
    steering.feed(order("c1", "o1", "2025-10-05T10:00:00+00:00", "1000.00", "600.00"))
    with steering.runtime.session_factory.begin() as session:
        periods_store.close_month(session, "2025-10", "finance", None)
        alerts.Alerts(steering.runtime.outbox, "steering", AggregateWriter()).on_close(
            session, "2025-10"
        )

    subjects = {str(a["subject"]) + " " + str(a["message"]) for a in _alerts(steering, "kpi_red")}
    # revenue 1000 against 2000 overall (red), 1000 against 1000 in key_accounts (green)
    assert any(s.startswith("revenue ") and "overall" in s for s in subjects)
    assert not any("in key_accounts" in s and s.startswith("revenue ") for s in subjects)
