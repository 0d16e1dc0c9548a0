"""Funnel, paths and journey map over a hand-built data set equal the hand-computed ones."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.experience.analytics_query import (
    UnknownJourneyTypeError,
    funnel_of,
    journey_map_of,
    paths_of,
)
from services.experience.measures_query import MeasureFilter
from tests.integration.experience.support import (
    Experience,
    experience_on,
    order,
    segment,
    touchpoint,
)

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=200)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def experience(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Experience]:
    service = experience_on(database_factory("experience"), api_keys[0])
    service.feed(
        segment("k-1", "grow"),
        segment("k-2", "grow"),
        segment("k-3", "retain"),
        # k-1: web -> email quote -> order two days later: converted
        touchpoint("k-1", day(0), "website_visit", csat=5, nps=10),
        touchpoint("k-1", day(1), "quote_requested", "email", csat=4),
        order("k-1", "o-1", day(3)),
        # k-2: web -> web again -> phone quote, then silence: abandoned at consideration
        touchpoint("k-2", day(0), "website_visit", csat=2, nps=4),
        touchpoint("k-2", day(0.5), "website_visit"),
        touchpoint("k-2", day(2), "quote_requested", "phone"),
        # k-3: straight to a store purchase: converted
        order("k-3", "o-3", day(5)),
        # k-4 (no segment): a visit, then silence: abandoned at awareness
        touchpoint("k-4", day(0), "website_visit", nps=9),
    )
    yield service
    service.runtime.engine.dispose()


def query(experience: Experience, run: Callable[..., object], *args: object) -> object:
    with experience.runtime.session_factory() as session:
        return run(session, *args)


def test_the_funnel_counts_reached_stages_conversion_and_time_to_convert(
    experience: Experience,
) -> None:
    result = query(experience, funnel_of, MeasureFilter(), "purchase", None)

    (everyone,) = result.groups  # type: ignore[attr-defined]
    steps = {step.stage: step for step in everyone.steps}
    assert everyone.journeys == 4
    assert [steps[s].reached for s in ("awareness", "consideration", "purchase")] == [4, 3, 2]
    assert steps["consideration"].conversion_from_previous.value == pytest.approx(3 / 4)
    assert steps["purchase"].conversion_from_previous.value == pytest.approx(2 / 3)
    # awareness -> consideration took 1 day (k-1) and 2 days (k-2); consideration -> purchase 2
    assert steps["consideration"].median_seconds_from_previous == 1.5 * 86_400
    assert steps["purchase"].median_seconds_from_previous == 2 * 86_400


def test_the_funnel_by_segment_keeps_each_segments_journeys_apart(
    experience: Experience,
) -> None:
    result = query(experience, funnel_of, MeasureFilter(), "purchase", "segment")

    groups = {g.group: g for g in result.groups}  # type: ignore[attr-defined]
    assert set(groups) == {"grow", "retain"}
    assert [s.reached for s in groups["grow"].steps[:3]] == [2, 2, 1]
    assert [s.reached for s in groups["retain"].steps[:3]] == [1, 1, 1]


def test_paths_rank_the_sequences_to_purchase_and_to_abandonment(
    experience: Experience,
) -> None:
    result = query(experience, paths_of, MeasureFilter(), "purchase", 10)

    converted = {tuple(p.path): p.journeys for p in result.converted}  # type: ignore[attr-defined]
    abandoned = {tuple(p.path): p.journeys for p in result.abandoned}  # type: ignore[attr-defined]
    assert converted == {
        ("website_visit", "quote_requested", "purchase"): 1,
        ("purchase",): 1,
    }
    assert abandoned == {("website_visit", "quote_requested"): 1, ("website_visit",): 1}
    assert result.converted[0].share.sample_size == 2  # type: ignore[attr-defined]


def test_the_journey_map_shows_contacts_satisfaction_cost_and_drop_off_per_stage(
    experience: Experience,
) -> None:
    result = query(experience, journey_map_of, MeasureFilter(segment="grow"), "purchase")

    cells = {(c.stage, c.channel): c for c in result.cells}  # type: ignore[attr-defined]
    assert cells[("awareness", "web")].contacts == 3
    assert cells[("awareness", "web")].csat_mean.value == pytest.approx(3.5)
    assert cells[("awareness", "web")].nps.value == pytest.approx(0.0)
    assert cells[("consideration", "phone")].cost == Decimal("8.00")
    assert cells[("purchase", "field_visit")].cost == Decimal("120.00")
    stages = {s.stage: s for s in result.stages}  # type: ignore[attr-defined]
    assert stages["consideration"].journeys == 2
    assert stages["consideration"].drop_off.value == pytest.approx(0.5)
    assert stages["awareness"].drop_off.value == 0.0


def test_an_unknown_journey_type_is_refused(experience: Experience) -> None:
    with pytest.raises(UnknownJourneyTypeError):
        query(experience, funnel_of, MeasureFilter(), "nonsense", None)
