"""What a run reports: segments with their value, the models, migration, and what ABC misses."""

from collections import Counter
from typing import Any

import numpy as np

from services.segmentation.domain.assignment import Assignments
from services.segmentation.domain.features import UNITS_PER_CURRENCY
from services.segmentation.domain.model import SegmentationModel
from services.segmentation.domain.portfolio import Portfolio

Identity = tuple[Any, ...]


def _money(units: float) -> str:
    return f"{units / UNITS_PER_CURRENCY:.2f}"


def _groups(assignments: Assignments, labels: np.ndarray[Any, Any]) -> dict[str, Any]:
    scores = assignments.scores
    out: dict[str, Any] = {}
    for label in sorted({str(value) for value in labels.tolist()}):
        mask = labels == label
        out[label] = {
            "customers": int(mask.sum()),
            "revenue_12m": _money(float(scores["revenue_12m"][mask].sum())),
            "contribution_margin_3_12m": _money(
                float(scores["contribution_margin_3_12m"][mask].sum())
            ),
            "clv": f"{float(np.nansum(scores['clv'][mask])):.2f}",
        }
    return out


def _abc_comparison(assignments: Assignments) -> dict[str, Any]:
    abc = assignments.abc_class
    cm3 = assignments.scores["contribution_margin_3_12m"]
    total_cm3 = float(cm3.sum())
    share = {
        name: (round(float(cm3[abc == name].sum()) / total_cm3, 4) if total_cm3 else None)
        for name in ("A", "B", "C")
    }
    return {
        "a_customers_with_negative_cm3": int(((abc == "A") & (cm3 < 0)).sum()),
        "c_customers_with_high_potential": int(
            ((abc == "C") & (assignments.potential_tier == "high")).sum()
        ),
        "cm3_share_by_abc_class": share,
        "customers_by_abc_class": {name: int((abc == name).sum()) for name in ("A", "B", "C")},
    }


def migration_matrix(
    before: dict[str, Identity], assignments: Assignments
) -> dict[str, dict[str, int]]:
    """Customers per (previous segment -> new segment); 'none' for a first assignment."""
    pairs: Counter[tuple[str, str]] = Counter()
    for customer_id, segment in zip(
        assignments.customer_ids.tolist(), assignments.strategic_segment.tolist(), strict=True
    ):
        previous = before.get(customer_id)
        pairs[(str(previous[0]) if previous else "none", str(segment))] += 1
    matrix: dict[str, dict[str, int]] = {}
    for (old, new), count in sorted(pairs.items()):
        matrix.setdefault(old, {})[new] = count
    return matrix


def model_parameters(model: SegmentationModel) -> dict[str, Any]:
    needs = model.needs
    return {
        "version": model.version,
        "bgnbd": None if model.bgnbd is None else {**model.bgnbd.to_json(), "time_unit": "weeks"},
        "bgnbd_fallback": model.bgnbd is None,
        "gamma_gamma": None
        if model.gamma_gamma is None
        else {**model.gamma_gamma.to_json(), "fitted_on": "margin per purchase"},
        "needs_clusters": None
        if needs is None
        else {
            "version": needs.version,
            "silhouette": round(needs.silhouette, 4),
            "silhouette_by_k": {str(k): round(v, 4) for k, v in needs.silhouette_by_k.items()},
            "clusters": [
                {"label": label, "description": description, "sample_size": size}
                for label, (description, size) in enumerate(
                    zip(needs.descriptions, needs.sizes, strict=True)
                )
            ],
        },
        "population_interval_days": round(model.population_interval_days, 1),
        "value_cutoffs_cm3": [
            None if np.isnan(cut) else _money(cut) for cut in model.value_cutoffs
        ],
    }


def run_summary(
    model: SegmentationModel,
    assignments: Assignments,
    before: dict[str, Identity],
    portfolio: Portfolio,
    changed: int | None,
) -> dict[str, Any]:
    """The summary `GET /v1/runs/{id}` shows when a run is done."""
    return {
        "customers": len(assignments),
        "changed": changed,
        "portfolio": portfolio.source,
        "segments": _groups(assignments, assignments.strategic_segment),
        "value_tiers": _groups(assignments, assignments.value_tier),
        "potential_tiers": _groups(assignments, assignments.potential_tier),
        "lifecycle_stages": _groups(assignments, assignments.lifecycle_stage),
        "models": model_parameters(model),
        "migration": migration_matrix(before, assignments),
        "abc_comparison": _abc_comparison(assignments),
    }
