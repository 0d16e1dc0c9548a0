"""KPI formulas, status bands, targets per period and periods, on hand-computed values."""

from decimal import Decimal

import pytest

from services.steering.domain import board, contributions, kpis, periods
from services.steering.domain.strategy import StrategyOutline, problems

REVENUE = kpis.KPIS["revenue"]
DISCOUNT = kpis.KPIS["discount_rate"]


def test_margins_take_returns_discounts_and_cost_to_serve_off() -> None:
    flow = {
        "revenue": 12_000_000,  # 1200.00
        "cost_of_goods": 7_800_000,
        "returned_revenue": 1_000_000,
        "returned_cost_of_goods": 600_000,
        "discounts": 500_000,
        "direct_costs": 200_000,
        "cost_to_serve": 145_000,
    }
    values = kpis.values(flow, {})
    assert values["revenue"] == Decimal("1100.00")
    assert values["contribution_margin_1"] == Decimal("380.00")
    assert values["contribution_margin_2"] == Decimal("310.00")
    assert values["contribution_margin_3"] == Decimal("295.50")
    assert values["cost_to_serve_share"] == Decimal("0.0132")
    assert values["discount_rate"] == Decimal("0.0400")


def test_rates_without_a_base_are_undefined_not_zero() -> None:
    values = kpis.values({}, {})
    assert values["nps"] is None and values["csat"] is None
    assert values["churn_rate"] is None and values["average_clv"] is None


def test_churn_counts_lost_customers_against_the_base_they_left() -> None:
    values = kpis.values(
        {"lost_customers": 2, "nps_promoters": 3, "nps_detractors": 1, "nps_answers": 5},
        {"base_customers": 8},
    )
    assert values["churn_rate"] == Decimal("0.2000")
    assert values["retention_rate"] == Decimal("0.8000")
    assert values["nps"] == Decimal("40.0")


@pytest.mark.parametrize(
    ("value", "status"),
    [("2000", "green"), ("1850", "amber"), ("1799", "red")],
)
def test_status_follows_the_bands_on_attainment(value: str, status: str) -> None:
    bands = board.Bands(green_from=Decimal("1.00"), amber_from=Decimal("0.90"))
    # 1850 / 2000 = 0.925 is amber; 1799 / 2000 = 0.8995 is red
    evaluation = board.evaluate(REVENUE, Decimal(value), Decimal("2000"), None, bands)
    assert evaluation.status == status


def test_lower_is_better_kpis_attain_by_staying_under_target() -> None:
    evaluation = board.evaluate(
        DISCOUNT, Decimal("0.0400"), Decimal("0.05"), Decimal("0.0300"), board.Bands()
    )
    assert evaluation.attainment == Decimal("1.2500")
    assert evaluation.status == "green"
    assert (evaluation.trend, evaluation.improving) == ("up", False)


def test_monthly_targets_of_sums_scale_to_quarters_and_rates_do_not() -> None:
    assert board.period_target(REVENUE, Decimal("2000"), 3) == Decimal("6000")
    assert board.period_target(DISCOUNT, Decimal("0.05"), 12) == Decimal("0.05")


def test_periods_shift_across_years_and_closed_months_pass_events_on() -> None:
    assert periods.enclosing("2025-11") == ("2025-11", "2025-Q4", "2025")
    assert periods.shift("2025-01", -1) == "2024-12"
    assert periods.shift("2025-Q1", -1) == "2024-Q4"
    assert periods.series("2025-Q2", 3) == ["2024-Q4", "2025-Q1", "2025-Q2"]
    assert periods.open_month("2025-10", {"2025-10", "2025-11"}) == "2025-12"


def test_a_range_of_months_moves_by_its_length_and_refuses_to_run_backwards() -> None:
    assert periods.granularity("2025-11..2026-02") == "range"
    assert periods.months_of("2025-11..2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert periods.months_of("2025-Q4") == ["2025-10", "2025-11", "2025-12"]
    assert periods.months_in("2025-11..2026-02") == 4 and periods.months_in("2025") == 12
    assert periods.last_month("2025-11..2026-02") == "2026-02"
    assert periods.last_month("2025-Q3") == "2025-09"
    assert periods.shift("2025-11..2026-02", -1) == "2025-07..2025-10"
    assert periods.series("2025-03..2025-04", 2) == ["2025-01..2025-02", "2025-03..2025-04"]
    assert periods.check_range("2025-05..2025-05") == "2025-05..2025-05"
    assert [
        periods.calendar(p)
        for p in ("2025-05..2025-05", "2025-10..2025-12", "2025-01..2025-12", "2025-11..2026-01")
    ] == ["2025-05", "2025-Q4", "2025", "2025-11..2026-01"]
    assert periods.calendar("2025-09..2025-11") == "2025-09..2025-11"  # not a quarter
    with pytest.raises(ValueError, match="ends before it starts"):
        periods.check_range("2025-05..2025-04")
    with pytest.raises(ValueError, match="at most 120"):
        periods.check_range("2015-01..2025-01")
    with pytest.raises(ValueError, match="range of months"):
        periods.granularity("2025-13..2026")


def test_kpis_resting_on_a_distinct_count_a_period_cannot_give_are_undefined() -> None:
    flow = {"revenue": 10_000, "active_customers": 3, "contacted_customers": 1}
    values = kpis.values(flow, {"customers": 2}, uncounted={"active_customers"})
    assert values["active_customers"] is None
    assert values["revenue"] == Decimal("1.00")
    assert values["treatment_coverage"] == Decimal("0.5000")


def test_a_customer_counts_once_per_period_and_a_lapse_of_a_profitable_one_is_marked() -> None:
    first = contributions.distinct_counts(0, contributions.ORDERED, True)
    again = contributions.distinct_counts(contributions.ORDERED, contributions.ORDERED, False)
    before = contributions.CustomerContext(lifecycle_stage="at_risk", contribution_margin_3_12m=5)
    assert first == {"active_customers": 1, "new_customers": 1}
    assert again == {}
    assert contributions.lapse_measures(before, "lapsed") == {
        "lost_customers": 1,
        "profitable_lost": 1,
    }


def test_a_contact_costs_its_reported_cost_else_the_rate_of_its_type_or_channel() -> None:
    rates = {("phone", "*"): 95_000, ("phone", "complaint"): 250_000}
    assert contributions.contact_cost(rates, "phone", "complaint", None) == 250_000
    assert contributions.contact_cost(rates, "phone", "call", None) == 95_000
    assert contributions.contact_cost(rates, "phone", "call", 10_000) == 10_000
    assert contributions.contact_cost(rates, "web", "visit", None) == 0


def test_a_strategy_must_map_every_cell_to_a_defined_segment() -> None:
    cells = [
        (v, p, "a")
        for v in ("negative", "low", "medium", "high")
        for p in ("low", "medium", "high")
    ]
    outline = StrategyOutline(["a"], ["std"], ["std"], [*cells[1:], ("high", "high", "b")], [])
    found = problems(outline)
    assert "portfolio cells without a segment: negative x low" in found
    assert "portfolio cells mapped twice: high x high" in found
    assert "the portfolio refers to undefined segments: b" in found
