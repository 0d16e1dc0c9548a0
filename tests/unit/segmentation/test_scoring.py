"""Fitting on everyone and scoring anyone: a re-score judges exactly like the full run."""

import json

import numpy as np

from services.segmentation.domain.config import SegmentationConfig
from services.segmentation.domain.gamma_gamma import GammaGammaParameters
from services.segmentation.domain.model import SegmentationModel
from services.segmentation.domain.portfolio import DEFAULT_PORTFOLIO
from services.segmentation.domain.scoring import fit_model, score, usable_spend_model
from tests.unit.segmentation.synthetic import AS_OF_DAY, derive_features, ledger_columns, subset

CONFIG = SegmentationConfig()


def _fitted(columns: dict[str, np.ndarray]) -> SegmentationModel:  # type: ignore[type-arg]
    everyone = derive_features(columns, as_of_day=AS_OF_DAY, return_handling_rate=100_000)
    return fit_model(
        everyone,
        CONFIG,
        None,
        version=1,
        run_id="run-1",
        config_version=0,
        portfolio=DEFAULT_PORTFOLIO,
    )


def test_rescoring_some_customers_gives_what_the_full_run_gave_them() -> None:
    columns = ledger_columns(3_000)
    model = _fitted(columns)
    everyone = subset(columns, np.arange(3_000))
    full = score(model, everyone, CONFIG, DEFAULT_PORTFOLIO)
    rows = np.array([5, 17, 400, 2_999, 1_234])

    few = score(model, subset(columns, rows), CONFIG, DEFAULT_PORTFOLIO)

    for position, row in enumerate(rows):
        assert few.identity(position) == full.identity(int(row))
        assert few.reasons[position] == full.reasons[int(row)]
        for name, values in few.scores.items():
            np.testing.assert_allclose(values[position], full.scores[name][row], equal_nan=True)


def test_a_model_read_back_from_json_scores_alike() -> None:
    columns = ledger_columns(2_000, seed=3)
    model = _fitted(columns)
    everyone = subset(columns, np.arange(2_000))

    restored = SegmentationModel.from_json(json.loads(json.dumps(model.to_json())))

    before = score(model, everyone, CONFIG, DEFAULT_PORTFOLIO)
    after = score(restored, everyone, CONFIG, DEFAULT_PORTFOLIO)
    assert [before.identity(i) for i in range(2_000)] == [after.identity(i) for i in range(2_000)]


def test_fit_finds_the_models_and_every_tier_is_populated() -> None:
    columns = ledger_columns(4_000, seed=11)
    model = _fitted(columns)
    assignments = score(model, subset(columns, np.arange(4_000)), CONFIG, DEFAULT_PORTFOLIO)

    assert model.bgnbd is not None and model.gamma_gamma is not None and model.needs is not None
    assert set(assignments.value_tier.tolist()) >= {"low", "medium", "high"}
    assert set(assignments.potential_tier.tolist()) == {"low", "medium", "high"}
    assert set(assignments.abc_class.tolist()) == {"A", "B", "C"}


def test_prospects_are_prospects_without_cluster_or_clv() -> None:
    columns = ledger_columns(1_000, seed=5, prospects=0.3)
    model = _fitted(columns)
    everyone = subset(columns, np.arange(1_000))
    assignments = score(model, everyone, CONFIG, DEFAULT_PORTFOLIO)

    prospects = ~everyone.has_orders
    assert prospects.any()
    assert set(assignments.lifecycle_stage[prospects].tolist()) == {"prospect"}
    assert (assignments.needs_cluster[prospects] == -1).all()
    assert (assignments.scores["clv"][prospects] == 0).all()
    assert np.isnan(assignments.scores["churn_risk"][prospects]).all()


def test_too_few_buyers_to_fit_fall_back_and_still_assign() -> None:
    columns = ledger_columns(6, seed=2, prospects=0.0)

    model = _fitted(columns)
    assignments = score(model, subset(columns, np.arange(6)), CONFIG, DEFAULT_PORTFOLIO)

    assert model.bgnbd is None and model.gamma_gamma is None and model.needs is None
    assert len(assignments) == 6
    assert (assignments.scores["clv"] >= 0).all()


def test_a_spend_model_with_infinite_population_mean_is_not_used() -> None:
    heavy_tailed = GammaGammaParameters(p=2.0, q=0.9, gamma=10.0, log_likelihood=-1.0, customers=50)
    usable = GammaGammaParameters(p=6.25, q=3.74, gamma=15.44, log_likelihood=-1.0, customers=50)

    assert usable_spend_model(heavy_tailed) is None
    assert usable_spend_model(usable) is usable
