"""Fit time of the project's BG/NBD against lifetimes' BetaGeoFitter on the CDNOW sample.

    python bench/cdnow_fit.py

Both fits run in this process on the same per-customer summary (calibration up to 1997-09-30,
in weeks), each timed as the best of several runs. lifetimes is optional: without it only the
project's fit is timed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from services.segmentation.domain.bgnbd import fit_bgnbd

try:
    from lifetimes import BetaGeoFitter
except ImportError:
    BetaGeoFitter = None

CDNOW_SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "CDNOW_sample.txt"
CALIBRATION_END = date(1997, 9, 30)
PARAMETER_NAMES = ("r", "alpha", "a", "b")

FloatArray = npt.NDArray[np.float64]


def cdnow_calibration_summary() -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return frequency, recency and age in weeks per CDNOW customer, same-day purchases merged."""
    days_by_customer: dict[str, set[date]] = {}
    for line in CDNOW_SAMPLE.read_text().split("\n"):
        if line.strip():
            _master_id, customer, day, _cds, _dollars = line.split()
            purchased = date(int(day[:4]), int(day[4:6]), int(day[6:]))
            if purchased <= CALIBRATION_END:
                days_by_customer.setdefault(customer, set()).add(purchased)
    rows = [
        (len(days) - 1, (max(days) - min(days)).days / 7, (CALIBRATION_END - min(days)).days / 7)
        for days in days_by_customer.values()
    ]
    frequency, recency, age = np.array(rows, dtype=np.float64).T
    return frequency, recency, age


def best_seconds(run: Callable[[], object], repeats: int) -> float:
    """Return the shortest wall time of `repeats` runs."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def compare_with_lifetimes(repeats: int = 5) -> dict[str, float]:
    """Time both fits and return the times, their ratio and both parameter sets."""
    frequency, recency, age = cdnow_calibration_summary()
    project = fit_bgnbd(frequency, recency, age)
    figures = {
        "customers": float(frequency.size),
        "project_seconds": best_seconds(lambda: fit_bgnbd(frequency, recency, age), repeats),
        **{f"project_{name}": getattr(project, name) for name in PARAMETER_NAMES},
        "project_log_likelihood": project.log_likelihood,
    }
    if BetaGeoFitter is None:
        return figures

    def fit_lifetimes() -> object:
        return BetaGeoFitter(penalizer_coef=0.0).fit(frequency, recency, age)

    fitted = fit_lifetimes()
    figures["lifetimes_seconds"] = best_seconds(fit_lifetimes, repeats)
    figures |= {f"lifetimes_{name}": float(fitted.params_[name]) for name in PARAMETER_NAMES}
    figures["lifetimes_to_project_time_ratio"] = (
        figures["lifetimes_seconds"] / figures["project_seconds"]
    )
    return figures


def main() -> None:
    """Print the comparison."""
    figures = compare_with_lifetimes()
    for name, value in figures.items():
        print(f"{name:34} {value:.6g}")
    if BetaGeoFitter is None:
        print("lifetimes is not installed: only the project's fit was timed")


if __name__ == "__main__":
    main()
