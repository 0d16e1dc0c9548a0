"""Touchpoints summed into cells per (day, journey type, stage, channel, type, segment).

Every measure of a cell adds up, so cells of many days, channels or segments are summed into
the figures the measures and analytics report; a touchpoint that leaves a cell (moved to
another stage, segment or customer) is subtracted from it by adding it with sign -1. A
missing journey type, stage or segment is the empty string.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from services.experience.domain.measures import SATISFIED_FROM

COUNTS = (
    "contacts",
    "csat_n",
    "csat_sum",
    "csat_sq",
    "satisfied",
    "nps_n",
    "promoters",
    "detractors",
    "effort_n",
    "effort_sum",
    "effort_sq",
    "cost_n",
    "margin_n",
)
AMOUNTS = ("cost_sum", "margin_sum")
MEASURES = COUNTS + AMOUNTS
KEY = ("day", "journey_type", "stage", "channel", "touchpoint_type", "segment")
Cells = dict[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class CellContact:
    """What a touchpoint of a customer adds to its cell."""

    occurred_at: datetime
    journey_type: str | None
    stage: str | None
    channel: str
    touchpoint_type: str
    segment: str | None
    csat: int | None = None
    nps: int | None = None
    effort: int | None = None
    cost: Decimal | None = None
    margin: Decimal | None = None


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def empty() -> dict[str, Any]:
    return {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(AMOUNTS, Decimal(0))}


def _add_answer(cell: dict[str, Any], name: str, answer: int | None, sign: int) -> None:
    if answer is None:
        return
    cell[f"{name}_n"] += sign
    cell[f"{name}_sum"] += sign * answer
    cell[f"{name}_sq"] += sign * answer * answer


def add(cells: Cells, contacts: Iterable[CellContact], sign: int = 1) -> Cells:
    """Add (sign 1) or subtract (sign -1) `contacts` to `cells`; returns `cells`."""
    for c in contacts:
        key = (
            day_of(c.occurred_at),
            c.journey_type or "",
            c.stage or "",
            c.channel,
            c.touchpoint_type,
            c.segment or "",
        )
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = empty()
        cell["contacts"] += sign
        _add_answer(cell, "csat", c.csat, sign)
        _add_answer(cell, "effort", c.effort, sign)
        if c.csat is not None and c.csat >= SATISFIED_FROM:
            cell["satisfied"] += sign
        if c.nps is not None:
            cell["nps_n"] += sign
            cell["promoters"] += sign * (c.nps >= 9)
            cell["detractors"] += sign * (c.nps <= 6)
        if c.cost is not None:
            cell["cost_n"] += sign
            cell["cost_sum"] += sign * c.cost
        if c.margin is not None:
            cell["margin_n"] += sign
            cell["margin_sum"] += sign * c.margin
    return cells


def by_month(cells: Cells) -> Cells:
    """Day cells summed per month: the day of each key becomes the first day of its month."""
    months: Cells = {}
    for (day, *rest), cell in cells.items():
        key = (day.replace(day=1), *rest)
        month = months.get(key)
        if month is None:
            months[key] = dict(cell)
        else:
            for name in MEASURES:
                month[name] += cell[name]
    return months


def merged(cells: Cells) -> Cells:
    """Cells without those whose every measure is zero (what adding and subtracting left)."""
    return {key: cell for key, cell in cells.items() if any(cell.values())}


def total(groups: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The measures of several cells summed."""
    result = empty()
    for group in groups:
        for name in MEASURES:
            result[name] += group[name] or 0
    return result


def grouped(cells: Cells, *names: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Cells summed per the key columns `names`, e.g. ("channel", "touchpoint_type")."""
    positions = [KEY.index(name) for name in names]
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for key, cell in cells.items():
        groups[tuple(key[p] for p in positions)].append(cell)
    return {key: total(members) for key, members in groups.items()}
