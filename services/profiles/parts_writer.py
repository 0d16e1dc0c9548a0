"""Keeps the parts other services deliver for the 360° view, a consumer batch at a time.

Handlers keep the newest version of each part in memory; one hook writes them before the
batch commits: parts of customers that a merge absorbed, that were erased or that profiles
does not know are dropped, a stored part is replaced only by a newer one, and each
customer keeps its latest next best actions only.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from services.profiles import parts_rules
from services.profiles.parts_repository import (
    ACTIONS,
    EXPERIENCES,
    RUNS,
    SEGMENTS,
    STRATEGIES,
    PartsRepository,
)
from shared.db.buffer import buffer_of
from shared.events.envelope import CloudEvent
from shared.events.journeys import ExperienceSummaryUpdated
from shared.events.segments import SegmentAssigned, SegmentationRunCompleted
from shared.events.steering import ActionRecommended, StrategyPublished

Row = dict[str, Any]
STATE = "profiles.parts"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _columns(table: Table) -> set[str]:
    # Only what the table holds: fields a contract gains later are ignored, not written.
    return set(table.c.keys())


def _event(event: CloudEvent) -> Row:
    return {"event_id": event.id, "event_time": _utc(event.time)}


@dataclass
class _Batch:
    segments: dict[str, Row] = field(default_factory=dict)
    experiences: dict[str, Row] = field(default_factory=dict)
    actions: dict[str, Row] = field(default_factory=dict)
    strategies: dict[tuple[str, int], Row] = field(default_factory=dict)
    runs: dict[str, Row] = field(default_factory=dict)

    def keep(self, parts: dict[str, Row], key: str, row: Row, moment: str) -> None:
        if parts_rules.is_newer(row, parts.get(key), moment):
            parts[key] = row


class PartsWriter:
    def __init__(self, actions_kept: int) -> None:
        self._actions_kept = actions_kept

    def _batch(self, session: Session) -> _Batch:
        buffer = buffer_of(session)
        buffer.before_inserts(STATE, self._finish)
        return buffer.state(STATE, _Batch)

    def apply_assignment(
        self, session: Session, event: CloudEvent, assigned: SegmentAssigned
    ) -> None:
        row = {
            **assigned.model_dump(include=_columns(SEGMENTS)),
            "measured_at": _utc(assigned.as_of),
            **_event(event),
        }
        batch = self._batch(session)
        batch.keep(batch.segments, row["customer_id"], row, parts_rules.MOMENT_OF_PART["segment"])

    def apply_experience(
        self, session: Session, event: CloudEvent, summary: ExperienceSummaryUpdated
    ) -> None:
        row = {
            **summary.model_dump(include=_columns(EXPERIENCES) - {"last_contacts"}),
            "last_contacts": [c.model_dump(mode="json") for c in summary.last_contacts],
            "latest_touchpoint_at": _utc(summary.as_of),
            **_event(event),
        }
        batch = self._batch(session)
        moment = parts_rules.MOMENT_OF_PART["experience"]
        batch.keep(batch.experiences, row["customer_id"], row, moment)

    def apply_action(self, session: Session, event: CloudEvent, action: ActionRecommended) -> None:
        row = {
            **action.model_dump(include=_columns(ACTIONS)),
            "due_at": _utc(action.due_at),
            "recommended_at": _utc(action.recommended_at),
            **_event(event),
        }
        batch = self._batch(session)
        batch.keep(batch.actions, row["action_id"], row, parts_rules.MOMENT_OF_PART["action"])

    def apply_strategy(
        self, session: Session, event: CloudEvent, strategy: StrategyPublished
    ) -> None:
        """Keep the strategy's per-segment terms, read from the raw payload so that optional
        fields the contract may gain (service level, treatment) are not lost."""
        self._batch(session).strategies[(strategy.strategy_id, strategy.version)] = {
            "strategy_id": strategy.strategy_id,
            "version": strategy.version,
            "published_at": _utc(strategy.published_at),
            "segments": parts_rules.strategy_segments(event.data),
            **_event(event),
        }

    def apply_run(self, session: Session, event: CloudEvent, run: SegmentationRunCompleted) -> None:
        self._batch(session).runs[run.run_id] = {
            "run_id": run.run_id,
            "measured_at": _utc(run.as_of),
            "completed_at": _utc(run.completed_at),
            "customers": run.customers,
            "changed": run.changed,
            "segment_sizes": run.segment_sizes,
            "model_version": run.model_version,
            "event_id": event.id,
        }

    def _finish(self, session: Session) -> None:
        batch = buffer_of(session).state(STATE, _Batch)
        repo = PartsRepository(session)
        wanted = {*batch.segments, *batch.experiences}
        wanted |= {action["customer_id"] for action in batch.actions.values()}
        states = repo.customer_states(wanted) if wanted else {}

        def active(rows: list[Row]) -> list[Row]:
            return [row for row in rows if states.get(row["customer_id"]) == "active"]

        repo.upsert_newer(
            SEGMENTS, active(list(batch.segments.values())), "customer_id", "measured_at"
        )
        repo.upsert_newer(
            EXPERIENCES,
            active(list(batch.experiences.values())),
            "customer_id",
            "latest_touchpoint_at",
        )
        actions = active(list(batch.actions.values()))
        repo.upsert_newer(ACTIONS, actions, "action_id", "recommended_at")
        if actions:
            stored = repo.actions_of({action["customer_id"] for action in actions})
            repo.delete_actions(
                [
                    action_id
                    for rows in stored.values()
                    for action_id in parts_rules.actions_beyond(rows, self._actions_kept)
                ]
            )
        repo.insert_new(STRATEGIES, sorted(batch.strategies.values(), key=_strategy_key))
        repo.insert_new(RUNS, sorted(batch.runs.values(), key=lambda run: run["run_id"]))


def _strategy_key(row: Row) -> tuple[str, int]:
    return row["strategy_id"], row["version"]
