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
    seconds: list[list[float]] = [[] for _ in stages]
    for stage_index, entries in journeys:
        for index in range(stage_index + 1):
            reached[index] += 1
        for index, step in step_seconds(stages, entries).items():
            seconds[index].append(step)
    return funnel_steps(stages, reached, [median(values) for values in seconds])


def step_seconds(stages: tuple[str, ...], entries: list[tuple[str, datetime]]) -> dict[int, float]:
    """Seconds from entering stage i - 1 to entering stage i, for each i where both were."""
    entered = dict(entries)
    found = {}
    for index in range(1, len(stages)):
        before, after = entered.get(stages[index - 1]), entered.get(stages[index])
        if before is not None and after is not None:
            found[index] = (after - before).total_seconds()
    return found


def funnel_steps(
    stages: tuple[str, ...], reached: list[int], medians: list[float | None]
) -> list[FunnelStep]:
    """Steps from the journeys that reached each stage and the median seconds of each step."""
    started = reached[0]
    return [
        FunnelStep(
            stage=stage,
            reached=reached[index],
            share_of_start=share(reached[index], started),
            conversion_from_previous=(share(reached[index], reached[index - 1]) if index else None),
            median_seconds_from_previous=medians[index] if index else None,
        )
        for index, stage in enumerate(stages)
    ]
