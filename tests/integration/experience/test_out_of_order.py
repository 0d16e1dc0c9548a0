"""Contacts arriving out of order across batches end as if they had come in time order.

Two databases take the same touchpoints and orders of a few customers with years of
history: one in time order, batch by batch; the other shuffled across batches, as a bulk
load on two topics delivers them. Journeys, the touchpoints' placements, the steps and the
day and month cells must come out the same.
"""

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.experience import models
from services.experience.domain.definitions import PURCHASE, SERVICE
from shared.events.envelope import CloudEvent
from tests.integration.experience.support import Experience, experience_on, order, touchpoint

pytestmark = pytest.mark.integration
START = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
PURCHASE_TYPES = sorted(PURCHASE.touchpoint_stages)
SERVICE_TYPES = sorted(SERVICE.touchpoint_stages)


def _history(rng: random.Random, customer_id: str) -> list[CloudEvent]:
    """Bursts of contacts with quiet spells longer and shorter than the journeys' gaps."""
    events: list[CloudEvent] = []
    at = START + timedelta(hours=rng.randrange(48))
    for burst in range(rng.randrange(4, 9)):
        for _ in range(rng.randrange(1, 6)):
            at += timedelta(hours=rng.randrange(1, 96))
            kind = rng.choice([*PURCHASE_TYPES, *SERVICE_TYPES, "unclaimed_type"])
            channel = rng.choice(["web", "email", "phone", "store"])
            extra: dict[str, Any] = {"csat": rng.choice([None, 2, 5])}
            events.append(touchpoint(customer_id, at, kind, channel, **extra))
        if rng.random() < 0.6:
            at += timedelta(hours=rng.randrange(1, 48))
            events.append(order(customer_id, f"{customer_id}-o{burst}", at, "120.00"))
        at += timedelta(days=rng.choice([5, 20, 45, 100, 200]))
    return events


def _tables(experience: Experience) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for table in (
        models.journeys,
        models.journey_steps,
        models.contact_days,
        models.contact_months,
    ):
        rows = [tuple(sorted(row.items())) for row in experience.rows(table)]
        if table.name.startswith("contact_"):  # a cell emptied again is the same as none
            rows = [row for row in rows if dict(row)["contacts"] != 0]
        found[table.name] = sorted(rows, key=repr)
    placed = experience.rows(models.touchpoints)
    found["placements"] = sorted(
        (row["touchpoint_key"], row["journey_id"], row["journey_type"], row["stage"])
        for row in placed
    )
    return found


def test_contacts_shuffled_across_batches_give_what_time_order_gives(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> None:
    rng = random.Random(7)
    events = [event for n in range(6) for event in _history(rng, f"c{n}")]
    in_order = sorted(events, key=lambda e: e.data.get("occurred_at") or e.data["ordered_at"])
    shuffled = list(events)
    rng.shuffle(shuffled)

    timely = experience_on(database_factory("timely"), api_keys[0])
    late = experience_on(database_factory("late"), api_keys[0])
    try:
        for start in range(0, len(in_order), 7):
            timely.feed(*in_order[start : start + 7])
        for start in range(0, len(shuffled), 7):
            late.feed(*shuffled[start : start + 7])

        expected, got = _tables(timely), _tables(late)
        assert len(expected["journeys"]) > 20  # several journeys of each type per customer
        assert {dict(row)["status"] for row in expected["journeys"]} == {"converted", "abandoned"}
        for name, rows in expected.items():
            assert got[name] == rows, name
    finally:
        timely.runtime.engine.dispose()
        late.runtime.engine.dispose()
