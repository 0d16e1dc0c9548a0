"""Assignment rows built a column at a time hold exactly what value-by-value conversion gave."""

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from services.segmentation import ledger
from services.segmentation.assignment_rows import (
    assignment_rows,
    ledger_texts,
    money_texts,
    ratios,
)
from services.segmentation.domain.assignment import Assignments
from services.segmentation.domain.config import SegmentationConfig
from services.segmentation.domain.features import derive_features
from services.segmentation.domain.portfolio import DEFAULT_PORTFOLIO
from services.segmentation.domain.scoring import fit_model, score
from tests.unit.segmentation.synthetic import AS_OF_DAY, ledger_columns, subset

NOW = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def _money_one_by_one(value: float) -> str:
    return str(Decimal(repr(round(value, 2))).quantize(Decimal("0.01")))


def _ledger_one_by_one(value: float) -> str:
    return str(ledger.amount(round(value)))


def _awkward_values(seed: int) -> np.ndarray[Any, Any]:
    """Halves, negative zeros, tiny negatives and amounts of every size up to the limits."""
    rng = np.random.default_rng(seed)
    magnitudes = 10.0 ** rng.uniform(-4, 15, 20_000)
    signs = np.where(rng.random(20_000) < 0.3, -1.0, 1.0)
    edges = [0.0, -0.0, 0.005, -0.005, 0.015, 0.025, 2.675, -2.675, 1.005, -0.004, 0.5, -0.5]
    edges += [1.5, 2.5, -2.5, 49.0, 50.0, -50.0, 150.0, 250.0, -30.0, -49.999, 999_999_999_999.99]
    edges += [1e12, -1e12, 1e15, 123456789012.345, 9.995, 99.995, 5e-324]
    halves = np.round(rng.uniform(-1e6, 1e6, 5_000)) + 0.5
    cents = np.round(rng.uniform(-1e9, 1e9, 5_000)) / 100 + 0.005
    return np.concatenate([magnitudes * signs, edges, halves, cents, halves * 100 + 50])


@pytest.mark.parametrize("seed", [1, 2])
def test_money_texts_are_the_decimal_conversion_of_each_amount(seed: int) -> None:
    values = _awkward_values(seed)

    assert money_texts(values) == [_money_one_by_one(v) for v in values.tolist()]


def test_a_money_score_that_is_not_a_number_reads_nan() -> None:
    assert money_texts(np.array([math.nan, 1.0])) == ["NaN", "1.00"]


@pytest.mark.parametrize("seed", [3, 4])
def test_ledger_texts_are_the_decimal_conversion_of_each_amount(seed: int) -> None:
    values = _awkward_values(seed)

    assert ledger_texts(values) == [_ledger_one_by_one(v) for v in values.tolist()]


def test_a_ledger_amount_rounding_to_no_cent_keeps_its_sign_as_decimal_does() -> None:
    assert ledger_texts(np.array([-30.0, -0.3, 0.0, 30.0, -50.0, -51.0])) == [
        "-0.00",
        "0.00",
        "0.00",
        "0.00",
        "-0.00",
        "-0.01",
    ]


def test_a_ledger_amount_that_is_not_a_number_fails_as_before() -> None:
    with pytest.raises(ValueError):
        ledger_texts(np.array([1.0, math.nan]))


def test_ratios_round_to_six_places_and_leave_prospects_empty() -> None:
    values = np.array([0.1234565, math.nan, 1 / 3, 0.0])

    assert ratios(values) == [round(0.1234565, 6), None, round(1 / 3, 6), 0.0]


def _assignments(size: int) -> Assignments:
    columns = ledger_columns(size, seed=5)
    everyone = derive_features(columns, as_of_day=AS_OF_DAY, return_handling_rate=100_000)
    config = SegmentationConfig()
    model = fit_model(
        everyone, config, None, version=1, run_id="r", config_version=0, portfolio=DEFAULT_PORTFOLIO
    )
    return score(model, subset(columns, np.arange(size)), config, DEFAULT_PORTFOLIO)


def _row_one_by_one(assignments: Assignments, index: int) -> dict[str, Any]:
    """A row as the writer used to build it, value by value."""
    scores: dict[str, Any] = {}
    for name, array in assignments.scores.items():
        value = float(array[index])
        if name in ("clv", "share_of_wallet_gap"):
            scores[name] = _money_one_by_one(value)
        elif name.endswith(("_12m", "_lifetime")):
            scores[name] = _ledger_one_by_one(value)
        else:
            scores[name] = None if math.isnan(value) else round(value, 6)
    cluster = int(assignments.needs_cluster[index])
    risk = float(assignments.scores["churn_risk"][index])
    return {
        "customer_id": str(assignments.customer_ids[index]),
        "strategic_segment": str(assignments.strategic_segment[index]),
        "thrust": str(assignments.thrust[index]),
        "value_tier": str(assignments.value_tier[index]),
        "potential_tier": str(assignments.potential_tier[index]),
        "lifecycle_stage": str(assignments.lifecycle_stage[index]),
        "lifecycle_reason": assignments.lifecycle_reason[index],
        "needs_cluster": None if cluster < 0 else cluster,
        "abc_class": str(assignments.abc_class[index]),
        "contribution_margin_3_12m": round(
            float(assignments.scores["contribution_margin_3_12m"][index])
        ),
        "clv": round(float(assignments.scores["clv"][index]), 2),
        "churn_risk": None if math.isnan(risk) else round(risk, 6),
        "scores": scores,
        "reasons": assignments.reasons[index],
        "model_version": "model 1",
        "run_id": "run-1",
        "as_of": NOW,
        "assigned_at": NOW,
    }


def test_rows_of_a_scored_population_are_those_built_value_by_value() -> None:
    assignments = _assignments(1_500)
    chosen = range(200, 1_400)

    rows = assignment_rows(
        assignments, chosen, model_version="model 1", run_id="run-1", as_of=NOW, assigned_at=NOW
    )

    assert len(rows) == len(chosen)
    identities = rows.identities()
    for position, index in enumerate(chosen):
        expected = _row_one_by_one(assignments, index)
        assert rows.record(position) == expected
        assert identities[position] == assignments.identity(index)
