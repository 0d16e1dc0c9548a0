"""Needs clusters: recovered groups, stable labels across refits, NaNs, JSON and descriptions."""

import dataclasses
import json

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.metrics import adjusted_rand_score

from services.segmentation.domain.needs import (
    FEATURES,
    NeedsModel,
    assign_clusters,
    fit_needs_model,
)
from services.segmentation.domain.needs_wording import describe_clusters

DISCOUNT_HUNTERS = {
    "online_share": 0.85, "field_share": 0.02, "inside_share": 0.05, "store_share": 0.05,
    "partner_share": 0.03, "discount_share": 0.25, "service_intensity": 0.2,
    "complaint_rate": 0.05, "return_rate": 0.12, "order_size": 80.0,
    "purchase_frequency": 12.0, "mean_csat": 3.8,
}  # fmt: skip
FIELD_ACCOUNTS = {
    "online_share": 0.05, "field_share": 0.8, "inside_share": 0.1, "store_share": 0.02,
    "partner_share": 0.03, "discount_share": 0.08, "service_intensity": 1.0,
    "complaint_rate": 0.02, "return_rate": 0.02, "order_size": 8000.0,
    "purchase_frequency": 20.0, "mean_csat": 4.3,
}  # fmt: skip
STORE_SERVICE = {
    "online_share": 0.1, "field_share": 0.05, "inside_share": 0.15, "store_share": 0.7,
    "partner_share": 0.0, "discount_share": 0.05, "service_intensity": 3.0,
    "complaint_rate": 0.15, "return_rate": 0.05, "order_size": 400.0,
    "purchase_frequency": 4.0, "mean_csat": 3.2,
}  # fmt: skip
EDI_PARTNERS = {
    "online_share": 0.03, "field_share": 0.05, "inside_share": 0.05, "store_share": 0.02,
    "partner_share": 0.85, "discount_share": 0.12, "service_intensity": 0.1,
    "complaint_rate": 0.01, "return_rate": 0.01, "order_size": 2500.0,
    "purchase_frequency": 60.0, "mean_csat": 4.0,
}  # fmt: skip
THREE_GROUPS = (DISCOUNT_HUNTERS, FIELD_ACCOUNTS, STORE_SERVICE)

Matrix = npt.NDArray[np.float64]
Groups = npt.NDArray[np.int_]


def _population(
    groups: tuple[dict[str, float], ...], per_group: int, seed: int
) -> tuple[Matrix, Groups]:
    """Customers scattered around each group's typical needs, shuffled, with their group."""
    rng = np.random.default_rng(seed)
    group_of_row = rng.permutation(np.repeat(np.arange(len(groups)), per_group))
    typical = np.array([[group[name] for name in FEATURES] for group in groups])[group_of_row]
    matrix = typical + rng.normal(0.0, 0.04, typical.shape)
    for skewed in ("order_size", "purchase_frequency"):
        column = FEATURES.index(skewed)
        matrix[:, column] = typical[:, column] * rng.lognormal(0.0, 0.2, len(typical))
    csat = FEATURES.index("mean_csat")
    matrix[:, csat] = np.clip(typical[:, csat] + rng.normal(0.0, 0.3, len(typical)), 1, 5)
    matrix[:, :csat] = np.clip(matrix[:, :csat], 0.0, None)
    return matrix, group_of_row


def _label_of_group(labels: npt.NDArray[np.intp], groups: Groups) -> list[int]:
    return [int(np.bincount(labels[groups == g]).argmax()) for g in range(groups.max() + 1)]


def _share_keeping_label(model: NeedsModel, refit: NeedsModel, matrix: Matrix) -> float:
    return float(np.mean(assign_clusters(model, matrix) == assign_clusters(refit, matrix)))


@pytest.fixture(scope="module")
def population() -> tuple[Matrix, Groups]:
    return _population(THREE_GROUPS, per_group=1000, seed=1)


@pytest.fixture(scope="module")
def model(population: tuple[Matrix, Groups]) -> NeedsModel:
    return fit_needs_model(population[0], FEATURES, seed=0)


def test_well_separated_groups_are_recovered_as_clusters(
    population: tuple[Matrix, Groups], model: NeedsModel
) -> None:
    matrix, groups = population

    assert len(model.centroids) == 3
    assert max(model.silhouette_by_k, key=model.silhouette_by_k.__getitem__) == 3
    assert adjusted_rand_score(groups, assign_clusters(model, matrix)) >= 0.95
    assert model.version == 1
    assert sum(model.sizes) == len(matrix)


def test_refit_with_previous_keeps_labels_even_when_kmeans_numbers_differently(
    model: NeedsModel,
) -> None:
    resample, groups = _population(THREE_GROUPS, per_group=900, seed=2)
    before = _label_of_group(assign_clusters(model, resample), groups)

    unguided = fit_needs_model(resample, FEATURES, seed=5)
    unguided_labels = _label_of_group(assign_clusters(unguided, resample), groups)
    assert sorted(unguided_labels) == sorted(before)
    assert unguided_labels != before

    guided = fit_needs_model(resample, FEATURES, seed=5, previous=model)
    assert _label_of_group(assign_clusters(guided, resample), groups) == before
    assert _share_keeping_label(model, guided, resample) >= 0.95
    assert guided.version == 2


