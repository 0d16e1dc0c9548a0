"""The parts of the 360° view from segmentation, experience and steering, fed through
profiles' consumer on SQLite and PostgreSQL: ordering, merges, erasure, masking."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.profiles.gdpr import CustomerErasures, suppression_list
from services.profiles.gdpr_repository import COMPLETIONS
from services.profiles.merges import Merges, Requester
from services.profiles.parts_repository import ACTIONS, EXPERIENCES, SEGMENTS
from tests.integration.profiles.parts_support import (
    MARKETING,
    NOW,
    ProfilesParts,
    assigned,
    profiles_on,
    recommended,
    run_completed,
    strategy,
    summary,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def parts(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> ProfilesParts:
    built = profiles_on(database_factory("profiles_parts"), api_keys[0], next_best_actions_kept=3)
    yield built
    built.runtime.engine.dispose()


def test_every_part_shows_what_was_published_with_its_event(parts: ProfilesParts) -> None:
    customer_id = parts.customer(name="Huber KG", kind="organization")
    segment, experience = assigned(customer_id), summary(customer_id)
    action = recommended(customer_id)

    parts.feed(segment, experience, action, run_completed("run-1"))
    view = parts.view(customer_id)

    assert view.segment.status == "current"
    assert (view.segment.as_of.event_id, view.segment.as_of.time) == (segment.id, segment.time)
    assert view.segment.strategic_segment == "retain"
    assert view.segment.lifecycle_stage == "loyal"
    assert view.segment.needs_cluster == 1
    assert view.segment.clv == Decimal("9100.00")
    assert view.segment.churn_risk == pytest.approx(0.12)
    assert view.segment.measured_at == NOW
    assert view.segment.masked == []
    assert view.experience.as_of.event_id == experience.id
    assert (view.experience.journey_stage, view.experience.open_complaints) == ("resolution", 1)
    assert view.experience.nps == 9
    assert view.experience.last_touchpoints[0].touchpoint_type == "complaint"
    assert view.next_best_actions.as_of.event_id == action.id
    assert [item.title for item in view.next_best_actions.items] == ["Call about the complaint"]
    # Without a published strategy the thrust is the one segmentation assigned with.
    assert (view.strategy.status, view.strategy.source) == ("current", "segmentation")
    assert (view.strategy.thrust, view.strategy.service_level) == ("retain", None)
    assert view.strategy.as_of.event_id == segment.id


def test_nothing_published_leaves_every_part_pending(parts: ProfilesParts) -> None:
    customer_id = parts.customer()

    view = parts.view(customer_id)

    for part in (view.segment, view.strategy, view.experience, view.next_best_actions):
        assert (part.status, part.as_of) == ("pending", None)


@pytest.mark.parametrize("together", [True, False], ids=["one batch", "two batches"])
def test_an_older_event_never_overwrites_a_newer_part(parts: ProfilesParts, together: bool) -> None:
    customer_id = parts.customer()
    newer = [
        assigned(customer_id, lifecycle_stage="at_risk"),
        summary(customer_id, open_complaints=3),
    ]
    older = [
        assigned(customer_id, as_of=NOW - timedelta(days=1), lifecycle_stage="loyal"),
        summary(customer_id, as_of=NOW - timedelta(hours=1), open_complaints=0),
    ]

    if together:
        parts.feed(*newer, *older)
    else:
        parts.feed(*newer)
        parts.feed(*older)

    view = parts.view(customer_id)
    assert view.segment.lifecycle_stage == "at_risk"
    assert view.segment.as_of.event_id == newer[0].id
    assert view.experience.open_complaints == 3


def test_a_later_assignment_replaces_the_earlier_one(parts: ProfilesParts) -> None:
    customer_id = parts.customer()
    parts.feed(assigned(customer_id, as_of=NOW - timedelta(days=2)))

    parts.feed(assigned(customer_id, lifecycle_stage="lapsed", strategic_segment="restructure"))

    [row] = parts.rows(SEGMENTS, customer_id=customer_id)
    assert (row["lifecycle_stage"], row["strategic_segment"]) == ("lapsed", "restructure")


def test_only_the_latest_actions_are_kept_and_shown_most_urgent_first(
    parts: ProfilesParts,
) -> None:
    customer_id = parts.customer()
    actions = [
        recommended(customer_id, recommended_at=NOW - timedelta(days=n), priority=1 + n % 3)
        for n in range(5)
    ]

    parts.feed(*actions[:2])
    parts.feed(*actions[2:])

    kept = {row["action_id"] for row in parts.rows(ACTIONS, customer_id=customer_id)}
    assert kept == {event.data["action_id"] for event in actions[:3]}
    items = parts.view(customer_id).next_best_actions.items
    assert [item.priority for item in items] == [1, 2, 3]
    assert parts.view(customer_id).next_best_actions.as_of.event_id == actions[0].id


def test_the_strategy_in_force_gives_thrust_service_level_and_treatment(
    parts: ProfilesParts,
) -> None:
    customer_id = parts.customer()
    premium = {"key": "premium", "name": "Premium", "response_time_hours": 4}
    segment = {
        "key": "retain",
        "name": "Stammkunden halten",
        "thrust": "retain",
        "approach": {
            "channel": "field_sales",
            "role": "key_account_manager",
            "contact_frequency_days": 30,
            "service_level": "premium",
        },
        "treatment": {"offers": ["Bonusprogramm"], "communication_channel": "email"},
    }
    current = strategy(2, [segment], service_levels=[premium])
    outdated = strategy(1, [{**segment, "thrust": "grow"}], published_at=NOW - timedelta(days=9))

    parts.feed(assigned(customer_id), current)
    parts.feed(outdated)

    part = parts.view(customer_id).strategy
    assert (part.source, part.strategy_version, part.as_of.event_id) == ("steering", 2, current.id)
    assert (part.segment, part.segment_name, part.thrust) == (
        "retain",
        "Stammkunden halten",
        "retain",
    )
    assert part.service_level == premium
    assert part.treatment == {"offers": ["Bonusprogramm"], "communication_channel": "email"}
    assert part.approach is not None and part.approach["channel"] == "field_sales"


def test_parts_of_unknown_and_merged_away_customers_are_dropped(parts: ProfilesParts) -> None:
    survivor, absorbed = parts.customer(), parts.customer(system="shop")
    with parts.runtime.session_factory() as session, session.begin():
        Merges(parts.runtime.outbox).merge(
            session, survivor, [absorbed], requester=Requester("test", "same company")
        )

    parts.feed(assigned(absorbed), summary("never-known"), recommended(absorbed))

    assert parts.rows(SEGMENTS) == []
    assert parts.rows(EXPERIENCES) == []
    assert parts.rows(ACTIONS) == []


def test_a_merge_drops_the_absorbed_customers_parts_and_keeps_the_survivors(
    parts: ProfilesParts,
) -> None:
    survivor, absorbed = parts.customer(), parts.customer(system="shop")
    parts.feed(
        assigned(survivor),
        assigned(absorbed),
        summary(absorbed),
        recommended(absorbed),
        recommended(survivor),
    )

    with parts.runtime.session_factory() as session, session.begin():
        Merges(parts.runtime.outbox).merge(
            session, survivor, [absorbed], requester=Requester("test", "same company")
        )

    for table in (SEGMENTS, EXPERIENCES, ACTIONS):
        assert parts.rows(table, customer_id=absorbed) == []
    assert len(parts.rows(SEGMENTS, customer_id=survivor)) == 1
    assert len(parts.rows(ACTIONS, customer_id=survivor)) == 1


def test_erasure_deletes_the_parts_and_late_events_do_not_bring_them_back(
    parts: ProfilesParts,
) -> None:
    customer_id = parts.customer()
    parts.feed(assigned(customer_id), summary(customer_id), recommended(customer_id))
    runtime = parts.runtime
    erasures = CustomerErasures(
        suppression_list(runtime.settings), runtime.outbox, runtime.tables.outbox
    )

    with runtime.session_factory() as session, session.begin():
        erasure = erasures.erase(session, customer_id, "test")
    parts.feed(assigned(customer_id, as_of=NOW + timedelta(minutes=1)), recommended(customer_id))

    assert erasure is not None
    [completion] = parts.rows(COMPLETIONS, erasure_id=erasure["erasure_id"])
    deleted = completion["deleted"]
    assert (deleted["customer_segments"], deleted["customer_experiences"]) == (1, 1)
    assert deleted["customer_actions"] == 1
    for table in (SEGMENTS, EXPERIENCES, ACTIONS):
        assert parts.rows(table, customer_id=customer_id) == []
    assert parts.view(customer_id).segment.status == "pending"


def test_margins_clv_and_reasons_are_masked_without_financials_read(
    parts: ProfilesParts,
) -> None:
    customer_id = parts.customer()
    parts.feed(assigned(customer_id))

    part = parts.view(customer_id, MARKETING).segment

    assert (part.clv, part.revenue_12m, part.contribution_margin_3_12m) == (None, None, None)
    assert (part.share_of_wallet_gap, part.reasons) == (None, [])
    assert set(part.masked) == {
        "clv",
        "revenue_12m",
        "contribution_margin_3_12m",
        "share_of_wallet_gap",
        "reasons",
    }
    assert (part.lifecycle_stage, part.value_tier, part.churn_risk) == ("loyal", "high", 0.12)
