"""The funnel of a journey definition: how many journeys reached each stage, and how fast.

A journey reached every stage up to its current one (stages only move forward; a journey
that began at a later stage counts as having passed the earlier ones). The time to convert
from one stage to the next is measured only on journeys that entered both.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.experience.domain.measures import Estimate, median, share


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    reached: int
    share_of_start: Estimate
    conversion_from_previous: Estimate | None
    median_seconds_from_previous: float | None


def funnel(
    stages: tuple[str, ...],
    journeys: Iterable[tuple[int, list[tuple[str, datetime]]]],
) -> list[FunnelStep]:
    """Steps of the funnel from (current stage index, stages entered) of each journey."""
    reached = [0] * len(stages)
    step_seconds: list[list[float]] = [[] for _ in stages]
    for stage_index, entries in journeys:
        for index in range(stage_index + 1):
            reached[index] += 1
        entered = dict(entries)
        for index in range(1, len(stages)):
            before, after = entered.get(stages[index - 1]), entered.get(stages[index])
            if before is not None and after is not None:
                step_seconds[index].append((after - before).total_seconds())
    started = reached[0]
    return [
        FunnelStep(
            stage=stage,
            reached=reached[index],
            share_of_start=share(reached[index], started),
            conversion_from_previous=(share(reached[index], reached[index - 1]) if index else None),
            median_seconds_from_previous=median(step_seconds[index]) if index else None,
        )
        for index, stage in enumerate(stages)
    ]
