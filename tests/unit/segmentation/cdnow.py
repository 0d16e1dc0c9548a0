"""The CDNOW sample summarised per customer over the calibration period, in weeks."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

CDNOW_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "CDNOW_sample.txt"
CALIBRATION_END = date(1997, 9, 30)
DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class CustomerSummary:
    """Repeat purchases, recency and age in weeks, and mean repeat purchase value per customer."""

    frequency: npt.NDArray[np.float64]
    recency: npt.NDArray[np.float64]
    age: npt.NDArray[np.float64]
    monetary: npt.NDArray[np.float64]


def calibration_summary(path: Path = CDNOW_SAMPLE) -> CustomerSummary:
    """Summarise each customer's purchases up to 1997-09-30, same-day purchases merged."""
    spend_per_day: dict[str, dict[date, float]] = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        _master_id, customer, day, _cds, dollars = line.split()
        purchased = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        days = spend_per_day.setdefault(customer, {})
        days[purchased] = days.get(purchased, 0.0) + float(dollars)
    rows = []
    for customer in sorted(spend_per_day, key=int):
        days = spend_per_day[customer]
        purchase_days = sorted(day for day in days if day <= CALIBRATION_END)
        first, last = purchase_days[0], purchase_days[-1]
        repeat_spend = [days[day] for day in purchase_days[1:]]
        rows.append(
            (
                len(purchase_days) - 1,
                (last - first).days / DAYS_PER_WEEK,
                (CALIBRATION_END - first).days / DAYS_PER_WEEK,
                float(np.mean(repeat_spend)) if repeat_spend else 0.0,
            )
        )
    frequency, recency, age, monetary = np.array(rows, dtype=np.float64).T
    return CustomerSummary(frequency=frequency, recency=recency, age=age, monetary=monetary)
