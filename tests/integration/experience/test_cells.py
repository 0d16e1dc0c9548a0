"""The day cells and journey steps the analytics read equal a direct computation.

The data set goes through everything that changes stored touchpoints after they were
counted: a segment change, a stitched visitor, a late touchpoint, a replaced order, a merge
and an unmerge; periods start and end within a day.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.experience import models
from services.experience.analytics_query import definition_of, funnel_of, journey_map_of
from services.experience.cells_query import cells_of
from services.experience.contact_store import cell_contact, contact_rows
from services.experience.contacts import journey_of
from services.experience.domain import contact_cells
from services.experience.domain.funnel import funnel
from services.experience.domain.measures import median
from services.experience.measures_query import MeasureFilter, measures_of
from tests.integration.experience.support import (
    Experience,
    erased,
    experience_on,
    identified,
    merged,
    order,
    segment,
    touchpoint,
    unmerged,
)

pytestmark = pytest.mark.integration
START = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=60)
KEY_BUT_DAY = ("journey_type", "stage", "channel", "touchpoint_type", "segment")


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def experience(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Experience]:
    service = experience_on(database_factory("experience"), api_keys[0])
    service.feed(
        segment("c-1", "grow", "500.00"),
        segment("c-2", "retain", "80.00"),
        touchpoint("c-1", day(0.2), "website_visit", csat=4, nps=9),
        touchpoint("c-1", day(1.7), "complaint", "phone", csat=2, nps=5, effort=6),
        touchpoint("c-2", day(0.9), "quote_requested", "email", csat=5, cost="4.50"),
        touchpoint(None, day(0.5), "product_view", anonymous_id="v-1", csat=3),
        order("c-2", "o-1", day(3.4)),
        touchpoint("c-3", day(2.1), "service_call", "phone", outcome="resolved", csat=4),
    )
    service.feed(
        segment("c-1", "retain", "650.00"),
        identified("v-1", "c-3"),
        touchpoint("c-2", day(0.3), "website_visit", "web", nps=10),
        order("c-2", "o-1", day(2.6), revenue="120.00"),
        touchpoint("c-1", day(5.5), "callback", "phone", direction="outbound"),
    )
    service.feed(merged("c-1", "c-3", merge_id="m-9"))
    service.feed(touchpoint("c-1", day(6.25), "repair", "field_visit", csat=5))
    service.feed(unmerged("c-1", "c-3", merge_id="m-9"), segment("c-3", "grow", "10.00"))
    yield service
    service.runtime.engine.dispose()


def stored(experience: Experience, table: Any = models.contact_days) -> contact_cells.Cells:
    period = "day" if table is models.contact_days else "month"
    cells: contact_cells.Cells = {}
    for row in experience.rows(table):
        cells[(row[period], *(row[name] for name in KEY_BUT_DAY))] = row
    return contact_cells.merged(
        {key: {n: cell[n] for n in contact_cells.MEASURES} for key, cell in cells.items()}
    )


EVERYTHING = MeasureFilter()


def direct(experience: Experience, f: MeasureFilter = EVERYTHING) -> contact_cells.Cells:
    statement = contact_rows()
    with experience.runtime.session_factory() as session:
        rows = [cell_contact(row) for row in session.execute(statement)]
    kept = [
        c
        for c in rows
        if (f.period_from is None or c.occurred_at >= f.period_from)
        and (f.period_to is None or c.occurred_at < f.period_to)
        and all(
            wanted is None or getattr(c, name) == wanted
            for name, wanted in (
                ("segment", f.segment),
                ("channel", f.channel),
                ("touchpoint_type", f.touchpoint_type),
                ("stage", f.stage),
            )
        )
    ]
    return contact_cells.add({}, kept)


def test_the_stored_cells_equal_the_cells_of_the_touchpoints_as_they_are(
    experience: Experience,
) -> None:
    assert stored(experience) == contact_cells.merged(direct(experience))
    assert sum(cell["contacts"] for cell in stored(experience).values()) == 9


def test_the_stored_month_cells_equal_the_month_cells_of_the_touchpoints(
    experience: Experience,
) -> None:
    expected = contact_cells.merged(contact_cells.by_month(direct(experience)))

    assert stored(experience, models.contact_months) == expected


@pytest.mark.parametrize(
    "f",
    [
        MeasureFilter(),
        MeasureFilter(period_from=day(0.25), period_to=day(3.5)),
        MeasureFilter(period_from=day(1), period_to=day(2.5), segment="retain"),
        MeasureFilter(period_from=day(0.4), period_to=day(0.95)),
        MeasureFilter(period_to=day(6.3), channel="phone"),
        MeasureFilter(period_from=day(2), stage="consideration"),
        MeasureFilter(segment="grow", touchpoint_type="product_view"),
        MeasureFilter(period_from=day(-70.5), period_to=day(45.5)),
        MeasureFilter(period_from=day(-40.25), channel="phone"),
        MeasureFilter(period_to=day(40.75), segment="retain"),
        MeasureFilter(period_from=day(-31), period_to=day(31)),
    ],
)
def test_filtered_cells_equal_those_of_the_matching_touchpoints(
    experience: Experience, f: MeasureFilter
) -> None:
    with experience.runtime.session_factory() as session:
        found = contact_cells.grouped(cells_of(session, f), *KEY_BUT_DAY)

    assert {k: v for k, v in found.items() if v["contacts"]} == contact_cells.grouped(
        direct(experience, f), *KEY_BUT_DAY
    )


def test_the_funnel_from_steps_equals_the_funnel_of_the_journeys(
    experience: Experience,
) -> None:
    experience.feed(
        touchpoint("c-4", day(0), "website_visit"),
        touchpoint("c-4", day(0.5), "quote_requested"),
        touchpoint("c-5", day(0), "ad_click"),
        touchpoint("c-5", day(3), "product_view"),
        order("c-5", "o-5", day(4)),
    )
    with experience.runtime.session_factory() as session:
        definition = definition_of(session, "purchase")
        journeys = [
            journey_of(row)
            for row in session.execute(
                select(models.journeys).where(models.journeys.c.journey_type == "purchase")
            )
        ]
        expected = funnel(
            definition.stages,
            [(definition.index(j.stage), j.stage_entries) for j in journeys],
        )
        (found,) = funnel_of(session, MeasureFilter(), "purchase", None).groups

    assert [(s.reached, s.median_seconds_from_previous) for s in found.steps] == [
        (s.reached, s.median_seconds_from_previous) for s in expected
    ]
    assert found.steps[1].median_seconds_from_previous is not None


def test_the_funnel_by_segment_follows_the_customers_current_segments(
    experience: Experience,
) -> None:
    experience.feed(
        touchpoint("c-4", day(0), "website_visit"),
        touchpoint("c-4", day(0.5), "quote_requested"),
        touchpoint("c-5", day(0), "ad_click"),
        touchpoint("c-5", day(3), "product_view"),
        order("c-5", "o-5", day(4)),
        segment("c-4", "grow"),
    )
    experience.feed(segment("c-5", "grow"), segment("c-4", "develop"))
    experience.feed(touchpoint("c-4", day(1.25), "product_view"), segment("c-2", "grow"))
    with experience.runtime.session_factory() as session:
        definition = definition_of(session, "purchase")
        current = dict(
            session.execute(
                select(
                    models.customer_segments.c.customer_id,
                    models.customer_segments.c.strategic_segment,
                )
            ).all()
        )
        by_segment: dict[str, list[Any]] = {}
        for row in session.execute(
            select(models.journeys).where(models.journeys.c.journey_type == "purchase")
        ):
            if row.customer_id in current:
                journey = journey_of(row)
                by_segment.setdefault(current[row.customer_id], []).append(
                    (definition.index(journey.stage), journey.stage_entries)
                )
        found = {
            group.group: [(s.reached, s.median_seconds_from_previous) for s in group.steps]
            for group in funnel_of(session, MeasureFilter(), "purchase", "segment").groups
        }

    assert found == {
        name: [(s.reached, s.median_seconds_from_previous) for s in funnel(definition.stages, js)]
        for name, js in by_segment.items()
    }
    assert set(found) == {"grow", "develop", "retain"}


def test_customers_and_service_times_equal_those_of_the_rows(experience: Experience) -> None:
    odd = timedelta(hours=3, minutes=7, seconds=11, microseconds=654_321)
    experience.feed(
        touchpoint("c-6", day(1) + odd, "complaint", "phone", direction="inbound"),
        touchpoint("c-6", day(1.3) + 2 * odd, "callback", "phone", direction="outbound"),
        touchpoint("c-6", day(2.9) + odd, "service_call", "phone", outcome="resolved"),
        touchpoint("c-7", day(1.1), "complaint", "email", direction="inbound"),
        touchpoint("c-7", day(1.1) + odd, "callback", "phone", direction="outbound"),
    )
    f = MeasureFilter(period_from=day(0.5), period_to=day(3.3))
    with experience.runtime.session_factory() as session:
        found = measures_of(session, f)
        cases = [
            journey_of(row)
            for row in session.execute(
                select(models.journeys).where(
                    models.journeys.c.journey_type == "service",
                    models.journeys.c.started_at >= f.period_from,
                    models.journeys.c.started_at < f.period_to,
                )
            )
        ]
    contacts = [
        t
        for t in experience.touchpoints()
        if t["customer_id"] is not None and f.period_from <= t["occurred_at"] < f.period_to
    ]
    responses = [
        (c.first_response_at - c.started_at).total_seconds()
        for c in cases
        if c.first_response_at is not None
    ]
    resolutions = [(c.converted_at - c.started_at).total_seconds() for c in cases if c.converted_at]

    assert found.customers == len({t["customer_id"] for t in contacts})
    assert found.complaint_rate.value == len(
        {t["customer_id"] for t in contacts if t["touchpoint_type"] == "complaint"}
    ) / len({t["customer_id"] for t in contacts})
    assert len(responses) == 2 and len(resolutions) == 3
    assert found.response_time.median_seconds == median(responses)
    assert found.response_time.mean_seconds == sum(responses) / 2
    assert found.resolution_time.median_seconds == median(resolutions)
    assert found.resolution_time.mean_seconds == sum(resolutions) / 3


def test_erasure_keeps_the_counts_without_the_customer(experience: Experience) -> None:
    with experience.runtime.session_factory() as session:
        before = measures_of(session, MeasureFilter())
        map_before = journey_map_of(session, MeasureFilter(), "purchase")

    experience.feed(erased("c-2"))

    with experience.runtime.session_factory() as session:
        after = measures_of(session, MeasureFilter())
    assert experience.touchpoints(customer_id="c-2") == []
    assert (after.contacts, after.csat_mean) == (before.contacts, before.csat_mean)
    assert after.total_cost == before.total_cost
    assert map_before.cells
