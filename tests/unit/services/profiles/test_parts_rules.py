"""Rules of the parts other services deliver: versions, kept actions, strategy terms."""

from datetime import UTC, datetime, timedelta
from typing import Any

from services.profiles.parts_rules import (
    actions_beyond,
    best_first,
    is_newer,
    newest,
    strategy_for,
    strategy_segments,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def part(measured: int, sent: int = 0, event_id: str = "e", **fields: Any) -> dict[str, Any]:
    return {
        "measured_at": T0 + timedelta(hours=measured),
        "event_time": T0 + timedelta(hours=sent),
        "event_id": event_id,
        **fields,
    }


def action(action_id: str, recommended: int, **fields: Any) -> dict[str, Any]:
    values = {
        "action_id": action_id,
        "recommended_at": T0 + timedelta(hours=recommended),
        "event_time": T0,
        "event_id": action_id,
        "priority": 3,
        "due_at": T0 + timedelta(days=7),
    }
    return {**values, **fields}


def test_a_part_measured_earlier_never_replaces_a_later_one() -> None:
    stored = part(measured=5, sent=5)

    assert not is_newer(part(measured=4, sent=9), stored, "measured_at")
    assert is_newer(part(measured=6, sent=1), stored, "measured_at")


def test_equal_moments_are_decided_by_the_event_time_then_the_event_id() -> None:
    stored = part(measured=5, sent=5, event_id="b")

    assert is_newer(part(measured=5, sent=6, event_id="a"), stored, "measured_at")
    assert not is_newer(part(measured=5, sent=4, event_id="z"), stored, "measured_at")
    assert is_newer(part(measured=5, sent=5, event_id="c"), stored, "measured_at")
    assert not is_newer(part(measured=5, sent=5, event_id="a"), stored, "measured_at")


def test_the_first_version_of_a_part_is_always_taken() -> None:
    assert is_newer(part(measured=0), None, "measured_at")


def test_newest_of_versions_in_any_order() -> None:
    versions = [part(3, event_id="x"), part(7, event_id="y"), part(5, event_id="z")]

    found = newest(versions, "measured_at")

    assert found is not None and found["event_id"] == "y"
    assert newest([], "measured_at") is None


def test_only_the_most_recently_recommended_actions_stay() -> None:
    actions = [action(f"a{n}", recommended=n) for n in (4, 1, 6, 2, 5)]

    assert sorted(actions_beyond(actions, keep=3)) == ["a1", "a2"]
    assert actions_beyond(actions, keep=10) == []


def test_actions_are_worked_on_by_priority_then_due_time() -> None:
    actions = [
        action("late", 0, priority=2, due_at=T0 + timedelta(days=9)),
        action("urgent", 0, priority=1, due_at=T0 + timedelta(days=20)),
        action("soon", 0, priority=2, due_at=T0 + timedelta(days=1)),
    ]

    assert [a["action_id"] for a in best_first(actions)] == ["urgent", "soon", "late"]


def test_strategy_segments_without_optional_terms() -> None:
    data = {"segments": [{"key": "grow", "name": "Wachsen", "thrust": "grow"}]}

    [segment] = strategy_segments(data)

    assert segment == {
        "key": "grow",
        "name": "Wachsen",
        "thrust": "grow",
        "approach": None,
        "service_level": None,
        "treatment": None,
    }


def test_a_service_level_named_in_the_approach_is_described_by_the_strategy() -> None:
    premium = {"key": "premium", "name": "Premium", "response_time_hours": 4}
    data = {
        "segments": [
            {
                "key": "grow",
                "name": "Wachsen",
                "thrust": "grow",
                "approach": {"channel": "field_sales", "service_level": "premium"},
                "treatment": {"offers": ["Rahmenvertrag"], "communication_channel": "email"},
            },
            {"key": "retain", "approach": {"service_level": "standard"}},
        ],
        "service_levels": [premium],
    }

    grow, retain = strategy_segments(data)

    assert grow["service_level"] == premium
    assert grow["approach"] == {"channel": "field_sales", "service_level": "premium"}
    assert grow["treatment"]["offers"] == ["Rahmenvertrag"]
    assert retain["service_level"] == "standard"


def test_service_level_and_treatment_may_be_plain_texts_on_the_segment() -> None:
    data = {"segments": [{"key": "s", "service_level": "gold", "treatment": "Quartalsgespräch"}]}

    [segment] = strategy_segments(data)

    assert (segment["service_level"], segment["treatment"]) == ("gold", "Quartalsgespräch")


def test_malformed_strategy_entries_are_left_out() -> None:
    data = {
        "segments": [
            "grow",
            {"name": "no key"},
            {"key": "ok", "treatment": 42, "service_level": ["a"], "approach": "  "},
        ],
        "service_levels": "none",
    }

    [segment] = strategy_segments(data)

    assert segment["key"] == "ok"
    assert (segment["treatment"], segment["service_level"], segment["approach"]) == (
        None,
        None,
        None,
    )
    assert strategy_segments({"segments": None}) == []


def test_strategy_for_a_segment_it_does_not_name_is_none() -> None:
    strategy = {"segments": [{"key": "grow", "thrust": "grow"}]}

    assert strategy_for("grow", strategy) == {"key": "grow", "thrust": "grow"}
    assert strategy_for("retain", strategy) is None
    assert strategy_for("grow", None) is None
