"""Fitting the models on every customer, and scoring any customers with a fitted model.

A full run fits, freezes the cut-offs in the model, then scores everyone with `score`; a
re-score between runs calls the same `score` with the stored model, so both judge alike.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.segmentation.domain import tiers
from services.segmentation.domain.assignment import NO_CLUSTER, Assignments
from services.segmentation.domain.bgnbd import BgNbdParameters, churn_risk, fit_bgnbd, p_alive
from services.segmentation.domain.clv import discounted_clv
from services.segmentation.domain.config import SegmentationConfig
from services.segmentation.domain.features import (
    DAYS_PER_WEEK,
    UNITS_PER_CURRENCY,
    CustomerFeatures,
)
from services.segmentation.domain.gamma_gamma import GammaGammaParameters, fit_gamma_gamma
from services.segmentation.domain.lifecycle import (
    LifecycleInput,
    lifecycle_stages,
    population_interval_days,
)
from services.segmentation.domain.model import SegmentationModel
from services.segmentation.domain.needs import assign_clusters, fit_needs_model
from services.segmentation.domain.portfolio import Portfolio, strategic_segments, thrust_of
from services.segmentation.domain.reasons import assignment_reasons

FloatArray = npt.NDArray[np.float64]
CHUNK = 100_000

PUBLISHED_BGNBD = BgNbdParameters(
    r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=float("nan"), customers=0
)
"""Fader, Hardie & Lee's CDNOW estimates (weeks): the prior until enough customers bought."""


def _behaviour_matrix(features: CustomerFeatures, names: tuple[str, ...]) -> FloatArray:
    return np.column_stack([features.behaviour[name] for name in names])


def _clusters(
    model: SegmentationModel, features: CustomerFeatures, names: tuple[str, ...]
) -> npt.NDArray[np.int64]:
    labels = np.full(len(features), NO_CLUSTER, dtype=np.int64)
    if model.needs is not None and features.has_orders.any():
        buyers = features.has_orders
        labels[buyers] = assign_clusters(model.needs, _behaviour_matrix(features, names)[buyers])
    return labels


def predictions(
    model: SegmentationModel, features: CustomerFeatures, config: SegmentationConfig
) -> dict[str, FloatArray]:
    """CLV (currency), churn risk, P(alive) and expected purchases; NaN for prospects."""
    size = len(features)
    out = {name: np.full(size, np.nan) for name in ("clv", "churn_risk", "p_alive")}
    out["clv"][:] = 0.0
    bgnbd = model.bgnbd or PUBLISHED_BGNBD
    buyers = np.flatnonzero(features.has_orders)
    period = config.churn_period_days / DAYS_PER_WEEK
    for start in range(0, buyers.size, CHUNK):
        rows = buyers[start : start + CHUNK]
        history = (features.frequency[rows], features.recency_weeks[rows], features.age_weeks[rows])
        out["churn_risk"][rows] = churn_risk(bgnbd, period, *history)
        out["p_alive"][rows] = p_alive(bgnbd, *history)
        spend = model.gamma_gamma or _own_margin_model(model)
        out["clv"][rows] = discounted_clv(
            bgnbd,
            spend,
            *history,
            features.monetary[rows],
            horizon_months=config.horizon_months,
            annual_discount_rate=config.annual_discount_rate,
            days_per_time_unit=DAYS_PER_WEEK,
        )
    return out


def usable_spend_model(params: GammaGammaParameters) -> GammaGammaParameters | None:
    """The fitted spend model, or None when its population mean is infinite (q <= 1).

    Heavy-tailed margins per purchase can fit such a q; the value of a purchase then falls
    back to the mean margin per purchase, as when there is too little data to fit.
    """
    return params if params.q > 1.0 else None


def _own_margin_model(model: SegmentationModel) -> GammaGammaParameters:
    # Without a fitted spend model, a purchase is worth what the average purchase earned:
    # a Gamma-Gamma with an overwhelming prior at that mean (p q large, gamma = mean (q-1)/p).
    mean = max(model.mean_margin_per_purchase, 0.0)
    return GammaGammaParameters(
        p=1e6, q=1e6, gamma=mean * (1e6 - 1) / 1e6, log_likelihood=float("nan"), customers=0
    )


@dataclass(frozen=True)
class Fitted:
    """A fitted model with what fitting computed for every customer, to score with it."""

    model: SegmentationModel
    predicted: dict[str, FloatArray]
    clusters: npt.NDArray[np.int64]


def fit_model(
    features: CustomerFeatures,
    config: SegmentationConfig,
    previous: SegmentationModel | None,
    *,
    version: int,
    run_id: str,
    config_version: int,
    portfolio: Portfolio,
    seed: int = 0,
) -> SegmentationModel:
    """Fit BG/NBD, Gamma-Gamma and the needs clusters, and freeze every cut-off."""
    return fit(
        features,
        config,
        previous,
        version=version,
        run_id=run_id,
        config_version=config_version,
        portfolio=portfolio,
        seed=seed,
    ).model


