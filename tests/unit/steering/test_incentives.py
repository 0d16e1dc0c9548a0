"""Incentive payouts on hand-computed values: thresholds, caps, accelerators, weights, malus."""

from decimal import Decimal

from services.steering.domain import incentives as inc

D = Decimal
BONUS = D("5000.00")


def _growth(**overrides: object) -> inc.Component:
    fields: dict[str, object] = {
        "key": "grow_cm2",
        "name": "cm2 growth in grow segments",
        "metric": "cm2_growth",
        "weight": D("0.50"),
        "target": D("10000"),
        "threshold": D("0.80"),
    }
    fields.update(overrides)
    return inc.Component(**fields)  # type: ignore[arg-type]


def test_below_the_threshold_nothing_is_paid() -> None:
    line = inc.component_line(_growth(), D("7900.00"), BONUS, 1, "grow")
    assert line.attainment == D("0.7900")
    assert line.amount == D("0.00")
    assert "below the threshold of 80.00 %" in line.explanation


def test_at_the_threshold_the_weighted_share_is_paid_linearly() -> None:
    line = inc.component_line(_growth(), D("8000.00"), BONUS, 1, "grow")
    # 5000 x 0.50 x 0.80
    assert line.amount == D("2000.00")
    assert line.factor == D("0.8000")


def test_a_monthly_sum_target_counts_once_per_month_of_a_quarter() -> None:
    line = inc.component_line(_growth(), D("24000.00"), BONUS * 3, 3, "grow")
    # target 30000, attainment 0.80, bonus 15000 x 0.50 x 0.80
    assert line.target == D("30000")
    assert line.amount == D("6000.00")


def test_an_accelerator_pays_more_above_its_start() -> None:
    component = _growth(accelerators=(inc.Accelerator(D("1.00"), D("2")),))
    line = inc.component_line(component, D("13000.00"), BONUS, 1, "grow")
    # 1.30 attained: 1.00 + 0.30 x 2 = 1.60; 5000 x 0.50 x 1.60
    assert line.factor == D("1.6000")
    assert line.amount == D("4000.00")
    assert "accelerated" in line.explanation


def test_accelerators_are_tiers_each_with_its_own_slope() -> None:
    tiers = (inc.Accelerator(D("1.20"), D("2")), inc.Accelerator(D("1.00"), D("1.5")))
    assert inc.accelerated(D("1.30"), tiers) == D("1.5000")  # 1.00 + 0.20 x 1.5 + 0.10 x 2
    assert inc.accelerated(D("1.10"), tiers) == D("1.1500")
    assert inc.accelerated(D("0.90"), tiers) == D("0.9000")


def test_the_cap_limits_the_attainment_counted_before_acceleration() -> None:
    component = _growth(cap=D("1.50"), accelerators=(inc.Accelerator(D("1.00"), D("2")),))
    line = inc.component_line(component, D("20000.00"), BONUS, 1, "grow")
    # 2.00 attained, 1.50 counted: 1.00 + 0.50 x 2 = 2.00; 5000 x 0.50 x 2.00
    assert (line.attainment, line.counted_attainment) == (D("2.0000"), D("1.50"))
    assert line.amount == D("5000.00")
    assert "capped at 150.00 %" in line.explanation


def test_weights_split_the_bonus_between_segment_thrusts() -> None:
    grow = _growth(weight=D("0.60"), threshold=D("0"))
    retain = inc.Component(
        key="retain", name="retention", metric="retention_rate", weight=D("0.40"), target=D("0.95")
    )
    lines = [
        inc.component_line(grow, D("10000.00"), BONUS, 1, "grow"),
        inc.component_line(retain, D("0.9025"), BONUS, 1, "retain"),
    ]
    # 5000 x 0.60 x 1.00 = 3000; retention 0.9025 / 0.95 = 0.95 -> 5000 x 0.40 x 0.95 = 1900
    assert [line.amount for line in lines] == [D("3000.00"), D("1900.00")]
    assert inc.total(lines) == D("4900.00")


def test_a_rate_target_does_not_scale_with_the_period() -> None:
    retain = inc.Component(
        key="retain", name="retention", metric="retention_rate", weight=D("1"), target=D("0.95")
    )
    assert inc.period_target(retain, 3) == D("0.95")


def test_discount_beyond_the_price_band_costs_a_malus_per_point_up_to_its_cap() -> None:
    malus = inc.Component(
        key="discount",
        name="discount beyond band",
        metric="discount_malus",
        weight=D("0"),
        target=D("0.05"),
        malus_per_point=D("100"),
    )
    within = inc.component_line(malus, D("0.0400"), BONUS, 1, "all")
    beyond = inc.component_line(malus, D("0.0800"), BONUS, 1, "all")
    capped = inc.component_line(
        inc.Component(**{**malus.__dict__, "malus_cap": D("250")}), D("0.0800"), BONUS, 1, "all"
    )
    assert within.amount == D("0.00")
    assert beyond.amount == D("-300.00")  # 3 points x 100
    assert capped.amount == D("-250.00")


def test_the_total_never_goes_below_zero() -> None:
    line = inc.PayoutLine(
        "m", "m", "discount_malus", None, D(0), None, None, D(0), D(0), D("-50.00"), ""
    )
    assert inc.total([line]) == D("0.00")


def test_growth_is_the_cm2_of_the_period_less_that_of_the_period_before() -> None:
    scope = inc.Scope(
        flows={"revenue": 30_000_000, "cost_of_goods": 10_000_000, "discounts": 1_000_000},
        state={},
        flows_before={"revenue": 20_000_000, "cost_of_goods": 10_000_000},
        description="grow",
    )
    # cm2 now 3000 - 1000 - 100 = 1900; before 1000
    assert inc.measure("cm2_growth", scope) == D("900.00")
    assert inc.measure("discount_malus", scope) == D("0.0323")  # 100 / 3100


def test_no_value_pays_nothing_and_says_so() -> None:
    retain = inc.Component(
        key="retain", name="retention", metric="retention_rate", weight=D("1"), target=D("0.95")
    )
    line = inc.component_line(retain, None, BONUS, 1, "retain")
    assert line.amount == D("0.00") and "no value" in line.explanation
