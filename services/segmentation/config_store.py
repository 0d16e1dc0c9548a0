"""Segmentation's configuration versions and the strategy it applies: stored and read."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from services.segmentation import ledger, models
from services.segmentation.domain.config import SegmentationConfig
from services.segmentation.domain.portfolio import DEFAULT_PORTFOLIO, Portfolio
from shared.cost_rates import effective_rates
from shared.events.steering import StrategyPublished

c = models.config_versions.c
s = models.strategies.c


@dataclass(frozen=True)
class ConfigVersion:
    version: int
    config: SegmentationConfig
    changed_by: str
    changed_at: datetime | None
    comment: str | None


def current_config(session: Session) -> ConfigVersion:
    """The newest configuration; version 0 is the built-in default."""
    row = session.execute(
        select(models.config_versions).order_by(c.version.desc()).limit(1)
    ).first()
    if row is None:
        return ConfigVersion(0, SegmentationConfig(), "built-in", None, None)
    return _version(row)


def _version(row: Any) -> ConfigVersion:
    return ConfigVersion(
        row.version,
        SegmentationConfig.model_validate(row.config),
        row.changed_by,
        row.changed_at,
        row.comment,
    )


def config_history(session: Session, limit: int = 50) -> list[ConfigVersion]:
    rows = session.execute(select(models.config_versions).order_by(c.version.desc()).limit(limit))
    return [_version(row) for row in rows]


def save_config(
    session: Session, config: SegmentationConfig, *, changed_by: str, comment: str | None
) -> ConfigVersion:
    """Store `config` as the next version (the audit trail keeps every earlier one)."""
    version = (session.scalar(select(func.max(c.version))) or 0) + 1
    now = datetime.now(UTC)
    session.execute(
        insert(models.config_versions).values(
            version=version,
            config=config.model_dump(mode="json"),
            changed_by=changed_by,
            changed_at=now,
            comment=comment,
        )
    )
    return ConfigVersion(version, config, changed_by, now, comment)


def active_strategy(session: Session) -> StrategyPublished | None:
    row = session.execute(
        select(s.payload).order_by(s.published_at.desc(), s.version.desc()).limit(1)
    ).first()
    return None if row is None else StrategyPublished.model_validate(row.payload)


def portfolio_of(strategy: StrategyPublished | None) -> Portfolio:
    """The strategy's portfolio mapping, or the built-in one until a strategy is published."""
    if strategy is None:
        return DEFAULT_PORTFOLIO
    return Portfolio(
        segments={segment.key: segment.thrust for segment in strategy.segments},
        names={segment.key: segment.name for segment in strategy.segments},
        cells={(cell.value_tier, cell.potential_tier): cell.segment for cell in strategy.portfolio},
        overrides=tuple(
            (override.lifecycle_stage, frozenset(override.value_tiers), override.segment)
            for override in strategy.lifecycle_overrides
        ),
        source=f"strategy {strategy.strategy_id} v{strategy.version}",
    )


def store_strategy(session: Session, strategy: StrategyPublished) -> bool:
    """Keep `strategy` and apply its cost rates, unless a newer one is active; True if applied."""
    current = active_strategy(session)
    if current is not None and (current.published_at, current.version) >= (
        strategy.published_at,
        strategy.version,
    ):
        return False
    portfolio_of(strategy)  # refuses a mapping that leaves a cell or a segment undefined
    session.execute(delete(models.strategies).where(s.strategy_id == strategy.strategy_id))
    session.execute(
        insert(models.strategies).values(
            strategy_id=strategy.strategy_id,
            version=strategy.version,
            published_at=strategy.published_at,
            payload=strategy.model_dump(mode="json"),
            received_at=datetime.now(UTC),
        )
    )
    write_cost_rates(session, [(r.channel, r.touchpoint_type, r.rate) for r in strategy.cost_rates])
    return True


def write_cost_rates(session: Session, published: list[Any]) -> None:
    """Replace the cost rates with the built-in ones overlaid by `published`."""
    rates = effective_rates(published)
    session.execute(delete(models.cost_rates))
    session.execute(
        insert(models.cost_rates),
        [
            {"channel": channel, "touchpoint_type": kind, "rate": ledger.units(rate)}
            for (channel, kind), rate in sorted(rates.items())
        ],
    )


def cost_rates(session: Session) -> dict[tuple[str, str], int]:
    r = models.cost_rates.c
    return {
        (row[0], row[1]): row[2]
        for row in session.execute(select(r.channel, r.touchpoint_type, r.rate))
    }
