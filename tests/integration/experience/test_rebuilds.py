"""Changed journey definitions rebuild the journeys already built, in the background.

After the rebuild, a database that built its journeys under the old definitions holds what
a database that had the new definitions from the start holds.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.experience import config_store, models, rebuilds
from services.experience.domain.definitions import PURCHASE, SERVICE
from services.experience.rebuilds import JourneyRebuild
from shared.events.envelope import CloudEvent
from tests.integration.experience.support import (
    Experience,
    experience_on,
    order,
    segment,
    touchpoint,
)

pytestmark = pytest.mark.integration
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
SHORT_GAP = (replace(PURCHASE, gap=timedelta(days=2)), SERVICE)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def events() -> list[CloudEvent]:
    return [
        segment("c-1", "grow"),
        touchpoint("c-1", day(0), "website_visit"),
        touchpoint("c-1", day(1), "product_view", csat=4),
        touchpoint("c-1", day(5), "quote_requested", "email"),
        order("c-1", "o-1", day(6)),
        touchpoint("c-2", day(2), "ad_click"),
        touchpoint("c-2", day(9), "product_view", "app"),
        touchpoint("c-3", day(3), "complaint", "phone", csat=2),
        touchpoint("c-3", day(3.5), "service_call", "phone", outcome="resolved"),
    ]


def save(experience: Experience, definitions: Any) -> int:
    with experience.runtime.session_factory() as session, session.begin():
        saved = config_store.save_definitions(
            session, definitions, changed_by="cx-team", comment=None
        )
        rebuilds.request_rebuild(session, saved.version, datetime.now(UTC))
    return saved.version


def rows(experience: Experience, table: Any, *drop: str) -> list[dict[str, Any]]:
    found = [{k: v for k, v in row.items() if k not in drop} for row in experience.rows(table)]
    return sorted(found, key=lambda row: sorted((k, str(v)) for k, v in row.items()))


def progress(experience: Experience) -> list[rebuilds.RebuildProgress]:
    with experience.runtime.session_factory() as session:
        return rebuilds.rebuild_progress(session)


def test_journeys_built_before_a_change_end_as_if_built_under_the_new_definitions(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> None:
    history = events()
    fresh = experience_on(database_factory("experience_fresh"), api_keys[0])
    save(fresh, SHORT_GAP)
    fresh.feed(*history)
    kept = experience_on(database_factory("experience_kept"), api_keys[0])
    kept.feed(*history)
    first = save(kept, (replace(PURCHASE, gap=timedelta(days=40)), SERVICE))
    newest = save(kept, SHORT_GAP)
    worker = JourneyRebuild(
        kept.runtime.session_factory, kept.runtime.outbox, "experience", 1.0, chunk=2
    )
    try:
        assert [(p.version, p.customers_total, p.finished_at) for p in progress(kept)] == [
            (newest, None, None),
            (first, None, None),
        ]

        steps = [worker.step() for _ in range(5)]

        assert steps == [0, 2, 1, 0, 0]
        latest, older = progress(kept)
        assert (latest.customers_total, latest.customers_done) == (3, 3)
        assert latest.finished_at is not None and not latest.superseded
        assert older.superseded and older.customers_done == 0
        assert rows(kept, models.journeys) == rows(fresh, models.journeys)
        assert rows(kept, models.journey_steps) == rows(fresh, models.journey_steps)
        assert rows(kept, models.contact_days) == rows(fresh, models.contact_days)
        assert rows(kept, models.touchpoints) == rows(fresh, models.touchpoints)
        assert kept.published("journey.stage_changed", "c-2")[-1]["status"] == "abandoned"
    finally:
        kept.runtime.engine.dispose()
        fresh.runtime.engine.dispose()
