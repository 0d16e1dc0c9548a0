"""The portfolio: pairs of value and potential tier, and lifecycle overrides, to segments."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

import numpy as np
from numpy.typing import NDArray

from shared.events.segments import PotentialTier, ValueTier

VALUE_TIERS: tuple[str, ...] = get_args(ValueTier)
POTENTIAL_TIERS: tuple[str, ...] = get_args(PotentialTier)
_ARROW = "\N{RIGHTWARDS ARROW}"
_TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Portfolio:
    """Strategic segments with their thrust, the cell of every tier pair, and overrides."""

    segments: dict[str, str]
    names: dict[str, str]
    cells: dict[tuple[str, str], str]
    overrides: tuple[tuple[str, frozenset[str], str], ...] = ()
    source: str = "built-in"

    def __post_init__(self) -> None:
        every_cell = [(value, potential) for value in VALUE_TIERS for potential in POTENTIAL_TIERS]
        missing = [f"{v} {_TIMES} {p}" for v, p in every_cell if (v, p) not in self.cells]
        if missing:
            raise ValueError(f"portfolio has no segment for the cells {', '.join(missing)}")
        strange = [f"{v} {_TIMES} {p}" for v, p in self.cells if (v, p) not in every_cell]
        if strange:
            raise ValueError(f"portfolio has cells of unknown tiers {', '.join(strange)}")
        override_tiers = {tier for _, tiers, _ in self.overrides for tier in tiers}
        unknown_tiers = sorted(override_tiers - set(VALUE_TIERS))
        if unknown_tiers:
            raise ValueError(f"overrides name unknown value tiers {', '.join(unknown_tiers)}")
        referenced = {*self.cells.values(), *(segment for _, _, segment in self.overrides)}
        undefined = sorted(referenced - set(self.segments))
        if undefined:
            raise ValueError(f"portfolio refers to undefined segments {', '.join(undefined)}")
        unnamed = sorted(set(self.segments) - set(self.names))
        if unnamed:
            raise ValueError(f"segments without a name: {', '.join(unnamed)}")


def _default_cells() -> dict[tuple[str, str], str]:
    cells = {("negative", potential): "restructure" for potential in POTENTIAL_TIERS}
    cells |= {
        ("high", "high"): "grow",
        ("high", "medium"): "retain",
        ("high", "low"): "retain",
        ("medium", "high"): "grow",
        ("medium", "medium"): "retain",
        ("medium", "low"): "serve_efficiently",
        ("low", "high"): "develop",
        ("low", "medium"): "develop",
        ("low", "low"): "serve_efficiently",
    }
    return cells


DEFAULT_PORTFOLIO = Portfolio(
    segments={
        thrust: thrust
        for thrust in ("grow", "develop", "retain", "serve_efficiently", "restructure")
    },
    names={
        "grow": "Grow",
        "develop": "Develop",
        "retain": "Retain",
        "serve_efficiently": "Serve efficiently",
        "restructure": "Restructure",
    },
    cells=_default_cells(),
    overrides=(
        # A valuable customer who stopped ordering is worth winning back.
        ("lapsed", frozenset({"high", "medium"}), "retain"),
        ("prospect", frozenset({"low", "medium", "high"}), "develop"),
    ),
    source="built-in",
)


def strategic_segments(
    portfolio: Portfolio,
    value_tiers: NDArray[np.str_],
    potential_tiers: NDArray[np.str_],
    lifecycle_stages: NDArray[np.str_],
) -> tuple[NDArray[np.str_], list[str]]:
    """Segment key per customer and why: its cell, unless the first matching override."""
    value_index = _index_in(value_tiers, VALUE_TIERS, "value tier")
    potential_index = _index_in(potential_tiers, POTENTIAL_TIERS, "potential tier")
    # Decision codes: one per cell, then one per (override, value tier).
    decided_by = value_index * len(POTENTIAL_TIERS) + potential_index
    segments: list[str] = []
    reasons: list[str] = []
    for value in VALUE_TIERS:
        for potential in POTENTIAL_TIERS:
            segment = portfolio.cells[(value, potential)]
            segments.append(segment)
            reasons.append(f"{value} value {_TIMES} {potential} potential {_ARROW} {segment}")

    undecided = np.ones(decided_by.shape, dtype=bool)
    for stage, tiers, segment in portfolio.overrides:
        first_code = len(segments)
        for value in VALUE_TIERS:
            segments.append(segment)
            reasons.append(
                f"{stage.replace('_', '-')} {value}-value customer {_ARROW} {segment} "
                "(lifecycle override)"
            )
        tier_indices = [VALUE_TIERS.index(tier) for tier in tiers]
        applies = undecided & (lifecycle_stages == stage) & np.isin(value_index, tier_indices)
        decided_by[applies] = first_code + value_index[applies]
        undecided &= ~applies

    reason_of = np.array(reasons, dtype=object)
    return np.array(segments)[decided_by], reason_of[decided_by].tolist()


def thrust_of(portfolio: Portfolio, segment_keys: NDArray[np.str_]) -> NDArray[np.str_]:
    """Thrust of each customer's strategic segment."""
    keys = list(portfolio.segments)
    thrusts = np.array([portfolio.segments[key] for key in keys])
    return thrusts[_index_in(segment_keys, keys, "segment")]


def _index_in(values: NDArray[np.str_], known: Sequence[str], what: str) -> NDArray[np.intp]:
    """Position of every value in known; unknown values are refused."""
    order = np.argsort(np.array(known))
    sorted_known = np.array(known)[order]
    positions = np.minimum(np.searchsorted(sorted_known, values), len(known) - 1)
    found = sorted_known[positions] == values
    if not found.all():
        unknown = sorted(set(np.asarray(values)[~found].tolist()))
        raise ValueError(f"unknown {what} {', '.join(map(str, unknown[:5]))}")
    return order[positions]
