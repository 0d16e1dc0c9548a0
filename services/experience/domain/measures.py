"""CX measures with their sample size and a 95% confidence interval, never bare numbers.

Shares get the Wilson score interval (sound for small samples and shares near 0 or 1);
means the normal interval from the sample variance; NPS the normal interval of a difference
of two shares of one multinomial sample.
"""

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054
SATISFIED_FROM = 4
"""CSAT answers of 4 and 5 (of 1-5) count as satisfied."""


@dataclass(frozen=True)
class Estimate:
    value: float | None
    sample_size: int
    low: float | None
    high: float | None


def share(hits: int, n: int, z: float = Z_95) -> Estimate:
    """The share `hits / n` with its Wilson score interval."""
    if hits < 0 or hits > n:
        raise ValueError(f"hits {hits} must lie between 0 and n {n}")
    if n == 0:
        return Estimate(None, 0, None, None)
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Estimate(p, n, max(0.0, centre - half), min(1.0, centre + half))


def mean(total: float, squares: float, n: int, z: float = Z_95) -> Estimate:
    """The mean of `n` answers from their sum and sum of squares, with a normal interval."""
    if n == 0:
        return Estimate(None, 0, None, None)
    average = total / n
    if n == 1:
        return Estimate(average, 1, None, None)
    variance = max(0.0, (squares - n * average * average) / (n - 1))
    half = z * math.sqrt(variance / n)
    return Estimate(average, n, average - half, average + half)


def net_promoter_score(promoters: int, detractors: int, answers: int, z: float = Z_95) -> Estimate:
    """NPS = % promoters (9-10) - % detractors (0-6), in points from -100 to 100."""
    if promoters + detractors > answers:
        raise ValueError("promoters and detractors cannot outnumber the answers")
    if answers == 0:
        return Estimate(None, 0, None, None)
    p, d = promoters / answers, detractors / answers
    score = p - d
    variance = (p + d - score * score) / answers
    half = z * math.sqrt(variance)
    return Estimate(
        100 * score, answers, 100 * max(-1.0, score - half), 100 * min(1.0, score + half)
    )


def nps_class(answer: int) -> str:
    """promoter (9-10), passive (7-8) or detractor (0-6)."""
    if answer >= 9:
        return "promoter"
    return "passive" if answer >= 7 else "detractor"


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
