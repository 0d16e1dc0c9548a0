"""A segment's figures, computed from the stored customer views in one set of queries."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from services.profiles.segment_figure_repository import (
    ALL,
    FEATURES,
    SegmentFigureRepository,
)
from services.profiles.segment_figure_rules import (
    QUANTILES,
    Moments,
    distinctions,
    net_promoter_score,
    rest_share,
    share_of,
)
from services.profiles.segment_figure_schemas import (
    CategoryEntry,
    ChannelEntry,
    DistinctionRead,
    ExperienceFigures,
    MixEntry,
    MoneyDistribution,
    NeedsClusterEntry,
    ScoreDistribution,
    SegmentFigures,
)

RECENT = timedelta(days=365)
TOP_CATEGORIES = 5
CENT = Decimal("0.01")
MIXES = ("lifecycle_stage", "value_tier", "potential_tier", "needs_cluster")
MONEY_TOTALS = ("revenue_12m", "contribution_margin_3_12m", "clv")
DISTRIBUTED = ("contribution_margin_3_12m", "clv", "churn_risk")
Grouped = dict[str, dict[str, Any]]


def _cents(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def _mix(counts: Mapping[Any, int], size: int) -> list[MixEntry]:
    return [
        MixEntry(key=str(k), customers=n, share=share_of(n, size)) for k, n in _by_count(counts)
    ]


@dataclass(frozen=True)
class _Aggregates:
    """What the queries found for the segments asked for and for everyone."""

    references: dict[str, float | None]
    everyone: dict[str, Any] | None
    summaries: Grouped
    mixes: dict[str, dict[str, dict[Any, int]]]
    all_mixes: dict[str, dict[Any, int]]
    descriptions: dict[int, str | None]
    quantiles: dict[str, dict[str, list[Any]]]
    experience: Grouped
    channels: dict[str, dict[str, tuple[int, Decimal]]]
    all_channels: dict[str, tuple[int, Decimal]]
    categories: dict[str, dict[str, Decimal]]

    def moments(self, summary: Mapping[str, Any] | None, feature: str) -> Moments:
        reference = self.references[feature] or 0.0
        if summary is None:
            return Moments(0, 0.0, 0.0, reference)
        return Moments(
            int(summary[f"{feature}__count"]),
            float(summary[f"{feature}__total"]),
            float(summary[f"{feature}__squares"]),
            reference,
        )


class FigureCalculator:
    """Computes the figures of several segments with one set of queries."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.repo = SegmentFigureRepository(session)
        self.since = now - RECENT

    def figures(self, segments: Sequence[str] | None = None) -> dict[str, SegmentFigures]:
        """The figures of `segments` (every segment with customers when None)."""
        repo, since = self.repo, self.since
        references = repo.references()
        found = _Aggregates(
            references=references,
            everyone=repo.summaries(references, None, grouped=False).get(ALL),
            summaries=repo.summaries(references, segments),
            mixes={name: repo.mix(name, segments) for name in MIXES},
            all_mixes={name: repo.mix(name, None, grouped=False).get(ALL, {}) for name in MIXES},
            descriptions=repo.needs_descriptions(segments),
            quantiles={name: repo.quantiles(name, QUANTILES, segments) for name in DISTRIBUTED},
            experience=repo.experience(segments),
            channels=repo.channels(since, segments),
            all_channels=repo.channels(since, None, grouped=False).get(ALL, {}),
            categories=repo.categories(since, segments),
        )
        keys = list(segments) if segments is not None else sorted(found.summaries)
        return {key: _figures(key, found) for key in keys}


def _figures(segment: str, found: _Aggregates) -> SegmentFigures:
    summary = found.summaries.get(segment)
    size = int(summary["size"]) if summary else 0
    population = int(found.everyone["size"]) if found.everyone else 0
    mixes = {name: found.mixes[name].get(segment, {}) for name in MIXES}
    quantiles = {name: by_segment.get(segment) for name, by_segment in found.quantiles.items()}
    totals = {name: _total(summary, name) for name in MONEY_TOTALS}
    return SegmentFigures(
        segment=segment,
        size=size,
        share_of_customers=share_of(size, population),
        revenue_12m=_cents(totals["revenue_12m"]),
        contribution_margin_3_12m=_cents(totals["contribution_margin_3_12m"]),
        value=MoneyDistribution(
            mean=_cents(totals["contribution_margin_3_12m"] / size) if size else None,
            **_levels(quantiles["contribution_margin_3_12m"], _cents),
        ),
        clv=MoneyDistribution(
            mean=_cents(totals["clv"] / size) if size else None,
            **_levels(quantiles["clv"], _cents),
        ),
        churn_risk=ScoreDistribution(
            mean=found.moments(summary, "churn_risk").mean,
            **_levels(quantiles["churn_risk"], _score),
        ),
        lifecycle_mix=_mix(mixes["lifecycle_stage"], size),
        value_tiers=_mix(mixes["value_tier"], size),
        potential_tiers=_mix(mixes["potential_tier"], size),
        needs_clusters=[
            NeedsClusterEntry(
                cluster=cluster,
                description=None if cluster is None else found.descriptions.get(cluster),
                customers=n,
                share=share_of(n, size),
            )
            for cluster, n in _by_count(mixes["needs_cluster"])
        ],
        preferred_channels=_channels(found.channels.get(segment, {})),
        top_categories=_categories(found.categories.get(segment, {})),
        experience=_experience(found.experience.get(segment)),
        distinguishing_features=_distinctions(segment, size, population, found),
        assignments_as_of=summary["assignments_as_of"] if summary else None,
        masked=[],
    )


