"""Needs clusters: customers grouped by standardised behaviour, with labels stable over refits."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from services.segmentation.domain.needs_wording import describe_clusters

FEATURES = (
    "online_share",
    "field_share",
    "inside_share",
    "store_share",
    "partner_share",
    "discount_share",
    "service_intensity",
    "complaint_rate",
    "return_rate",
    "order_size",
    "purchase_frequency",
    "mean_csat",
)
LOG_FEATURES = ("order_size", "purchase_frequency")
KMEANS_RESTARTS = 3

Matrix = npt.NDArray[np.float64]
Labels = npt.NDArray[np.intp]


@dataclass(frozen=True)
class NeedsModel:
    """A fitted needs clustering: the transform, the centroids and what each cluster stands for."""

    version: int
    features: tuple[str, ...]
    log_features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    impute: tuple[float, ...]
    centroids: tuple[tuple[float, ...], ...]
    """In standardised space; row i is cluster label i."""
    silhouette: float
    silhouette_by_k: dict[int, float]
    descriptions: tuple[str, ...]
    sizes: tuple[int, ...]
    """Customers per cluster in the fitting sample."""

    def __post_init__(self) -> None:
        width = len(self.features)
        if {len(self.mean), len(self.scale), len(self.impute)} != {width} or any(
            len(row) != width for row in self.centroids
        ):
            raise ValueError(f"needs model is inconsistent with its {width} features")
        if not len(self.centroids) == len(self.descriptions) == len(self.sizes):
            raise ValueError("needs model needs one description and size per centroid")

    def to_json(self) -> dict[str, Any]:
        """The model as plain JSON values."""
        return {
            "version": self.version,
            "features": list(self.features),
            "log_features": list(self.log_features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "impute": list(self.impute),
            "centroids": [list(row) for row in self.centroids],
            "silhouette": self.silhouette,
            "silhouette_by_k": {str(k): score for k, score in self.silhouette_by_k.items()},
            "descriptions": list(self.descriptions),
            "sizes": list(self.sizes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "NeedsModel":
        """The model back from the values of to_json."""
        return cls(
            version=int(data["version"]),
            features=tuple(str(name) for name in data["features"]),
            log_features=tuple(str(name) for name in data["log_features"]),
            mean=_floats(data["mean"]),
            scale=_floats(data["scale"]),
            impute=_floats(data["impute"]),
            centroids=tuple(_floats(row) for row in data["centroids"]),
            silhouette=float(data["silhouette"]),
            silhouette_by_k={int(k): float(s) for k, s in data["silhouette_by_k"].items()},
            descriptions=tuple(str(text) for text in data["descriptions"]),
            sizes=tuple(int(size) for size in data["sizes"]),
        )


def fit_needs_model(
    matrix: Matrix,
    features: Sequence[str],
    *,
    k_min: int = 3,
    k_max: int = 8,
    sample_size: int = 20_000,
    silhouette_sample: int = 5_000,
    seed: int = 0,
    previous: NeedsModel | None = None,
) -> NeedsModel:
    """Cluster customers by needs, choosing k by silhouette and keeping the previous labels."""
    features = tuple(features)
    rows = _checked_rows(matrix, features)
    if not 2 <= k_min <= k_max:
        raise ValueError(f"needs clustering needs 2 <= k_min <= k_max, got {k_min} and {k_max}")
    if len(rows) < k_min + 1:
        raise ValueError(f"needs clustering needs at least {k_min + 1} rows, got {len(rows)}")
    rng = np.random.default_rng(seed)
    if len(rows) > sample_size:
        rows = rows[np.sort(rng.choice(len(rows), size=sample_size, replace=False))]

    impute = _sample_medians(rows, features)
    log_columns = np.array([name in LOG_FEATURES for name in features])
    filled = _filled(rows, impute)
    logged = _logged(filled, log_columns)
    mean = logged.mean(axis=0)
    # A constant feature tells no clusters apart; scale 1 keeps it at zero instead of dividing by 0.
    scale = np.where(logged.std(axis=0) > 0, logged.std(axis=0), 1.0)
    standardised = (logged - mean) / scale

    distinct_rows = len(np.unique(standardised, axis=0))
    if distinct_rows < k_min + 1:
        raise ValueError(
            f"needs clustering needs at least {k_min + 1} distinct rows, got {distinct_rows}"
        )
    previous_centroids = _previous_in_new_space(previous, features, mean, scale)
    candidate_ks = set(range(k_min, min(k_max, distinct_rows - 1) + 1))
    if previous_centroids is not None and 2 <= len(previous_centroids) < distinct_rows:
        candidate_ks.add(len(previous_centroids))

    best, silhouette_by_k = _best_kmeans(
        standardised, sorted(candidate_ks), previous_centroids, silhouette_sample, seed
    )
    relabel = _stable_labels(best.cluster_centers_, previous_centroids)
    centroids = np.empty_like(best.cluster_centers_)
    centroids[relabel] = best.cluster_centers_
    labels = relabel[best.labels_]
    cluster_means = np.array(
        [filled[labels == label].mean(axis=0) for label in range(len(centroids))]
    )
    return NeedsModel(
        version=previous.version + 1 if previous is not None else 1,
        features=features,
        log_features=tuple(name for name in features if name in LOG_FEATURES),
        mean=_floats(mean),
        scale=_floats(scale),
        impute=_floats(impute),
        centroids=tuple(_floats(row) for row in centroids),
        silhouette=silhouette_by_k[len(centroids)],
        silhouette_by_k=silhouette_by_k,
        descriptions=describe_clusters(features, centroids, cluster_means, filled.mean(axis=0)),
        sizes=tuple(int(size) for size in np.bincount(labels, minlength=len(centroids))),
    )


def assign_clusters(model: NeedsModel, matrix: Matrix, *, batch_size: int = 100_000) -> Labels:
    """The label of each customer's nearest centroid, in batches so memory stays bounded."""
    rows = _checked_rows(matrix, model.features)
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    impute, mean, scale = (np.array(values) for values in (model.impute, model.mean, model.scale))
    log_columns = np.array([name in model.log_features for name in model.features])
    centroids = np.array(model.centroids)
    centroid_norms = (centroids**2).sum(axis=1)
    labels = np.empty(len(rows), dtype=np.intp)
    for start in range(0, len(rows), batch_size):
        batch = (
            _logged(_filled(rows[start : start + batch_size], impute), log_columns) - mean
        ) / scale
        # |x - c|² minus the per-row constant |x|²: same nearest centroid, no batch-by-k-by-d array.
        labels[start : start + batch_size] = np.argmin(
            centroid_norms - 2 * batch @ centroids.T, axis=1
        )
    return labels


