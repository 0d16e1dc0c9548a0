"""CX measures over a hand-built data set equal the hand-computed figures."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.experience.measures_query import MeasureFilter, measures_of
from services.experience.measures_schemas import MeasuresRead
from shared.events.steering import CostRate, PortfolioCell, StrategicSegment, StrategyPublished
from tests.integration.experience.support import (
    Experience,
    experience_on,
    order,
    published,
    segment,
    touchpoint,
)

pytestmark = pytest.mark.integration
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def experience(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Experience]:
    service = experience_on(database_factory("experience"), api_keys[0])
    service.feed(
        segment("c-a", "grow"),
        segment("c-b", "retain"),
        touchpoint(
            "c-a", day(0), "complaint", "phone", direction="inbound", csat=2, nps=3, effort=6
        ),
        touchpoint("c-a", day(0.25), "callback", "phone", direction="outbound"),
        touchpoint("c-a", day(1), "service_call", "phone", outcome="resolved"),
        touchpoint("c-b", day(0), "website_visit", csat=5, nps=10),
        touchpoint("c-b", day(1), "quote_requested", "email", csat=4, nps=9, effort=2),
        order("c-b", "o-1", day(2)),
        touchpoint("c-c", day(0), "complaint", "chat", outcome="resolved"),
    )
    yield service
    service.runtime.engine.dispose()


def measured(experience: Experience, **filters: object) -> MeasuresRead:
    with experience.runtime.session_factory() as session:
        return measures_of(session, MeasureFilter(**filters))  # type: ignore[arg-type]


def test_measures_of_every_contact_equal_the_hand_computed_figures(
    experience: Experience,
) -> None:
    figures = measured(experience)

    assert (figures.contacts, figures.customers) == (7, 3)
    assert figures.csat_mean.value == pytest.approx(11 / 3)
    assert figures.csat_mean.sample_size == 3
    assert (figures.csat_satisfied.value, figures.csat_satisfied.sample_size) == (
        pytest.approx(2 / 3),
        3,
    )
    assert figures.nps.value == pytest.approx(100 / 3) and figures.nps.sample_size == 3
    assert (figures.nps_promoters, figures.nps_passives, figures.nps_detractors) == (2, 0, 1)
    assert figures.effort_mean.value == pytest.approx(4.0)
    assert figures.complaint_rate.value == pytest.approx(2 / 3)
    assert figures.first_contact_resolution.value == pytest.approx(0.5)
    assert figures.first_contact_resolution.sample_size == 2
    assert figures.response_time.mean_seconds == 6 * 3600
    assert figures.response_time.sample_size == 1
    assert figures.resolution_time.median_seconds == 12 * 3600
    # phone 25 + 8 + 15, web 0.05, email 3, field visit 120, chat 4 = 175.05 over 7 contacts
    assert figures.total_cost == Decimal("175.05")
    assert figures.cost_per_contact == Decimal("25.01")
    assert (figures.channel_mix[0].channel, figures.channel_mix[0].contacts) == ("phone", 3)
    assert sum(c.contacts for c in figures.channel_mix) == 7
    assert figures.channel_switching.value == pytest.approx(1 / 3)
    assert figures.csat_satisfied.low is not None and figures.csat_satisfied.low < 2 / 3


def test_measures_narrow_to_segment_channel_type_and_stage(experience: Experience) -> None:
    grow = measured(experience, segment="grow")
    phone = measured(experience, channel="phone")
    complaints = measured(experience, touchpoint_type="complaint")
    considering = measured(experience, stage="consideration")
    later = measured(experience, period_from=day(0.5))

    assert (grow.contacts, grow.nps.value, grow.nps.sample_size) == (3, -100.0, 1)
    assert grow.first_contact_resolution.value == 0.0
    assert phone.contacts == 3 and phone.total_cost == Decimal("48.00")
    assert (complaints.contacts, complaints.customers) == (2, 2)
    assert considering.contacts == 1 and considering.csat_mean.value == 4.0
    assert later.contacts == 3 and later.first_contact_resolution.sample_size == 0


def test_a_published_strategy_prices_contacts_at_its_rates(experience: Experience) -> None:
    strategy = StrategyPublished(
        strategy_id="s-1",
        version=2,
        published_at=datetime.now(UTC),
        segments=[StrategicSegment(key="grow", name="Grow", thrust="grow")],
        portfolio=[PortfolioCell(value_tier="high", potential_tier="high", segment="grow")],
        cost_rates=[CostRate(channel="phone", rate=Decimal("10.00"))],
    )
    experience.feed(published(strategy, "strategy.published", "s-1"))

    phone = measured(experience, channel="phone")

    # complaint and service call keep their built-in type rates (25, 15); the callback, priced
    # at the phone rate, costs 10 instead of 8 now
    assert phone.total_cost == Decimal("50.00")
