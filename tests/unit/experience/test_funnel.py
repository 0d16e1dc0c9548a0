"""Funnel counting: reached stages, step conversion and time between stages."""

from datetime import UTC, datetime, timedelta

import pytest

from services.experience.domain.funnel import funnel

STAGES = ("awareness", "consideration", "purchase")
T0 = datetime(2026, 1, 5, tzinfo=UTC)


def entries(*stages_and_days: tuple[str, float]) -> list[tuple[str, datetime]]:
    return [(stage, T0 + timedelta(days=days)) for stage, days in stages_and_days]


def test_each_stage_counts_the_journeys_that_reached_it_or_went_further() -> None:
    steps = funnel(
        STAGES,
        [
            (0, entries(("awareness", 0))),
            (1, entries(("awareness", 0), ("consideration", 2))),
            (2, entries(("awareness", 0), ("consideration", 1), ("purchase", 5))),
            (2, entries(("purchase", 0))),
        ],
    )

    assert [step.reached for step in steps] == [4, 3, 2]
    assert steps[0].conversion_from_previous is None
    assert steps[1].conversion_from_previous is not None
    assert steps[1].conversion_from_previous.value == pytest.approx(3 / 4)
    assert steps[2].conversion_from_previous is not None
    assert steps[2].conversion_from_previous.value == pytest.approx(2 / 3)
    assert steps[2].share_of_start.value == pytest.approx(0.5)
    # two journeys entered awareness and consideration: 2 and 1 days apart
    assert steps[1].median_seconds_from_previous == 1.5 * 86_400
    # only one journey entered both consideration and purchase; the direct purchase skipped
    assert steps[2].median_seconds_from_previous == 4 * 86_400


def test_an_empty_funnel_has_no_shares() -> None:
    steps = funnel(STAGES, [])

    assert [step.reached for step in steps] == [0, 0, 0]
    assert steps[0].share_of_start.value is None
