"""Events of an erased customer or its visitors that arrive after the erasure are dropped."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.experience.support import (
    Experience,
    erased,
    experience_on,
    identified,
    order,
    registered,
    touchpoint,
)

pytestmark = pytest.mark.integration
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def experience(
    database_factory: Any, api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Experience]:
    subject = experience_on(database_factory("experience"), api_keys[0])
    yield subject
    subject.runtime.engine.dispose()


def test_a_linked_visitors_touchpoint_after_the_erasure_is_not_stored(
    experience: Experience,
) -> None:
    experience.feed(registered("c1"), identified("visitor-1", "c1"))
    experience.feed(erased("c1"))

    experience.feed(touchpoint(None, START, anonymous_id="visitor-1"))

    assert experience.touchpoints() == []


def test_an_identification_naming_an_erased_customer_erases_the_visitor(
    experience: Experience,
) -> None:
    experience.feed(touchpoint(None, START, anonymous_id="visitor-2"))
    experience.feed(registered("c2"), erased("c2"))

    experience.feed(identified("visitor-2", "c2"))
    experience.feed(touchpoint(None, START + timedelta(days=1), anonymous_id="visitor-2"))

    assert experience.touchpoints() == []


def test_an_erasure_takes_what_its_batch_received_before_it(experience: Experience) -> None:
    experience.feed(
        registered("c3"),
        identified("visitor-3", "c3"),
        touchpoint(None, START, anonymous_id="visitor-3"),
        order("c3", "o-1", START),
        erased("c3"),
        order("c3", "o-2", START + timedelta(days=2)),
    )

    assert experience.touchpoints() == []


def test_other_customers_are_untouched(experience: Experience) -> None:
    experience.feed(registered("c4"), registered("c5"), identified("visitor-5", "c5"))
    experience.feed(erased("c4"))

    experience.feed(touchpoint(None, START, anonymous_id="visitor-5"), order("c5", "o-5", START))

    assert {row["customer_id"] for row in experience.touchpoints()} == {"c5"}
    assert len(experience.touchpoints()) == 2
