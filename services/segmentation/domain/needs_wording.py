"""Needs clusters in words: what sets each cluster apart from the average customer."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FEATURE_LABELS = {
    "online_share": "online share",
    "field_share": "field sales share",
    "inside_share": "inside sales share",
    "store_share": "store share",
    "partner_share": "partner share",
    "discount_share": "discount share",
    "service_intensity": "service intensity",
    "complaint_rate": "complaint rate",
    "return_rate": "return rate",
    "order_size": "order size",
    "purchase_frequency": "purchase frequency",
    "mean_csat": "satisfaction",
}
CHANNEL_WORDS = {
    "online_share": "online",
    "field_share": "through field sales",
    "inside_share": "through inside sales",
    "store_share": "in stores",
    "partner_share": "through partners or EDI",
}
MOSTLY_SHARE = 0.5
DISTINGUISHING_DEVIATION = 0.5
"""Standardised units a centroid must deviate from the mean for a feature to be worth naming."""
FEATURES_PER_DESCRIPTION = 3
AVERAGE_EVERYWHERE = "average on every feature"
TIMES = "\N{MULTIPLICATION SIGN}"
NEGLIGIBLE_SHARE = 0.05
"""Below this ratio to the average a feature reads as 'hardly any', not as '0.02x'."""
SIMPLE_FRACTIONS = (("half", 1 / 2), ("a third of", 1 / 3), ("a quarter of", 1 / 4))


def describe_clusters(
    features: Sequence[str],
    centroids: npt.NDArray[np.float64],
    cluster_means: npt.NDArray[np.float64],
    overall_means: npt.NDArray[np.float64],
) -> tuple[str, ...]:
    """One description per cluster from its most deviating features, extended until unique."""
    feature_counts = [FEATURES_PER_DESCRIPTION] * len(centroids)
    while True:
        texts = [
            _describe(features, centroids[i], cluster_means[i], overall_means, count)
            for i, count in enumerate(feature_counts)
        ]
        collided = [
            i
            for i, text in enumerate(texts)
            if texts.count(text) > 1 and feature_counts[i] < len(features)
        ]
        if not collided:
            break
        for i in collided:
            feature_counts[i] += 1
    # Clusters alike in every rounded phrase still need names a reader can tell apart.
    return tuple(
        f"{text} (cluster {i})" if texts.count(text) > 1 else text for i, text in enumerate(texts)
    )


def _describe(
    features: Sequence[str],
    centroid: npt.NDArray[np.float64],
    cluster_mean: npt.NDArray[np.float64],
    overall_mean: npt.NDArray[np.float64],
    feature_count: int,
) -> str:
    ranking = np.argsort(-np.abs(centroid), kind="stable")
    # Beyond the usual count a feature is only added to break a tie, so it needs no threshold.
    extended = feature_count > FEATURES_PER_DESCRIPTION
    chosen = [
        int(j)
        for j in ranking[:feature_count]
        if extended or abs(centroid[j]) >= DISTINGUISHING_DEVIATION
    ]
    if not chosen:
        return AVERAGE_EVERYWHERE
    return ", ".join(
        _phrase(features[j], float(cluster_mean[j]), float(overall_mean[j])) for j in chosen
    )


def _phrase(feature: str, cluster_mean: float, overall_mean: float) -> str:
    if feature in CHANNEL_WORDS and cluster_mean >= MOSTLY_SHARE:
        return f"orders mostly {CHANNEL_WORDS[feature]}"
    if feature == "mean_csat":
        # A ratio of satisfaction scores reads oddly; the score itself is what people know.
        return f"satisfaction {cluster_mean:.1f} of 5 (average {overall_mean:.1f})"
    label = FEATURE_LABELS[feature]
    if abs(overall_mean) >= 1e-12 and 0 <= cluster_mean / overall_mean < NEGLIGIBLE_SHARE:
        return f"hardly any {label}"
    if abs(overall_mean) < 1e-12:
        side = "above" if cluster_mean > overall_mean else "below"
        return f"{side}-average {label}"
    return f"{_ratio_words(cluster_mean / overall_mean)} the average {label}"


def _ratio_words(ratio: float) -> str:
    for words, fraction in SIMPLE_FRACTIONS:
        if abs(ratio / fraction - 1) <= 0.1:
            return words
    digits = 2 if round(ratio, 1) in (0.0, 1.0) else 1
    return f"{ratio:.{digits}f}{TIMES}"
