"""Rules behind a segment's computed figures: mixes, the features that set it apart from
the rest of the customers, and the drift since its profile was approved."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

DriftFigure = Literal[
    "size",
    "share_of_customers",
    "revenue_12m",
    "contribution_margin_3_12m",
    "average_clv",
    "average_churn_risk",
    "csat_mean",
    "net_promoter_score",
]
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
# Below Cohen's "small" effect (0.2) a difference is noise rather than a characteristic.
MIN_EFFECT = 0.2
TOP_DISTINCTIONS = 5


@dataclass(frozen=True)
class Moments:
    """Count, sum and sum of squares of values measured from a common `reference` (the
    overall mean), which keeps the variance exact in floating point."""

    count: int
    total: float
    squares: float
    reference: float = 0.0

    def minus(self, part: "Moments") -> "Moments":
        """The moments of the values not in `part`."""
        return Moments(
            self.count - part.count,
            self.total - part.total,
            self.squares - part.squares,
            self.reference,
        )

    @property
    def mean(self) -> float | None:
        return self.reference + self.total / self.count if self.count else None

    @property
    def variance(self) -> float | None:
        if self.count < 2:
            return None
        return max(self.squares - self.total**2 / self.count, 0.0) / (self.count - 1)


def standardised_difference(segment: Moments, rest: Moments) -> float | None:
    """Cohen's d: the difference of the means in pooled standard deviations."""
    if segment.variance is None or rest.variance is None:
        return None
    degrees = segment.count + rest.count - 2
    pooled = ((segment.count - 1) * segment.variance + (rest.count - 1) * rest.variance) / degrees
    if pooled <= 0 or segment.mean is None or rest.mean is None:
        return None
    return (segment.mean - rest.mean) / math.sqrt(pooled)


def proportion_difference(segment_share: float, rest_share: float) -> float:
    """Cohen's h: the difference of two shares on the scale of d."""
    return 2 * math.asin(math.sqrt(segment_share)) - 2 * math.asin(math.sqrt(rest_share))


@dataclass(frozen=True)
class Distinction:
    feature: str
    segment_value: float
    rest_value: float
    effect: float


def distinctions(
    numeric: Mapping[str, tuple[Moments, Moments]],
    shares: Mapping[str, tuple[float, float]],
    top: int = TOP_DISTINCTIONS,
) -> list[Distinction]:
    """The features that set a segment apart most, strongest first: numeric ones by their
    (segment, rest) moments, shares of a category by their (segment, rest) shares."""
    found: list[Distinction] = []
    for feature, (segment, rest) in numeric.items():
        effect = standardised_difference(segment, rest)
        if effect is not None and segment.mean is not None and rest.mean is not None:
            found.append(Distinction(feature, segment.mean, rest.mean, effect))
    for feature, (segment_share, rest_share) in shares.items():
        effect = proportion_difference(segment_share, rest_share)
        found.append(Distinction(feature, segment_share, rest_share, effect))
    strong = [d for d in found if abs(d.effect) >= MIN_EFFECT]
    return sorted(strong, key=lambda d: (-abs(d.effect), d.feature))[:top]


def share_of(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def rest_share(segment_count: int, segment_size: int, all_count: int, all_size: int) -> float:
    """The share of a category among the customers outside the segment."""
    return share_of(all_count - segment_count, all_size - segment_size)


def net_promoter_score(promoters: int, detractors: int, answers: int) -> float | None:
    """Promoters (9-10) minus detractors (0-6), in % of the customers who answered."""
    if answers == 0:
        return None
    return 100 * (promoters - detractors) / answers


@dataclass(frozen=True)
class Drift:
    figure: str
    approved: float | None
    current: float | None
    change: float | None
    """Relative change; None when either figure is missing or the approved one was zero."""
    beyond_threshold: bool


def relative_change(approved: float | None, current: float | None) -> float | None:
    if approved is None or current is None or approved == 0:
        return None
    return (current - approved) / abs(approved)


def drifts(
    approved: Mapping[str, float | None],
    current: Mapping[str, float | None],
    figures: Sequence[str],
    threshold: float,
) -> list[Drift]:
    """How each of `figures` changed since approval. A figure beyond the threshold flags
    the profile; so does one that was zero at approval and is not now."""
    found = []
    for figure in figures:
        before, now = approved.get(figure), current.get(figure)
        change = relative_change(before, now)
        appeared = before == 0 and now is not None and now != 0
        beyond = appeared or (change is not None and abs(change) > threshold)
        found.append(Drift(figure, before, now, change, beyond))
    return found
