"""What makes a sales strategy consistent: every portfolio cell mapped once, no dangling keys."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

VALUE_TIERS = ("negative", "low", "medium", "high")
POTENTIAL_TIERS = ("low", "medium", "high")


@dataclass(frozen=True)
class StrategyOutline:
    """The keys a strategy defines and refers to, enough to check it."""

    segments: Sequence[str]
    service_levels: Sequence[str]
    segment_service_levels: Sequence[str]
    cells: Sequence[tuple[str, str, str]]
    """(value tier, potential tier, segment)"""
    override_segments: Sequence[str]
    target_kpis: Iterable[str] = ()


def _duplicates(keys: Iterable[object]) -> list[str]:
    seen: set[object] = set()
    twice: list[str] = []
    for key in keys:
        if key in seen and str(key) not in twice:
            twice.append(str(key))
        seen.add(key)
    return twice


def problems(outline: StrategyOutline) -> list[str]:
    """Why the strategy cannot become active; empty when it is consistent."""
    found: list[str] = []
    if not outline.segments:
        found.append("the strategy defines no segments")
    if twice := _duplicates(outline.segments):
        found.append(f"segments defined twice: {', '.join(twice)}")
    if twice := _duplicates(outline.service_levels):
        found.append(f"service levels defined twice: {', '.join(twice)}")
    cells = [(value, potential) for value, potential, _ in outline.cells]
    if twice := _duplicates(f"{v} x {p}" for v, p in cells):
        found.append(f"portfolio cells mapped twice: {', '.join(twice)}")
    missing = [
        f"{v} x {p}" for v in VALUE_TIERS for p in POTENTIAL_TIERS if (v, p) not in set(cells)
    ]
    if missing:
        found.append(f"portfolio cells without a segment: {', '.join(missing)}")
    referenced = {segment for _, _, segment in outline.cells} | set(outline.override_segments)
    if undefined := sorted(referenced - set(outline.segments)):
        found.append(f"the portfolio refers to undefined segments: {', '.join(undefined)}")
    levels = set(outline.service_levels)
    if unknown := sorted(set(outline.segment_service_levels) - levels):
        found.append(f"segments refer to undefined service levels: {', '.join(unknown)}")
    return found
