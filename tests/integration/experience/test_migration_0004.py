"""Migration 0004 fills the cells and journey steps of a database kept since revision 0002.

A database at 0002 gets the touchpoints, journeys and segments a fresh database stored from
the same events; once upgraded it holds the same cells and steps and gives the same answers.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select

from services.experience import models
from services.experience.analytics_query import funnel_of, journey_map_of
from services.experience.bootstrap import DEFINITION
from services.experience.domain.pain_points import Targets
from services.experience.insights_query import pain_points_of
from services.experience.measures_query import MeasureFilter, measures_of
from shared.db.engine import make_engine
from shared.db.migrations import alembic_config
from tests.integration.experience.support import (
    Experience,
    experience_on,
    identified,
    order,
    segment,
    touchpoint,
)

pytestmark = pytest.mark.integration
START = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=80)
KEPT_SINCE_0002 = (
    models.touchpoints,
    models.journeys,
    models.customer_segments,
    models.visitor_links,
    models.definition_versions,
)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def fed(experience: Experience) -> Experience:
    experience.feed(
        segment("c-1", "grow", "500.00"),
        segment("c-2", "retain", "80.25"),
        touchpoint("c-1", day(0.2), "website_visit", csat=4, nps=9),
        touchpoint("c-1", day(1.7), "complaint", "phone", csat=2, nps=5, effort=6),
        touchpoint("c-2", day(0.9), "quote_requested", "email", csat=5, cost="4.50"),
        touchpoint(None, day(0.5), "product_view", anonymous_id="v-1", csat=3),
        order("c-2", "o-1", day(3.4)),
        touchpoint("c-3", day(2.1), "service_call", "phone", outcome="resolved", csat=4),
    )
    experience.feed(
        identified("v-1", "c-3"),
        touchpoint("c-2", day(35.3), "website_visit", nps=10),
        touchpoint("c-1", day(40.5), "callback", "phone", direction="outbound"),
        touchpoint("c-4", day(41), "ad_click"),
        touchpoint("c-4", day(42.5), "product_view", "app", csat=1),
        order("c-4", "o-4", day(44)),
    )
    return experience


def rows(experience: Experience, table: Any) -> list[dict[str, Any]]:
    return sorted(
        (dict(row) for row in experience.rows(table)),
        key=lambda row: tuple(str(row[c.name]) for c in table.primary_key.columns),
    )


def answers(experience: Experience) -> list[Any]:
    found: list[Any] = []
    with experience.runtime.read_session_factory() as session:
        for f in (MeasureFilter(), MeasureFilter(period_from=day(0.3), period_to=day(43.2))):
            found += [
                measures_of(session, f),
                funnel_of(session, f, "purchase", None),
                funnel_of(session, f, "purchase", "segment"),
                journey_map_of(session, f, "purchase"),
                pain_points_of(session, f, Targets(), 10, True),
            ]
    return [answer.model_dump() for answer in found]


def test_a_database_kept_since_0002_answers_like_a_fresh_one_once_upgraded(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> None:
    fresh = fed(experience_on(database_factory("experience_fresh"), api_keys[0]))
    url = database_factory("experience_0002")
    config = alembic_config(DEFINITION.name, DEFINITION.migrations_dir, url)
    command.upgrade(config, "0002")
    engine = make_engine(url)
    try:
        with fresh.runtime.session_factory() as source, engine.begin() as target:
            for table in KEPT_SINCE_0002:
                kept = [dict(row._mapping) for row in source.execute(select(table))]
                if kept:
                    target.execute(insert(table), kept)
    finally:
        engine.dispose()

    command.upgrade(config, "head")

    upgraded = experience_on(url, api_keys[0])
    try:
        for table in (models.contact_days, models.contact_months, models.journey_steps):
            assert rows(upgraded, table) == rows(fresh, table), table.name
        assert rows(upgraded, models.contact_months)
        assert answers(upgraded) == answers(fresh)
    finally:
        upgraded.runtime.engine.dispose()
        fresh.runtime.engine.dispose()