def _best_kmeans(
    standardised: Matrix,
    candidate_ks: Sequence[int],
    previous_centroids: Matrix | None,
    silhouette_sample: int,
    seed: int,
) -> tuple[Any, dict[int, float]]:
    """The KMeans fit of the k with the best silhouette, and the silhouette of every k tried.

    Each k is tried on the silhouette sample only; the chosen one is then fitted on the whole
    sample, starting from the centroids it found, so the search costs little at any size.
    """
    rng = np.random.default_rng(seed)
    search = standardised
    if len(standardised) > silhouette_sample:
        search = standardised[rng.choice(len(standardised), silhouette_sample, replace=False)]
    silhouette_by_k: dict[int, float] = {}
    best: Any = None
    for k in candidate_ks:
        if k >= len(search):
            continue
        warm = previous_centroids is not None and k == len(previous_centroids)
        kmeans = KMeans(
            n_clusters=k,
            init=previous_centroids if warm else "k-means++",
            n_init=1 if warm else KMEANS_RESTARTS,
            random_state=seed,
        ).fit(search)
        if len(np.unique(kmeans.labels_)) < 2:
            continue
        silhouette_by_k[k] = float(silhouette_score(search, kmeans.labels_, random_state=seed))
        if best is None or silhouette_by_k[k] > silhouette_by_k[best.n_clusters]:
            best = kmeans
    if best is None:
        raise ValueError("needs clustering found no k with two or more clusters")
    final = KMeans(
        n_clusters=best.n_clusters, init=best.cluster_centers_, n_init=1, random_state=seed
    ).fit(standardised)
    return final, silhouette_by_k


def _checked_rows(matrix: Matrix, features: Sequence[str]) -> Matrix:
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise ValueError(f"unknown needs features: {', '.join(unknown)}")
    if len(set(features)) != len(features):
        raise ValueError("needs features must not repeat")
    rows = np.asarray(matrix, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != len(features):
        raise ValueError(f"matrix of shape {rows.shape} does not match {len(features)} features")
    return rows


def _sample_medians(rows: Matrix, features: Sequence[str]) -> Matrix:
    known = np.isfinite(rows)
    empty = [features[int(j)] for j in np.flatnonzero(~known.any(axis=0))]
    if empty:
        raise ValueError(f"needs features without any known value: {', '.join(empty)}")
    medians: Matrix = np.nanmedian(np.where(known, rows, np.nan), axis=0)
    return medians


def _filled(rows: Matrix, impute: Matrix) -> Matrix:
    return np.where(np.isfinite(rows), rows, impute)


def _logged(filled: Matrix, log_columns: npt.NDArray[np.bool_]) -> Matrix:
    logged = filled.copy()
    # Credit notes can make net revenue negative; the log needs a non-negative argument.
    logged[:, log_columns] = np.log1p(np.maximum(filled[:, log_columns], 0.0))
    return logged


def _previous_in_new_space(
    previous: NeedsModel | None, features: tuple[str, ...], mean: Matrix, scale: Matrix
) -> Matrix | None:
    """The previous centroids back in feature units, re-standardised with the new scaler."""
    if previous is None or set(previous.features) != set(features):
        return None
    order = [previous.features.index(name) for name in features]
    previous_mean, previous_scale = np.array(previous.mean)[order], np.array(previous.scale)[order]
    in_units = np.array(previous.centroids)[:, order] * previous_scale + previous_mean
    in_new_space: Matrix = (in_units - mean) / scale
    return in_new_space


def _stable_labels(centroids: Matrix, previous_centroids: Matrix | None) -> Labels:
    """The label for each fitted cluster: its matched previous label, else the next free one."""
    k = len(centroids)
    labels = np.full(k, -1, dtype=np.intp)
    if previous_centroids is not None:
        distances = np.linalg.norm(centroids[:, None, :] - previous_centroids[None, :, :], axis=2)
        for fitted, matched in zip(*linear_sum_assignment(distances), strict=True):
            # Labels stay 0..k-1 so centroid row i is label i; a retired label >= k is not kept.
            if matched < k:
                labels[fitted] = matched
    free = iter(sorted(set(range(k)) - set(labels.tolist())))
    for fitted in range(k):
        if labels[fitted] < 0:
            labels[fitted] = next(free)
    return labels


def _floats(values: Any) -> tuple[float, ...]:
    return tuple(float(value) for value in values)