def fit(
    features: CustomerFeatures,
    config: SegmentationConfig,
    previous: SegmentationModel | None,
    *,
    version: int,
    run_id: str,
    config_version: int,
    portfolio: Portfolio,
    seed: int = 0,
) -> Fitted:
    """Fit the models on every customer; what fitting predicted is kept for scoring."""
    buyers = features.has_orders
    x, t_x, age = (
        features.frequency[buyers],
        features.recency_weeks[buyers],
        features.age_weeks[buyers],
    )
    bgnbd: BgNbdParameters | None
    try:
        bgnbd = fit_bgnbd(x, t_x, age, max_customers=config.max_fit_customers, seed=seed)
    except ValueError:
        bgnbd = None
    try:
        gamma_gamma: GammaGammaParameters | None = usable_spend_model(
            fit_gamma_gamma(
                x, features.monetary[buyers], max_customers=config.max_fit_customers, seed=seed
            )
        )
    except ValueError:
        gamma_gamma = None
    repeat = x > 0
    mean_margin = float(features.monetary[buyers][repeat].mean()) if repeat.any() else 0.0
    names = config.needs.features
    needs = None
    try:
        if buyers.sum() >= config.needs.min_customers:
            needs = fit_needs_model(
                _behaviour_matrix(features, names)[buyers],
                names,
                k_min=config.needs.k_min,
                k_max=config.needs.k_max,
                sample_size=config.needs.sample_size,
                silhouette_sample=config.needs.silhouette_sample,
                seed=seed,
                previous=previous.needs if previous is not None else None,
            )
    except ValueError:
        needs = None
    draft = SegmentationModel(
        version=version,
        run_id=run_id,
        as_of_day=features.as_of_day,
        config_version=config_version,
        portfolio_source=portfolio.source,
        bgnbd=bgnbd,
        gamma_gamma=gamma_gamma,
        mean_margin_per_purchase=mean_margin,
        needs=needs,
        population_interval_days=population_interval_days(_lifecycle_input(features, None)),
        abc=tiers.AbcCutoffs(None, None),
        value_cutoffs=(np.nan, np.nan),
        potential=tiers.PotentialCutoffs(np.inf, np.inf, np.inf, np.inf),
        peers=tiers.PeerReferences({}, {}, 0.0),
    )
    clusters = _clusters(draft, features, names)
    predicted = predictions(draft, features, config)
    margins = features.margins_window
    value = tiers.value_tiers(margins["contribution_margin_3"], config.value_tiers, buyers)
    peers = tiers.peer_references(
        margins["contribution_margin_2"],
        features.peer_groups,
        clusters,
        buyers,
        config.potential_tiers,
    )
    gaps = tiers.gaps_at(peers, margins["contribution_margin_2"], features.peer_groups, clusters)
    model = SegmentationModel(
        **{
            **draft.__dict__,
            "abc": tiers.abc_cutoffs(features.revenue_window, config.abc_cutoffs),
            "value_cutoffs": (value.low_medium_cutoff, value.medium_high_cutoff),
            "potential": tiers.potential_cutoffs(
                predicted["clv"], gaps / UNITS_PER_CURRENCY, buyers, config.potential_tiers
            ),
            "peers": peers,
        }
    )
    return Fitted(model, predicted, clusters)


def _lifecycle_input(features: CustomerFeatures, risk: FloatArray | None) -> LifecycleInput:
    return LifecycleInput(
        purchase_days=features.purchase_days.astype(np.int64),
        tenure_days=features.tenure_days,
        recency_days=features.recency_days,
        repeat_span_days=features.repeat_span_days,
        previous_gap_days=features.previous_gap_days,
        churn_risk=np.zeros(len(features)) if risk is None else np.nan_to_num(risk, nan=0.0),
        revenue_trend=features.revenue_trend,
    )


def score(
    model: SegmentationModel,
    features: CustomerFeatures,
    config: SegmentationConfig,
    portfolio: Portfolio,
    fitted: Fitted | None = None,
) -> Assignments:
    """Assign every customer in `features` with the model's parameters and cut-offs.

    `fitted` is the outcome of fitting on these very features: its predictions and clusters
    are the model's and are not computed again.
    """
    buyers = features.has_orders
    if fitted is not None and fitted.model is model:
        clusters, predicted = fitted.clusters, fitted.predicted
    else:
        clusters = _clusters(model, features, config.needs.features)
        predicted = predictions(model, features, config)
    margins = features.margins_window
    cm2, cm3 = margins["contribution_margin_2"], margins["contribution_margin_3"]
    gaps = tiers.gaps_at(model.peers, cm2, features.peer_groups, clusters) / UNITS_PER_CURRENCY
    value = tiers.value_tiers_at(cm3, buyers, *model.value_cutoffs)
    potential = tiers.potential_tiers_at(model.potential, predicted["clv"], gaps, buyers)
    stages, stage_reasons = lifecycle_stages(
        _lifecycle_input(features, predicted["churn_risk"]),
        config.lifecycle,
        model.population_interval_days,
    )
    segments, segment_reasons = strategic_segments(portfolio, value, potential, stages)
    scores = {
        **predicted,
        "share_of_wallet_gap": gaps,
        "revenue_12m": features.revenue_window,
        "contribution_margin_1_12m": margins["contribution_margin_1"],
        "contribution_margin_2_12m": cm2,
        "cost_to_serve_12m": margins["cost_to_serve"],
        "contribution_margin_3_12m": cm3,
        "contribution_margin_3_lifetime": features.margins_lifetime["contribution_margin_3"],
    }
    return Assignments(
        customer_ids=features.customer_ids,
        strategic_segment=segments,
        thrust=thrust_of(portfolio, segments),
        value_tier=value,
        potential_tier=potential,
        lifecycle_stage=stages,
        lifecycle_reason=stage_reasons,
        needs_cluster=clusters,
        abc_class=tiers.abc_at(model.abc, features.revenue_window),
        scores=scores,
        reasons=assignment_reasons(
            model,
            config,
            value_tiers=value,
            potential_tiers=potential,
            scores=scores,
            stage_reasons=stage_reasons,
            segment_reasons=segment_reasons,
        ),
    )
