"""Lifecycle stage of every customer from its purchase rhythm, with the reason in words."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from services.segmentation.domain.config import LifecycleRule

FALLBACK_INTERVAL_DAYS = 90.0
DAYS_PER_YEAR = 365.25
_TIMES = "\N{MULTIPLICATION SIGN}"


class _Rule(IntEnum):
    """The rule that decided a stage; three rules lead to at_risk, each with its reason."""

    PROSPECT = 0
    LAPSED = 1
    REACTIVATED = 2
    NEW = 3
    OVERDUE = 4
    CHURN_RISK = 5
    DECLINING = 6
    LOYAL = 7
    DEVELOPING = 8


_STAGE_OF_RULE = np.array(
    [
        "prospect",
        "lapsed",
        "reactivated",
        "new",
        "at_risk",
        "at_risk",
        "at_risk",
        "loyal",
        "developing",
    ]
)


@dataclass(frozen=True)
class LifecycleInput:
    """Purchase history per customer; day counts are NaN where there is nothing to count."""

    purchase_days: NDArray[np.int64]
    tenure_days: NDArray[np.float64]
    recency_days: NDArray[np.float64]
    repeat_span_days: NDArray[np.float64]
    previous_gap_days: NDArray[np.float64]
    churn_risk: NDArray[np.float64]
    revenue_trend: NDArray[np.float64]


def population_interval_days(inp: LifecycleInput) -> float:
    """Median interval between purchase days of customers with at least two repeats."""
    repeats = inp.purchase_days - 1
    regular = repeats >= 2
    if not regular.any():
        return FALLBACK_INTERVAL_DAYS
    return float(np.median(inp.repeat_span_days[regular] / repeats[regular]))


def lifecycle_stages(
    inp: LifecycleInput, rule: LifecycleRule, population_interval: float
) -> tuple[NDArray[np.str_], list[str]]:
    """Stage per customer and why, the first matching rule deciding."""
    repeats = inp.purchase_days - 1
    own_rhythm = repeats >= rule.own_rhythm_min_repeats
    rhythm = _interval(inp.repeat_span_days, repeats, own_rhythm, population_interval)
    ratio = inp.recency_days / rhythm

    repeats_before = inp.purchase_days - 2
    own_rhythm_before = repeats_before >= rule.own_rhythm_min_repeats
    rhythm_before = _interval(
        inp.repeat_span_days - inp.previous_gap_days,
        repeats_before,
        own_rhythm_before,
        population_interval,
    )

    decided_by = np.select(
        [
            inp.purchase_days <= 0,
            inp.recency_days >= np.maximum(rule.lapsed_multiple * rhythm, rule.lapsed_min_days),
            (
                inp.previous_gap_days
                >= np.maximum(rule.lapsed_multiple * rhythm_before, rule.lapsed_min_days)
            )
            & (inp.recency_days <= rule.reactivated_days),
            inp.tenure_days <= rule.new_days,
            ratio >= rule.at_risk_multiple,
            inp.churn_risk >= rule.at_risk_churn_risk,
            inp.revenue_trend <= rule.declining_trend,
            (repeats >= rule.loyal_min_repeats) & (inp.tenure_days >= rule.loyal_min_days),
        ],
        [
            _Rule.PROSPECT,
            _Rule.LAPSED,
            _Rule.REACTIVATED,
            _Rule.NEW,
            _Rule.OVERDUE,
            _Rule.CHURN_RISK,
            _Rule.DECLINING,
            _Rule.LOYAL,
        ],
        default=_Rule.DEVELOPING,
    )
    facts = _Facts(inp, rhythm, ratio, own_rhythm)
    reasons = [""] * decided_by.size
    for decision, explain in _EXPLAIN.items():
        customers = np.flatnonzero(decided_by == decision)
        for customer, reason in zip(customers.tolist(), explain(facts, customers), strict=True):
            reasons[customer] = reason
    return _STAGE_OF_RULE[decided_by], reasons


def _interval(
    span_days: NDArray[np.float64],
    repeats: NDArray[np.int64],
    own_rhythm: NDArray[np.bool_],
    population_interval: float,
) -> NDArray[np.float64]:
    """Own mean interval where the customer has enough repeats, else the population's."""
    own = span_days / np.where(own_rhythm, repeats, 1)
    # Purchase days are distinct, so a real interval is at least one day; this keeps the
    # recency ratio finite on inconsistent data.
    return np.where(own_rhythm, np.maximum(own, 1.0), population_interval)


@dataclass(frozen=True)
class _Facts:
    """What the reasons quote, per customer."""

    inp: LifecycleInput
    rhythm: NDArray[np.float64]
    ratio: NDArray[np.float64]
    own_rhythm: NDArray[np.bool_]


def _days(count: float) -> str:
    whole = round(count)
    return f"{whole} day" if whole == 1 else f"{whole} days"


def _orders(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"


def _overdue(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return [
        f"no order for {_days(recency)}, {ratio:.1f}{_TIMES} "
        + (
            f"its usual interval of {_days(rhythm)}"
            if own
            else f"the usual interval of customers ({_days(rhythm)})"
        )
        for recency, ratio, rhythm, own in zip(
            facts.inp.recency_days[customers].tolist(),
            facts.ratio[customers].tolist(),
            facts.rhythm[customers].tolist(),
            facts.own_rhythm[customers].tolist(),
            strict=True,
        )
    ]


def _prospect(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return ["no order yet"] * customers.size


def _reactivated(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return [
        f"ordered again {_days(recency)} ago after {_days(gap)} without an order"
        for recency, gap in zip(
            facts.inp.recency_days[customers].tolist(),
            facts.inp.previous_gap_days[customers].tolist(),
            strict=True,
        )
    ]


def _new(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return [
        f"first order {_days(tenure)} ago" for tenure in facts.inp.tenure_days[customers].tolist()
    ]


def _churn_risk(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return [
        f"churn risk {risk:.2f}: unlikely to order within the next period"
        for risk in facts.inp.churn_risk[customers].tolist()
    ]


def _declining(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return [
        f"12-month revenue down {-trend * 100:.0f}% on the year before"
        for trend in facts.inp.revenue_trend[customers].tolist()
    ]


def _loyal(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return [
        f"{_orders(orders)} over {tenure / DAYS_PER_YEAR:.1f} years, at its usual rhythm"
        for orders, tenure in zip(
            facts.inp.purchase_days[customers].tolist(),
            facts.inp.tenure_days[customers].tolist(),
            strict=True,
        )
    ]


def _developing(facts: _Facts, customers: NDArray[np.intp]) -> list[str]:
    return [
        f"{_orders(orders)} in {_days(tenure)}"
        for orders, tenure in zip(
            facts.inp.purchase_days[customers].tolist(),
            facts.inp.tenure_days[customers].tolist(),
            strict=True,
        )
    ]


_EXPLAIN: dict[_Rule, Callable[[_Facts, NDArray[np.intp]], Sequence[str]]] = {
    _Rule.PROSPECT: _prospect,
    _Rule.LAPSED: _overdue,
    _Rule.REACTIVATED: _reactivated,
    _Rule.NEW: _new,
    _Rule.OVERDUE: _overdue,
    _Rule.CHURN_RISK: _churn_risk,
    _Rule.DECLINING: _declining,
    _Rule.LOYAL: _loyal,
    _Rule.DEVELOPING: _developing,
}
