"""Touchpoints, orders and identifications become journeys on SQLite and PostgreSQL."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.experience import models
from services.experience.abandonment import AbandonmentSweep
from tests.integration.experience.support import (
    Experience,
    erased,
    experience_on,
    identified,
    merged,
    order,
    registered,
    touchpoint,
    unmerged,
)

pytestmark = pytest.mark.integration
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def experience(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Experience]:
    service = experience_on(database_factory("experience"), api_keys[0])
    yield service
    service.runtime.engine.dispose()


def test_touchpoints_and_orders_form_a_customers_journey_in_time_order(
    experience: Experience,
) -> None:
    experience.feed(
        registered("c-1"),
        touchpoint("c-1", day(0), "website_visit"),
        touchpoint("c-1", day(2), "quote_requested", "email", csat=4),
        order("c-1", "o-1", day(5), revenue="250.00"),
    )

    touchpoints = experience.touchpoints(customer_id="c-1")
    assert [(t["touchpoint_type"], t["channel"], t["stage"]) for t in touchpoints] == [
        ("website_visit", "web", "awareness"),
        ("quote_requested", "email", "consideration"),
        ("purchase", "field_visit", "purchase"),
    ]
    assert touchpoints[2]["revenue"] == Decimal("250.00")
    (journey,) = experience.journeys("c-1")
    assert (journey["journey_type"], journey["stage"], journey["status"]) == (
        "purchase",
        "purchase",
        "converted",
    )
    assert journey["channels"] == ["web", "email", "field_visit"]
    assert journey["started_at"] == day(0) and journey["last_contact_at"] == day(5)
    changes = experience.published("journey.stage_changed", "c-1")
    assert [(c["previous_stage"], c["stage"], c["status"]) for c in changes] == [
        (None, "awareness", "open"),
        ("awareness", "consideration", "open"),
        ("consideration", "purchase", "converted"),
    ]
    (summary,) = experience.published("experience.summary_updated", "c-1")
    assert summary["journey_stage"] == "purchase" and summary["csat_answers"] == 1
    assert [c["touchpoint_type"] for c in summary["last_contacts"]] == [
        "purchase",
        "quote_requested",
        "website_visit",
    ]


def test_the_next_batch_advances_the_stored_journey(experience: Experience) -> None:
    experience.feed(touchpoint("c-2", day(0), "product_view"))
    experience.feed(touchpoint("c-2", day(1), "purchase", "store"))

    (journey,) = experience.journeys("c-2")
    assert (journey["stage"], journey["status"], journey["touchpoints"]) == (
        "purchase",
        "converted",
        2,
    )
    assert journey["stage_entries"] == [
        ["consideration", day(0).isoformat()],
        ["purchase", day(1).isoformat()],
    ]


def test_contacts_one_batch_at_a_time_give_the_journeys_of_all_at_once(
    experience: Experience,
) -> None:
    """A customer with closed journeys of both types: each new batch advances the latest
    instance of its type, as building from all contacts at once does."""
    contacts = [
        (day(-400), "website_visit", "web"),
        (day(-398), "purchase", "store"),
        (day(-200), "product_view", "web"),  # a second purchase journey, abandoned later
        (day(-150), "complaint", "phone"),
        (day(-149), "repair", "field_visit"),
        (day(-20), "website_visit", "web"),  # a third purchase journey
        (day(-19), "quote_requested", "email"),
        (day(5), "service_call", "phone"),  # a second service journey
    ]
    for at, touchpoint_type, channel in contacts:
        experience.feed(touchpoint("c-batches", at, touchpoint_type, channel))
    experience.feed(*(touchpoint("c-at-once", *contact) for contact in contacts))

    fields = ("journey_type", "stage", "status", "started_at", "last_contact_at")
    fields += ("channels", "stage_entries", "path", "touchpoints")

    def shape(customer_id: str) -> list[tuple[object, ...]]:
        return [tuple(j[name] for name in fields) for j in experience.journeys(customer_id)]

    assert shape("c-batches") == shape("c-at-once")
    assert [(kind, status) for kind, _, status, *_ in shape("c-batches")] == [
        ("purchase", "converted"),
        ("purchase", "abandoned"),
        ("service", "converted"),
        ("purchase", "open"),
        ("service", "open"),
    ]
    (summary, *_) = reversed(experience.published("experience.summary_updated", "c-batches"))
    assert (summary["journey_type"], summary["journey_stage"]) == ("service", "contact")
    assert summary["open_complaints"] == 0


def test_a_late_touchpoint_rebuilds_the_journey_as_if_it_had_come_in_time(
    experience: Experience,
) -> None:
    experience.feed(touchpoint("c-3", day(2), "quote_requested"))
    experience.feed(touchpoint("c-3", day(0), "website_visit"))

    (journey,) = experience.journeys("c-3")
    assert journey["started_at"] == day(0)
    assert [stage for stage, _ in journey["stage_entries"]] == ["awareness", "consideration"]
    assert {t["journey_id"] for t in experience.touchpoints(customer_id="c-3")} == {
        journey["journey_id"]
    }


def test_a_replaced_order_stays_one_purchase_touchpoint(experience: Experience) -> None:
    experience.feed(order("c-4", "o-9", day(3), revenue="10.00"))
    experience.feed(order("c-4", "o-9", day(4), revenue="12.00"))

    (purchase,) = experience.touchpoints(customer_id="c-4")
    assert (purchase["occurred_at"], purchase["revenue"]) == (day(4), Decimal("12.00"))
    (journey,) = experience.journeys("c-4")
    assert journey["started_at"] == day(4) and journey["touchpoints"] == 1


def test_anonymous_touchpoints_wait_under_the_visitor_and_join_the_identified_customer(
    experience: Experience,
) -> None:
    experience.feed(
        touchpoint(None, day(0), "website_visit", anonymous_id="v-1"),
        touchpoint(None, day(1), "product_view", anonymous_id="v-1"),
    )
    waiting = experience.touchpoints(anonymous_id="v-1")
    assert [t["customer_id"] for t in waiting] == [None, None]
    assert experience.journeys("c-5") == []

    experience.feed(touchpoint("c-5", day(2), "quote_requested"), identified("v-1", "c-5"))
    experience.feed(touchpoint(None, day(3), "cart_created", anonymous_id="v-1"))

    mine = experience.touchpoints(customer_id="c-5")
    assert [t["touchpoint_type"] for t in mine] == [
        "website_visit",
        "product_view",
        "quote_requested",
        "cart_created",
    ]
    (journey,) = experience.journeys("c-5")
    assert journey["started_at"] == day(0) and journey["touchpoints"] == 4


def test_a_merge_moves_touchpoints_and_journeys_and_an_unmerge_gives_them_back(
    experience: Experience,
) -> None:
    experience.feed(
        registered("c-6"),
        registered("c-7"),
        touchpoint("c-6", day(0), "website_visit"),
        touchpoint("c-7", day(1), "quote_requested", "phone"),
        touchpoint(None, day(1.5), "product_view", anonymous_id="v-7"),
        identified("v-7", "c-7"),
    )

    experience.feed(merged("c-6", "c-7"))

    assert experience.touchpoints(customer_id="c-7") == []
    assert experience.journeys("c-7") == []
    assert len(experience.touchpoints(customer_id="c-6")) == 3
    (journey,) = experience.journeys("c-6")
    assert journey["stage"] == "consideration" and journey["channels"] == ["web", "phone"]
    assert experience.rows(models.visitor_links, anonymous_id="v-7")[0]["customer_id"] == "c-6"

    experience.feed(touchpoint("c-6", day(3), "purchase"), unmerged("c-6", "c-7"))

    assert [t["touchpoint_type"] for t in experience.touchpoints(customer_id="c-7")] == [
        "quote_requested",
        "product_view",
    ]
    assert [t["touchpoint_type"] for t in experience.touchpoints(customer_id="c-6")] == [
        "website_visit",
        "purchase",
    ]
    assert [j["stage"] for j in experience.journeys("c-7")] == ["consideration"]
    assert [j["stage"] for j in experience.journeys("c-6")] == ["purchase"]


def test_erasure_deletes_the_customers_touchpoints_and_journeys_and_confirms(
    experience: Experience,
) -> None:
    experience.feed(
        registered("c-8"),
        touchpoint(None, day(0), "website_visit", anonymous_id="v-8"),
        identified("v-8", "c-8"),
        touchpoint("c-9", day(0), "website_visit"),
    )

    experience.feed(touchpoint("c-8", day(1), "complaint", "phone"), erased("c-8"))

    assert experience.touchpoints(customer_id="c-8") == []
    assert experience.touchpoints(anonymous_id="v-8") == []
    assert experience.journeys("c-8") == []
    assert experience.rows(models.visitor_links, customer_id="c-8") == []
    assert experience.published("journey.stage_changed", "c-8") == []
    (confirmation,) = experience.published("erasure.completed")
    assert confirmation["service"] == "experience"
    assert confirmation["deleted"]["touchpoints"] == 2
    assert confirmation["deleted"]["journeys"] == 2
    assert len(experience.touchpoints(customer_id="c-9")) == 1


def test_the_sweep_abandons_open_journeys_past_their_gap_and_says_so(
    experience: Experience,
) -> None:
    experience.feed(
        touchpoint("c-10", day(0), "quote_requested"),
        touchpoint("c-11", day(0), "purchase"),
    )
    sweep = AbandonmentSweep(
        experience.runtime.session_factory, experience.runtime.outbox, "experience", 60
    )

    assert sweep.sweep(now=day(60)) == 0
    assert sweep.sweep(now=day(91)) == 1

    assert [j["status"] for j in experience.journeys("c-10")] == ["abandoned"]
    assert [j["status"] for j in experience.journeys("c-11")] == ["converted"]
    last = experience.published("journey.stage_changed", "c-10")[-1]
    assert (last["stage"], last["status"]) == ("consideration", "abandoned")
    assert experience.published("experience.summary_updated", "c-10")[-1]["journey_status"] == (
        "abandoned"
    )


def test_a_summary_is_published_again_only_when_it_changed(experience: Experience) -> None:
    experience.feed(
        touchpoint("c-20", day(1), "website_visit"),
        touchpoint("c-20", day(2), "product_view"),
        touchpoint("c-20", day(3), "product_view"),
    )
    experience.feed(touchpoint("c-20", day(0.5), "website_visit"))

    assert len(experience.published("experience.summary_updated", "c-20")) == 1

    experience.feed(touchpoint("c-20", day(4), "quote_requested", "email", csat=5))

    later = experience.published("experience.summary_updated", "c-20")
    assert sorted(summary["csat_answers"] for summary in later) == [0, 1]
