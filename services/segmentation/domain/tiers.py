"""Value, potential and ABC tiers of customers, vectorised over numpy arrays."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from services.segmentation.domain.config import PotentialTierRule, ValueTierRule


@dataclass(frozen=True)
class ValueTiering:
    """Value tier per customer and the cm3 cut-offs that drew the tiers."""

    tiers: NDArray[np.str_]
    low_medium_cutoff: float
    medium_high_cutoff: float


@dataclass(frozen=True)
class AbcCutoffs:
    """12-month revenue from which a customer is A, and B; None when nobody is."""

    a_from: float | None
    b_from: float | None


@dataclass(frozen=True)
class PeerReferences:
    """The quantile of 12-month cm2 among the buyers of each group large enough to compare."""

    peers: dict[str, float]
    clusters: dict[int, float]
    population: float


@dataclass(frozen=True)
class PotentialCutoffs:
    """A CLV or gap above `*_high_above` is high; both at or below `*_low_upto` is low.

    Unknown values count as minus infinity; the cut-offs may be infinite too.
    """

    clv_high_above: float
    clv_low_upto: float
    gap_high_above: float
    gap_low_upto: float


def abc_classes(
    revenue_12m: NDArray[np.float64], cutoffs: tuple[float, float] = (0.8, 0.95)
) -> NDArray[np.str_]:
    """ABC class per customer by its place in the cumulative 12-month revenue."""
    revenue = np.where(revenue_12m > 0, revenue_12m, 0.0)
    classes = np.full(revenue.shape, "C", dtype="<U1")
    total = float(revenue.sum())
    if total <= 0:
        return classes
    order = np.argsort(-revenue, kind="stable")
    descending = revenue[order]
    share_before = (np.cumsum(descending) - descending) / total
    # Equal revenue earns an equal class: a tie takes the share before its first member.
    first_of_tie = np.searchsorted(-descending, -descending, side="left")
    share_before = share_before[first_of_tie]
    a_cutoff, b_cutoff = cutoffs
    ranked = np.where(share_before < a_cutoff, "A", np.where(share_before < b_cutoff, "B", "C"))
    classes[order] = np.where(descending > 0, ranked, "C")
    return classes


def abc_cutoffs(revenue_12m: NDArray[np.float64], cutoffs: tuple[float, float]) -> AbcCutoffs:
    """The revenues the classes begin at, so that a single customer can be classed later."""
    classes = abc_classes(revenue_12m, cutoffs)
    a, b = (revenue_12m[classes == name] for name in ("A", "B"))
    return AbcCutoffs(float(a.min()) if a.size else None, float(b.min()) if b.size else None)


def abc_at(cutoffs: AbcCutoffs, revenue_12m: NDArray[np.float64]) -> NDArray[np.str_]:
    classes = np.full(revenue_12m.shape, "C", dtype="<U1")
    positive = revenue_12m > 0
    if cutoffs.b_from is not None:
        classes[positive & (revenue_12m >= cutoffs.b_from)] = "B"
    if cutoffs.a_from is not None:
        classes[positive & (revenue_12m >= cutoffs.a_from)] = "A"
    return classes


def value_tiers(
    cm3_12m: NDArray[np.float64], rule: ValueTierRule, has_orders: NDArray[np.bool_]
) -> ValueTiering:
    """Value tier per customer from its 12-month cm3; NaN cut-offs when no buyer qualifies."""
    if rule.method == "thresholds":
        low_medium = float(rule.low_medium_threshold)
        medium_high = float(rule.medium_high_threshold)
    else:
        ranked = cm3_12m[has_orders & (cm3_12m >= 0)]
        if ranked.size == 0:
            low_medium = medium_high = float("nan")
        else:
            low_medium, medium_high = (
                float(cutoff)
                for cutoff in np.quantile(
                    ranked, [rule.low_medium_quantile, rule.medium_high_quantile]
                )
            )
    tiers = value_tiers_at(cm3_12m, has_orders, low_medium, medium_high)
    return ValueTiering(tiers, low_medium, medium_high)


def value_tiers_at(
    cm3_12m: NDArray[np.float64],
    has_orders: NDArray[np.bool_],
    low_medium: float,
    medium_high: float,
) -> NDArray[np.str_]:
    """Value tiers at given cut-offs (NaN cut-offs: nobody reaches the tier)."""
    tiers = np.full(cm3_12m.shape, "low", dtype="<U8")
    tiers[has_orders & (cm3_12m >= low_medium)] = "medium"
    tiers[has_orders & (cm3_12m >= medium_high)] = "high"
    tiers[cm3_12m < 0] = "negative"
    return tiers


def peer_references(
    cm2_12m: NDArray[np.float64],
    peer_group: NDArray[np.object_],
    fallback_group: NDArray[np.int64],
    has_orders: NDArray[np.bool_],
    rule: PotentialTierRule,
) -> PeerReferences:
    """The peer quantile of every peer group and cluster with at least `min_peers` buyers."""
    population = _buyer_quantile(cm2_12m, has_orders, rule.peer_quantile)
    clusters: dict[int, float] = {}
    cluster_quantile, cluster_buyers = _quantile_per_group(
        fallback_group, cm2_12m, has_orders, rule.peer_quantile
    )
    for label in np.unique(fallback_group[(fallback_group >= 0) & has_orders]):
        first = int(np.argmax(fallback_group == label))
        if cluster_buyers[first] >= rule.min_peers:
            clusters[int(label)] = float(cluster_quantile[first])
    # An object array compares element by element, so this is not an identity test.
    peer_known: NDArray[np.bool_] = peer_group != None  # noqa: E711
    peer_labels = np.where(peer_known, peer_group, "").astype(str)
    peer_quantile, peer_buyers = _quantile_per_group(
        peer_labels, cm2_12m, has_orders, rule.peer_quantile
    )
    peers: dict[str, float] = {}
    eligible = peer_known & has_orders & (peer_buyers >= rule.min_peers)
    labels, first_of = np.unique(peer_labels[eligible], return_index=True)
    for label, first in zip(labels.tolist(), first_of.tolist(), strict=True):
        peers[label] = float(peer_quantile[np.flatnonzero(eligible)[first]])
    return PeerReferences(peers, clusters, population)


def gaps_at(
    references: PeerReferences,
    cm2_12m: NDArray[np.float64],
    peer_group: NDArray[np.object_],
    fallback_group: NDArray[np.int64],
) -> NDArray[np.float64]:
    """12-month cm2 each customer falls short of its peers: group, else cluster, else all."""
    cluster_reference = np.array(
        [references.clusters.get(int(label), np.nan) for label in fallback_group.tolist()]
        if references.clusters
        else np.full(cm2_12m.shape, np.nan)
    )
    peer_reference = np.array(
        [references.peers.get(group, np.nan) if group else np.nan for group in peer_group]
        if references.peers
        else np.full(cm2_12m.shape, np.nan)
    )
    reference = np.where(
        np.isnan(peer_reference),
        np.where(np.isnan(cluster_reference), references.population, cluster_reference),
        peer_reference,
    )
    return np.maximum(reference - cm2_12m, 0.0)


def share_of_wallet_gaps(
    cm2_12m: NDArray[np.float64],
    peer_group: NDArray[np.object_],
    fallback_group: NDArray[np.int64],
    has_orders: NDArray[np.bool_],
    rule: PotentialTierRule,
) -> NDArray[np.float64]:
    """12-month cm2 each customer falls short of the peer quantile of comparable buyers."""
    references = peer_references(cm2_12m, peer_group, fallback_group, has_orders, rule)
    return gaps_at(references, cm2_12m, peer_group, fallback_group)


def potential_cutoffs(
    clv: NDArray[np.float64],
    gap: NDArray[np.float64],
    has_orders: NDArray[np.bool_],
    rule: PotentialTierRule,
) -> PotentialCutoffs:
    """Values at which the share of buyers below reaches the high and the low quantile."""
    clv_high, clv_low = _rank_cutoffs(clv[has_orders], rule)
    gap_high, gap_low = _rank_cutoffs(gap[has_orders], rule)
    return PotentialCutoffs(clv_high, clv_low, gap_high, gap_low)


def _rank_cutoffs(
    buyer_values: NDArray[np.float64], rule: PotentialTierRule
) -> tuple[float, float]:
    ordered = np.sort(np.where(np.isnan(buyer_values), -np.inf, buyer_values))
    count = ordered.size
    if count == 0:
        return np.inf, np.inf  # nobody to rank against: nobody high, everybody low
    # Share below v reaches q exactly when v exceeds the ceil(q n)-th smallest value.
    high = int(np.ceil(rule.high_quantile * count - 1e-9))
    low = int(np.ceil(rule.low_quantile * count - 1e-9))
    return float(ordered[high - 1]), float(ordered[low - 1])


def potential_tiers_at(
    cutoffs: PotentialCutoffs,
    clv: NDArray[np.float64],
    gap: NDArray[np.float64],
    has_orders: NDArray[np.bool_],
) -> NDArray[np.str_]:
    """Potential tiers at given cut-offs; a prospect's own CLV does not count."""
    clv_known = np.where(has_orders & ~np.isnan(clv), clv, -np.inf)
    gap_known = np.where(np.isnan(gap), -np.inf, gap)
    high = (clv_known > cutoffs.clv_high_above) | (gap_known > cutoffs.gap_high_above)
    low = (clv_known <= cutoffs.clv_low_upto) & (gap_known <= cutoffs.gap_low_upto)
    tiers = np.full(clv.shape, "medium", dtype="<U6")
    tiers[high] = "high"
    tiers[low & ~high] = "low"
    return tiers