def test_new_labels_follow_the_numbering_of_a_permuted_previous_model(
    population: tuple[Matrix, Groups], model: NeedsModel
) -> None:
    matrix, groups = population
    permutation = [2, 0, 1]
    permuted = dataclasses.replace(
        model, centroids=tuple(model.centroids[old] for old in permutation)
    )

    refit = fit_needs_model(matrix, FEATURES, seed=3, previous=permuted)

    before = _label_of_group(assign_clusters(model, matrix), groups)
    after = _label_of_group(assign_clusters(refit, matrix), groups)
    assert after == [permutation.index(label) for label in before]


def test_a_new_group_gets_the_next_label_and_old_groups_keep_theirs(
    population: tuple[Matrix, Groups], model: NeedsModel
) -> None:
    grown, groups = _population((*THREE_GROUPS, EDI_PARTNERS), per_group=800, seed=4)
    old_labels = _label_of_group(assign_clusters(model, population[0]), population[1])

    unguided = fit_needs_model(grown, FEATURES, seed=3)
    refit = fit_needs_model(grown, FEATURES, seed=3, previous=model)

    assert _label_of_group(assign_clusters(unguided, grown), groups) != [*old_labels, 3]
    assert len(refit.centroids) == 4
    assert _label_of_group(assign_clusters(refit, grown), groups) == [*old_labels, 3]


def test_customers_without_satisfaction_are_fitted_and_assigned_by_the_imputed_value() -> None:
    matrix, groups = _population(THREE_GROUPS, per_group=300, seed=6)
    csat = FEATURES.index("mean_csat")
    matrix[::3, csat] = np.nan

    fitted = fit_needs_model(matrix, FEATURES, seed=0)
    labels = assign_clusters(fitted, matrix)

    assert fitted.impute[csat] == pytest.approx(np.nanmedian(matrix[:, csat]))
    assert adjusted_rand_score(groups, labels) >= 0.95
    assert adjusted_rand_score(groups[::3], labels[::3]) >= 0.95


def test_model_survives_a_json_round_trip(
    population: tuple[Matrix, Groups], model: NeedsModel
) -> None:
    restored = NeedsModel.from_json(json.loads(json.dumps(model.to_json())))

    assert restored == model
    assert np.array_equal(
        assign_clusters(restored, population[0]), assign_clusters(model, population[0])
    )


def test_assigning_in_batches_equals_assigning_at_once(
    population: tuple[Matrix, Groups], model: NeedsModel
) -> None:
    matrix = population[0]

    assert np.array_equal(
        assign_clusters(model, matrix, batch_size=7), assign_clusters(model, matrix)
    )


def test_descriptions_name_what_sets_each_group_apart(
    population: tuple[Matrix, Groups], model: NeedsModel
) -> None:
    hunters, field, store = _label_of_group(assign_clusters(model, population[0]), population[1])

    assert "discount share" in model.descriptions[hunters]
    assert "orders mostly through field sales" in model.descriptions[field]
    assert "orders mostly in stores" in model.descriptions[store]
    assert len(set(model.descriptions)) == 3


def test_fit_on_a_large_matrix_uses_a_sample_of_the_requested_size() -> None:
    matrix, _ = _population(THREE_GROUPS, per_group=2000, seed=8)

    fitted = fit_needs_model(matrix, FEATURES, sample_size=1500, silhouette_sample=500)

    assert sum(fitted.sizes) == 1500


def test_features_can_come_as_a_subset_in_any_order(population: tuple[Matrix, Groups]) -> None:
    matrix, groups = population
    chosen = ["order_size", "discount_share", "field_share", "store_share"]
    columns = [FEATURES.index(name) for name in chosen]

    fitted = fit_needs_model(matrix[:, columns], chosen)

    assert fitted.log_features == ("order_size",)
    assert adjusted_rand_score(groups, assign_clusters(fitted, matrix[:, columns])) >= 0.95


@pytest.mark.parametrize(
    ("matrix", "features", "message"),
    [
        (np.ones((20, 3)), FEATURES, "does not match"),
        (np.arange(36.0).reshape(3, 12), FEATURES, "at least 4 rows"),
        (np.ones((20, 1)), ["loyalty_points"], "unknown needs features"),
        (np.ones((20, 2)), ["order_size", "order_size"], "must not repeat"),
        (np.full((20, 1), np.nan), ["order_size"], "without any known value"),
        (np.ones((20, 1)), ["order_size"], "distinct rows"),
    ],
)
def test_bad_input_is_refused(matrix: Matrix, features: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_needs_model(matrix, features)


def test_assigning_a_matrix_of_the_wrong_width_is_refused(model: NeedsModel) -> None:
    with pytest.raises(ValueError, match="does not match"):
        assign_clusters(model, np.ones((5, 4)))


def test_a_feature_a_cluster_barely_has_reads_as_hardly_any() -> None:
    centroids = np.array([[-2.0, 0.0], [2.0, 0.0]])
    cluster_means = np.array([[0.01, 0.3], [0.45, 0.3]])

    first, second = describe_clusters(
        ("online_share", "discount_share"), centroids, cluster_means, np.array([0.4, 0.3])
    )

    assert first == "hardly any online share"
    assert "online share" in second and "hardly" not in second
