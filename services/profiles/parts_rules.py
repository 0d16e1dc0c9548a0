"""Rules for the parts of the 360° view other services deliver: which of two versions of a
part is the newer, which next best actions stay shown, what a strategy says about a segment.

Rows are plain dicts as stored; every part row carries `event_time` and its own moment
(`measured_at`, `latest_touchpoint_at`, `recommended_at`, `published_at`).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

Row = dict[str, Any]

MOMENT_OF_PART = {
    "segment": "measured_at",
    "experience": "latest_touchpoint_at",
    "action": "recommended_at",
}
TEXT_LIMIT = 2_000


def version_of(row: Row, moment: str) -> tuple[datetime, datetime, str]:
    """How new a part is: the moment it describes, then its event's time, then its event id
    (only so that equal versions compare the same way everywhere)."""
    return row[moment], row["event_time"], row["event_id"]


def is_newer(incoming: Row, current: Row | None, moment: str) -> bool:
    """Whether `incoming` replaces `current`: a part never goes back to an older version."""
    return current is None or version_of(incoming, moment) >= version_of(current, moment)


def newest(rows: Iterable[Row], moment: str) -> Row | None:
    """The newest of several versions of one part."""
    found: Row | None = None
    for row in rows:
        if is_newer(row, found, moment):
            found = row
    return found


def actions_beyond(actions: Iterable[Row], keep: int) -> list[str]:
    """Ids of a customer's actions that fall off the shown list: all but the `keep` most
    recently recommended ones."""
    ordered = sorted(actions, key=lambda a: version_of(a, "recommended_at"), reverse=True)
    return [action["action_id"] for action in ordered[keep:]]


def best_first(actions: Iterable[Row]) -> list[Row]:
    """Actions in the order to work on them: most urgent priority, then earliest due."""
    return sorted(actions, key=lambda a: (a["priority"], a["due_at"], a["action_id"]))


def _term(value: Any) -> str | dict[str, Any] | None:
    """A service level or treatment as the strategy states it: a text or an object."""
    if isinstance(value, str):
        return value[:TEXT_LIMIT] if value.strip() else None
    if isinstance(value, Mapping) and value:
        return dict(value)
    return None


def _service_levels(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    levels = data.get("service_levels")
    return {
        level["key"]: dict(level)
        for level in (levels if isinstance(levels, list) else [])
        if isinstance(level, Mapping) and isinstance(level.get("key"), str)
    }


def _service_level(
    segment: Mapping[str, Any], levels: Mapping[str, dict[str, Any]]
) -> str | dict[str, Any] | None:
    """The segment's service level: named on the segment, in its approach or in its
    treatment; a key the strategy describes among its service levels is described."""
    for holder in (segment, segment.get("approach"), segment.get("treatment")):
        if isinstance(holder, Mapping):
            level = _term(holder.get("service_level"))
            if isinstance(level, str):
                return levels.get(level, level)
            if level is not None:
                return level
    return None


def strategy_segments(data: Mapping[str, Any]) -> list[Row]:
    """The segments of a published strategy's raw payload with what it says about serving
    them: approach, service level and treatment, read from optional fields whose shape may
    still grow. What is not a text or an object there is left out."""
    found: list[Row] = []
    segments = data.get("segments")
    levels = _service_levels(data)
    for segment in segments if isinstance(segments, list) else []:
        if not isinstance(segment, Mapping) or not isinstance(segment.get("key"), str):
            continue
        found.append(
            {
                "key": segment["key"],
                "name": _text(segment.get("name")),
                "thrust": _text(segment.get("thrust")),
                "approach": _term(segment.get("approach")),
                "service_level": _service_level(segment, levels),
                "treatment": _term(segment.get("treatment")),
            }
        )
    return found


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def strategy_for(segment: str, strategy: Row | None) -> Row | None:
    """What the strategy in force says about `segment`; None when it does not name it."""
    if strategy is None:
        return None
    return next((s for s in strategy["segments"] if s.get("key") == segment), None)
