"""Moments of truth: touchpoint types after which customers buy again (or lapse) more often.

Each contact is one observation: did the customer buy within the window after it? The rate
after a touchpoint type is compared with the base rate over every contact as a lift (rate /
base rate) with the Katz log interval of a ratio of two shares. A lift whose interval
excludes 1, on enough contacts, marks a moment of truth.
"""

import math
from dataclasses import dataclass

from services.experience.domain.measures import Z_95, Estimate, share

MIN_SAMPLE = 30
"""Contacts a touchpoint type needs before it can be called a moment of truth."""


@dataclass(frozen=True)
class Lift:
    value: float | None
    low: float | None
    high: float | None
    sample_size: int


def lift(hits: int, n: int, base_hits: int, base_n: int, z: float = Z_95) -> Lift:
    """rate / base rate with the Katz log interval (0.5 added to a zero count)."""
    if n == 0 or base_n == 0 or base_hits == 0:
        return Lift(None, None, None, n)
    value = (hits / n) / (base_hits / base_n)
    a, c = (hits, base_hits) if hits else (0.5, base_hits + 0.5)
    n1, n2 = (n, base_n) if hits else (n + 0.5, base_n + 0.5)
    centre = math.log((a / n1) / (c / n2))
    half = z * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return Lift(value, math.exp(centre - half), math.exp(centre + half), n)


def complement(hits: int, n: int) -> int:
    """Contacts without the outcome (e.g. lapsed: no purchase within the window)."""
    return n - hits


def verdict(bought: Lift, minimum: int = MIN_SAMPLE) -> str:
    """more_likely_to_buy, more_likely_to_lapse or no_marked_difference."""
    if bought.sample_size < minimum or bought.low is None or bought.high is None:
        return "no_marked_difference"
    if bought.low > 1:
        return "more_likely_to_buy"
    if bought.high < 1:
        return "more_likely_to_lapse"
    return "no_marked_difference"


@dataclass(frozen=True)
class Moment:
    touchpoint_type: str
    contacts: int
    bought_again: Estimate
    lapsed: Estimate
    buy_lift: Lift
    lapse_lift: Lift
    verdict: str


def moments_of_truth(
    by_type: dict[str, tuple[int, int]], minimum: int = MIN_SAMPLE
) -> tuple[Estimate, list[Moment]]:
    """The base rate and each type's moment, most marked first, from (bought, contacts)."""
    base_hits = sum(hits for hits, _ in by_type.values())
    base_n = sum(n for _, n in by_type.values())
    moments = []
    for touchpoint_type, (hits, n) in by_type.items():
        bought = lift(hits, n, base_hits, base_n)
        lapse = lift(complement(hits, n), n, complement(base_hits, base_n), base_n)
        moments.append(
            Moment(
                touchpoint_type=touchpoint_type,
                contacts=n,
                bought_again=share(hits, n),
                lapsed=share(complement(hits, n), n),
                buy_lift=bought,
                lapse_lift=lapse,
                verdict=verdict(bought, minimum),
            )
        )
    moments.sort(key=lambda m: (m.verdict == "no_marked_difference", -_distance(m.buy_lift)))
    return share(base_hits, base_n), moments


def _distance(bought: Lift) -> float:
    """How far the lift lies from 1 on the log scale (both directions alike)."""
    return abs(math.log(bought.value)) if bought.value else 0.0