def _distinctions(
    segment: str, size: int, population: int, found: _Aggregates
) -> list[DistinctionRead]:
    """Scores compared by their moments; lifecycle stage, tiers, needs cluster and order
    channel compared by the share of customers (orders) in each category."""
    summary = found.summaries.get(segment)
    numeric = {}
    for name in FEATURES:
        part = found.moments(summary, name)
        numeric[name] = (part, found.moments(found.everyone, name).minus(part))
    shares: dict[str, tuple[float, float]] = {}
    for name in MIXES:
        counts = found.mixes[name].get(segment, {})
        for value, all_count in found.all_mixes[name].items():
            count = counts.get(value, 0)
            shares[f"{name}={'none' if value is None else value}"] = (
                share_of(count, size),
                rest_share(count, size, all_count, population),
            )
    channels = found.channels.get(segment, {})
    orders = sum(n for n, _ in channels.values())
    all_orders = sum(n for n, _ in found.all_channels.values())
    for channel, (all_count, _) in found.all_channels.items():
        count = channels.get(channel, (0, Decimal(0)))[0]
        shares[f"channel={channel}"] = (
            share_of(count, orders),
            rest_share(count, orders, all_count, all_orders),
        )
    return [
        DistinctionRead(
            feature=d.feature,
            segment_value=d.segment_value,
            rest_value=d.rest_value,
            effect=round(d.effect, 4),
            direction="higher" if d.effect > 0 else "lower",
        )
        for d in distinctions(numeric, shares)
    ]


def _total(summary: Mapping[str, Any] | None, name: str) -> Decimal:
    return Decimal(str(summary[name])) if summary else Decimal(0)


def _by_count(counts: Mapping[Any, int]) -> list[tuple[Any, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))


def _score(value: Any) -> float | None:
    return None if value is None else float(value)


def _levels(values: list[Any] | None, convert: Any) -> dict[str, Any]:
    names = ("p10", "p25", "median", "p75", "p90")
    found = values or [None] * len(names)
    return {name: convert(value) for name, value in zip(names, found, strict=True)}


def _channels(found: Mapping[str, tuple[int, Decimal]]) -> list[ChannelEntry]:
    orders = sum(n for n, _ in found.values())
    ordered = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    return [
        ChannelEntry(
            channel=channel,
            orders=n,
            share_of_orders=share_of(n, orders),
            net_revenue=_cents(revenue),
        )
        for channel, (n, revenue) in ordered
    ]


def _categories(found: Mapping[str, Decimal]) -> list[CategoryEntry]:
    revenue = {category: Decimal(str(amount)) for category, amount in found.items()}
    total = sum(revenue.values(), Decimal(0))
    ordered = sorted(revenue.items(), key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]
    return [
        CategoryEntry(
            category=category,
            net_revenue=_cents(amount),
            share_of_revenue=float(amount / total) if total else 0.0,
        )
        for category, amount in ordered
    ]


NO_EXPERIENCE = dict.fromkeys(
    (
        "customers",
        "csat_points",
        "csat_answers",
        "nps_customers",
        "promoters",
        "detractors",
        "open_complaints",
    ),
    0,
)


def _experience(found: Mapping[str, Any] | None) -> ExperienceFigures:
    found = found or NO_EXPERIENCE
    answers = int(found["csat_answers"])
    return ExperienceFigures(
        customers=int(found["customers"]),
        csat_mean=float(found["csat_points"]) / answers if answers else None,
        csat_answers=answers,
        net_promoter_score=net_promoter_score(
            int(found["promoters"]), int(found["detractors"]), int(found["nps_customers"])
        ),
        nps_customers=int(found["nps_customers"]),
        open_complaints=int(found["open_complaints"]),
    )
