"""Journey definitions (versioned, with who changed them) and the strategy's cost rates."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from services.experience import models
from services.experience.domain.definitions import (
    DEFAULT_DEFINITIONS,
    JourneyDefinition,
    check_definitions,
    definition_data,
    definition_from_data,
)
from shared.cost_rates import EVERY_TYPE, effective_rates
from shared.events.steering import StrategyPublished

v = models.definition_versions.c
r = models.cost_rates.c


@dataclass(frozen=True)
class DefinitionsVersion:
    version: int
    definitions: tuple[JourneyDefinition, ...]
    changed_by: str
    changed_at: datetime | None
    comment: str | None


BUILT_IN = DefinitionsVersion(0, DEFAULT_DEFINITIONS, "built-in", None, None)


def _version(row: Any) -> DefinitionsVersion:
    definitions = tuple(definition_from_data(data) for data in row.definitions)
    return DefinitionsVersion(row.version, definitions, row.changed_by, row.changed_at, row.comment)


class DefinitionsCache:
    """The definitions in force, parsed once per version (a batch asks for them every time)."""

    def __init__(self) -> None:
        self._current = BUILT_IN

    def current(self, session: Session) -> DefinitionsVersion:
        newest = session.scalar(select(func.max(v.version))) or 0
        if newest != self._current.version:
            self._current = current_definitions(session)
        return self._current


def current_definitions(session: Session) -> DefinitionsVersion:
    """The newest definitions; version 0 is the built-in purchase and service journeys."""
    row = session.execute(
        select(models.definition_versions).order_by(v.version.desc()).limit(1)
    ).first()
    return BUILT_IN if row is None else _version(row)


def definitions_history(session: Session, limit: int = 50) -> list[DefinitionsVersion]:
    rows = session.execute(
        select(models.definition_versions).order_by(v.version.desc()).limit(limit)
    )
    return [_version(row) for row in rows]


def save_definitions(
    session: Session,
    definitions: tuple[JourneyDefinition, ...],
    *,
    changed_by: str,
    comment: str | None,
) -> DefinitionsVersion:
    """Store the next version; ValueError when the definitions contradict each other."""
    check_definitions(definitions)
    version = (session.scalar(select(func.max(v.version))) or 0) + 1
    now = datetime.now(UTC)
    session.execute(
        insert(models.definition_versions).values(
            version=version,
            definitions=[definition_data(d) for d in definitions],
            changed_by=changed_by,
            changed_at=now,
            comment=comment,
        )
    )
    return DefinitionsVersion(version, definitions, changed_by, now, comment)


def store_strategy(session: Session, strategy: StrategyPublished) -> bool:
    """Adopt the strategy's cost rates unless a newer strategy's are in force already."""
    newest = session.scalar(select(func.max(r.published_at)))
    if newest is not None and newest >= strategy.published_at:
        return False
    session.execute(delete(models.cost_rates))
    rows = {
        (rate.channel, rate.touchpoint_type or EVERY_TYPE): {
            "channel": rate.channel,
            "touchpoint_type": rate.touchpoint_type or EVERY_TYPE,
            "rate": rate.rate,
            "strategy_id": strategy.strategy_id,
            "strategy_version": strategy.version,
            "published_at": strategy.published_at,
        }
        for rate in strategy.cost_rates
    }
    if rows:
        session.execute(insert(models.cost_rates), list(rows.values()))
    return True


def current_rates(session: Session) -> dict[tuple[str, str], Decimal]:
    """The built-in rates overlaid with those of the latest strategy."""
    rows = session.execute(select(r.channel, r.touchpoint_type, r.rate))
    return effective_rates((row.channel, row.touchpoint_type, row.rate) for row in rows)
