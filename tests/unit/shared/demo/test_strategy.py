"""The demo company's strategy and incentive plan: valid documents, targets from history."""

from datetime import UTC, datetime
from decimal import Decimal

from services.steering.incentive_schemas import IncentivePlanContent
from services.steering.strategy_schemas import StrategyContent
from shared.demo.__main__ import recent_from, split_at
from shared.demo.company import reps
from shared.demo.strategy import history_figures, incentive_plan, strategy_document

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def _order(customer: str, at: str, *amounts: str) -> dict[str, object]:
    return {
        "type": "order.placed",
        "time": at,
        "data": {
            "customer": {"system": "shop", "id": customer},
            "lines": [{"net_revenue": amount} for amount in amounts],
        },
    }


def test_targets_come_from_the_last_twelve_months_of_orders() -> None:
    events = [
        _order("a", "2025-06-01T10:00:00+00:00", "999.00"),  # older than twelve months
        _order("a", "2026-01-10T10:00:00+00:00", "100.00", "20.00"),
        _order("b", "2026-05-10T10:00:00+00:00", "1080.00"),
        {"type": "touchpoint.recorded", "time": "2026-05-11T10:00:00+00:00", "data": {}},
    ]

    revenue, new = history_figures(events, NOW)

    assert revenue == Decimal("100.00")  # 1,200 over 12 months
    assert new == Decimal(1) / 12  # b's first order; a ordered before the twelve months


def test_the_strategy_and_plan_are_documents_steering_accepts() -> None:
    document = strategy_document(Decimal("100000.00"), Decimal("30"))
    plan = incentive_plan(reps(), Decimal("100000.00"))

    strategy = StrategyContent.model_validate(document)
    incentives = IncentivePlanContent.model_validate(plan)

    targets = {t.kpi: t.value for t in strategy.kpi_targets}
    assert targets["revenue"] == Decimal("105000.00")
    assert targets["new_customers"] == Decimal("33.00")
    assert {cell.segment for cell in strategy.portfolio if cell.value_tier == "negative"} == {
        "restructure"
    }
    assert {s.thrust for s in strategy.segments} == {
        "grow",
        "retain",
        "develop",
        "serve_efficiently",
        "restructure",
    }
    assert len(incentives.teams) == 5
    assert sum(c.weight for c in incentives.components) == 1


def test_the_recent_events_are_those_of_the_running_and_the_previous_quarter() -> None:
    assert recent_from(datetime(2026, 11, 27, 9, tzinfo=UTC)) == datetime(2026, 7, 1, tzinfo=UTC)
    assert recent_from(datetime(2026, 2, 10, tzinfo=UTC)) == datetime(2025, 10, 1, tzinfo=UTC)
    events = [
        {"time": "2026-06-30T23:59:59+00:00"},
        {"time": "2026-07-01T00:00:00+00:00"},
        {"time": "2026-07-01T01:00:00+02:00"},  # 2026-06-30 23:00 UTC
    ]
    older, recent = split_at(events, datetime(2026, 7, 1, tzinfo=UTC))
    assert older == [events[0], events[2]] and recent == [events[1]]
