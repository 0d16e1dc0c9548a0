"""Assignments as the rows of the assignments table, built a column at a time.

A full run writes every customer. Building each row value by value (a Decimal per amount,
a numpy scalar per field) cost several times what the database spends on it, so each column
is converted in one pass. The results are exactly those of the value-by-value conversions
they replace (tests/unit/segmentation/test_assignment_rows.py compares the two).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from services.segmentation import ledger
from services.segmentation.domain.assignment import NO_CLUSTER, Assignments

FloatArray = npt.NDArray[np.float64]
MONEY_SCORES = ("clv", "share_of_wallet_gap")
"""Scores in currency units; margins and revenue are in ledger units."""
LEDGER_SCORES = (
    "revenue_12m",
    "contribution_margin_1_12m",
    "contribution_margin_2_12m",
    "cost_to_serve_12m",
    "contribution_margin_3_12m",
    "contribution_margin_3_lifetime",
)
CENT = Decimal("0.01")
# Below these magnitudes a double formatted to two decimals is the decimal amount itself
# (doubles are spaced far closer than a cent); beyond them, and for NaN or infinity, the
# exact Decimal conversions run.
PLAIN_MONEY = 1e12
PLAIN_UNITS = 1e15


def money_text(value: float) -> str:
    """A currency amount as a two-decimal string (NaN as 'NaN')."""
    return str(Decimal(repr(round(value, 2))).quantize(CENT))


def ledger_text(units: float) -> str:
    """An amount in ledger units as a currency string with two decimals."""
    return str(ledger.amount(round(units)))


def money_texts(values: FloatArray) -> list[str]:
    """`money_text` of every value."""
    plain = np.isfinite(values) & (np.abs(values) < PLAIN_MONEY)
    # '.2f' rounds the exact double half to even, as round(value, 2) does.
    texts = list(map("{:.2f}".format, values.tolist()))
    for index in np.flatnonzero(~plain).tolist():
        texts[index] = money_text(float(values[index]))
    return texts


def ledger_texts(values: FloatArray) -> list[str]:
    """`ledger_text` of every value."""
    plain = np.isfinite(values) & (np.abs(values) < PLAIN_UNITS)
    # round() of a float and rint both round half to even; + 0.0 makes -0.0 the 0 that
    # round() returns. Whole units per cent rounded is exact: halves are representable.
    units = np.rint(np.where(plain, values, 0.0)) + 0.0
    per_cent = ledger.SCALE // 100  # ledger units in a cent
    cents = np.rint(units / per_cent)  # keeps the sign of -0.003 as Decimal does: -0.00
    texts = list(map("{:.2f}".format, (cents / 100).tolist()))
    for index in np.flatnonzero(~plain).tolist():
        texts[index] = ledger_text(float(values[index]))
    return texts


def ratios(values: FloatArray) -> list[float | None]:
    """Unitless scores rounded to six places; None for NaN (prospects)."""
    return [None if math.isnan(value) else round(value, 6) for value in values.tolist()]


def score_columns(assignments: Assignments, rows: npt.NDArray[np.int64]) -> dict[str, list[Any]]:
    """The scores of `rows` as JSON values, a list per score: money as decimal strings."""
    columns: dict[str, list[Any]] = {}
    for name, array in assignments.scores.items():
        values = array[rows]
        if name in MONEY_SCORES:
            columns[name] = money_texts(values)
        elif name in LEDGER_SCORES:
            columns[name] = ledger_texts(values)
        else:
            columns[name] = ratios(values)
    return columns


def _texts(array: npt.NDArray[Any], rows: npt.NDArray[np.int64]) -> list[str]:
    return list(map(str, array[rows].tolist()))


@dataclass(frozen=True)
class AssignmentRows:
    """Some customers' assignments as column lists of plain Python values."""

    columns: dict[str, list[Any]]
    """Table column -> a value per row."""
    constants: dict[str, Any]
    """Table column -> the value every row has (the run, the model, the moments)."""

    def __len__(self) -> int:
        return len(self.columns["customer_id"])

    def identities(self) -> list[tuple[Any, ...]]:
        """Per row what Assignments.identity gives: the identity parts, CLV, churn risk."""
        c = self.columns
        return list(
            zip(
                c["strategic_segment"],
                c["value_tier"],
                c["potential_tier"],
                c["lifecycle_stage"],
                c["needs_cluster"],
                c["abc_class"],
                c["clv"],
                c["churn_risk"],
                strict=True,
            )
        )

    def record(self, index: int) -> dict[str, Any]:
        """One row as a dict."""
        record = {name: values[index] for name, values in self.columns.items()}
        record.update(self.constants)
        return record


def assignment_rows(
    assignments: Assignments,
    rows: Sequence[int],
    *,
    model_version: str,
    run_id: str | None,
    as_of: datetime,
    assigned_at: datetime,
) -> AssignmentRows:
    """The table rows of `rows` of `assignments`, in that order."""
    index = np.asarray(rows, dtype=np.int64)
    positions = index.tolist()
    scores = score_columns(assignments, index)
    names = list(scores)
    margins = assignments.scores["contribution_margin_3_12m"][index].tolist()
    columns: dict[str, list[Any]] = {
        "customer_id": _texts(assignments.customer_ids, index),
        "strategic_segment": _texts(assignments.strategic_segment, index),
        "thrust": _texts(assignments.thrust, index),
        "value_tier": _texts(assignments.value_tier, index),
        "potential_tier": _texts(assignments.potential_tier, index),
        "lifecycle_stage": _texts(assignments.lifecycle_stage, index),
        "lifecycle_reason": [assignments.lifecycle_reason[i] for i in positions],
        "needs_cluster": [
            None if cluster == NO_CLUSTER else cluster
            for cluster in assignments.needs_cluster[index].tolist()
        ],
        "abc_class": _texts(assignments.abc_class, index),
        "contribution_margin_3_12m": [round(margin) for margin in margins],
        "clv": [round(clv, 2) for clv in assignments.scores["clv"][index].tolist()],
        "churn_risk": ratios(assignments.scores["churn_risk"][index]),
        "scores": [
            dict(zip(names, values, strict=True)) for values in zip(*scores.values(), strict=True)
        ],
        "reasons": [assignments.reasons[i] for i in positions],
    }
    constants = {
        "model_version": model_version,
        "run_id": run_id,
        "as_of": as_of,
        "assigned_at": assigned_at,
    }
    return AssignmentRows(columns=columns, constants=constants)