def potential_tiers(
    clv: NDArray[np.float64],
    gap: NDArray[np.float64],
    has_orders: NDArray[np.bool_],
    rule: PotentialTierRule,
) -> NDArray[np.str_]:
    """Potential tier per customer from the better of its CLV rank and its gap rank."""
    cutoffs = potential_cutoffs(clv, gap, has_orders, rule)
    return potential_tiers_at(cutoffs, clv, gap, has_orders)


def _buyer_quantile(
    values: NDArray[np.float64], has_orders: NDArray[np.bool_], quantile: float
) -> float:
    """The quantile of values among buyers; 0 when there are none."""
    buyer_values = values[has_orders]
    return float(np.quantile(buyer_values, quantile)) if buyer_values.size else 0.0


def _quantile_per_group(
    labels: NDArray[np.generic],
    values: NDArray[np.float64],
    has_orders: NDArray[np.bool_],
    quantile: float,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per customer: the quantile of values among its group's buyers, and how many they are."""
    group_labels, group_of = np.unique(labels, return_inverse=True)
    group_count = group_labels.size
    buyer_groups = group_of[has_orders]
    buyers = np.bincount(buyer_groups, minlength=group_count)
    # One sort by (group, value) gives every group's values in order, each a slice.
    order = np.lexsort((values[has_orders], buyer_groups))
    sorted_values = values[has_orders][order]
    starts = np.cumsum(buyers) - buyers
    quantiles = np.full(group_count, np.nan)
    filled = buyers > 0
    # Linear interpolation between the order statistics, as numpy's default quantile.
    position = quantile * (buyers[filled] - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, buyers[filled] - 1)
    lower = sorted_values[starts[filled] + below]
    upper = sorted_values[starts[filled] + above]
    quantiles[filled] = lower + (position - below) * (upper - lower)
    return quantiles[group_of], buyers[group_of].astype(np.int64)
