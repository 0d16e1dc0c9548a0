"""The KPI board and KPI time series, read from the aggregates (never from orders).

A calendar period reads its own aggregate rows, and so does a range that covers exactly one
(2026-10..2026-12 is 2026-Q4). Any other range of months adds up its months' sums;
its distinct counts (active, contacted, unprofitable customers served) come from the
customers' monthly flags (activity.py), each customer once, under its current segment,
region and owner rep. A customer's channel is not kept with its flags: over a range, the
channel dimension has no distinct counts (their KPIs are null).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from services.steering import activity, models
from services.steering.domain import board, kpis, periods
from services.steering.strategy import active_strategy
from services.steering.strategy_schemas import KpiTarget, StrategyContent

Measures = dict[str, int]
DISTINCT_FLAGS = tuple(activity.MEASURES)
"""The flow measures that count each customer once per period."""
SUMMED = tuple(name for name in models.FLOW_MEASURES if name not in DISTINCT_FLAGS)
"""The flow measures that add up over months."""


@dataclass(frozen=True)
class MemberKpis:
    member: str
    evaluations: dict[str, board.Evaluation]


@dataclass(frozen=True)
class Board:
    period: str
    previous_period: str
    dimension: str
    strategy: str | None
    closed: bool
    members: list[MemberKpis]


def _rows(session: Session, table: Table, dimension: str, **where: Any) -> dict[str, Measures]:
    query = select(table).where(table.c.dimension == dimension)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    measures = [c.name for c in table.columns if c.name not in ("period", "dimension", "member")]
    return {
        row.member: {name: int(row._mapping[name]) for name in measures}
        for row in session.execute(query)
    }


def _flows(session: Session, period: str, dimension: str) -> dict[str, Measures]:
    return _flows_of(session, [period], dimension)[0]


def _flows_of(session: Session, wanted: list[str], dimension: str) -> list[dict[str, Measures]]:
    """The flow measures of every member of `dimension` in each of the periods `wanted`; the
    distinct counts of all their ranges in one pass over the activity masks."""
    found: list[dict[str, Measures]] = []
    ranges: list[tuple[dict[str, Measures], list[str]]] = []
    for period in map(periods.calendar, wanted):
        if periods.granularity(period) != "range":
            found.append(_rows(session, models.kpi_aggregates, dimension, period=period))
            continue
        months = periods.months_of(period)
        found.append(_range_sums(session, months, dimension))
        ranges.append((found[-1], months))
    if dimension == "channel" or not ranges:
        return found
    counts = activity.counts(session, [months for _, months in ranges], dimension)
    for (flows, _), counted in zip(ranges, counts, strict=True):
        for member in flows.keys() - counted.keys():
            counted[member] = dict.fromkeys(DISTINCT_FLAGS, 0)
        for member, measures in counted.items():
            flows.setdefault(member, dict.fromkeys(SUMMED, 0)).update(measures)
    return found


def _range_sums(session: Session, months: list[str], dimension: str) -> dict[str, Measures]:
    """The measures that add up over months, summed over `months`."""
    table = models.kpi_aggregates
    query = (
        select(table.c.member, *(func.sum(table.c[name]).label(name) for name in SUMMED))
        .where(table.c.dimension == dimension, table.c.period.in_(months))
        .group_by(table.c.member)
    )
    return {
        row.member: {name: int(row._mapping[name] or 0) for name in SUMMED}
        for row in session.execute(query)
    }


def uncounted(period: str, dimension: str) -> frozenset[str]:
    """The distinct counts the period and dimension cannot give (see the module docstring)."""
    if dimension == "channel" and periods.granularity(periods.calendar(period)) == "range":
        return frozenset(DISTINCT_FLAGS)
    return frozenset()


def _state(session: Session, period: str, dimension: str, *, earlier: bool) -> dict[str, Measures]:
    """The assignments' state as the period's last month closed with; while it is open the
    current state, unless the period is only compared against (then nothing)."""
    snapshot = _rows(
        session, models.kpi_state_snapshots, dimension, period=periods.last_month(period)
    )
    if snapshot or earlier:
        return snapshot
    return _rows(session, models.kpi_state, dimension)


def flows_of(session: Session, period: str, dimension: str) -> dict[str, Measures]:
    """The flow measures of every member of `dimension` in `period`."""
    return _flows(session, period, dimension)


def state_of(session: Session, period: str, dimension: str) -> dict[str, Measures]:
    """The assignments' state of every member as `period` ended, or now while it is open."""
    return _state(session, period, dimension, earlier=False)


def is_closed(session: Session, period: str) -> bool:
    """True when the period's last month is closed."""
    table = models.closed_periods
    month = periods.last_month(period)
    return session.scalar(select(table.c.period).where(table.c.period == month)) is not None


def targets_of(content: StrategyContent | None, dimension: str, member: str) -> Sequence[KpiTarget]:
    if content is None:
        return ()
    if dimension == "all":
        return content.kpi_targets
    if dimension == "segment":
        for segment in content.segments:
            if segment.key == member:
                return segment.kpi_targets
    return ()


def target_for(targets: Sequence[KpiTarget], kpi: str, period: str) -> Decimal | None:
    """A target named for the period itself, else the general one scaled to the period."""
    for target in targets:
        if target.kpi == kpi and target.period == period:
            return target.value
    general = next((t.value for t in targets if t.kpi == kpi and t.period is None), None)
    return board.period_target(kpis.KPIS[kpi], general, periods.months_in(period))


def bands_for(content: StrategyContent | None, kpi: str) -> board.Bands:
    if content is None:
        return board.Bands()
    chosen = content.kpi_bands.get(kpi, content.status_bands)
    return board.Bands(chosen.green_from, chosen.amber_from)


def evaluate_member(
    content: StrategyContent | None,
    dimension: str,
    member: str,
    period: str,
    *,
    now: tuple[Measures, Measures],
    before: tuple[Measures, Measures] | None,
    uncounted: frozenset[str] = frozenset(),
) -> MemberKpis:
    values = kpis.values(*now, uncounted=uncounted)
    previous = kpis.values(*before, uncounted=uncounted) if before is not None else {}
    targets = targets_of(content, dimension, member)
    return MemberKpis(
        member,
        {
            key: board.evaluate(
                definition,
                values[key],
                target_for(targets, key, period),
                previous.get(key),
                bands_for(content, key),
            )
            for key, definition in kpis.KPIS.items()
        },
    )


def build_board(session: Session, period: str, dimension: str) -> Board:
    """Every KPI of every member of `dimension` in `period`, against target and before."""
    strategy = active_strategy(session)
    content = strategy[2] if strategy else None
    previous = periods.shift(period, -1)
    flows, before_flows = _flows_of(session, [period, previous], dimension)
    state = _state(session, period, dimension, earlier=False)
    before_state = _state(session, previous, dimension, earlier=True)
    members = sorted(set(flows) | set(state))
    closed = is_closed(session, period)
    missing = uncounted(period, dimension)
    return Board(
        period=period,
        previous_period=previous,
        dimension=dimension,
        strategy=f"strategy {strategy[0]} v{strategy[1]}" if strategy else None,
        closed=closed,
        members=[
            evaluate_member(
                content,
                dimension,
                member,
                period,
                now=(flows.get(member, {}), state.get(member, {})),
                before=(before_flows.get(member, {}), before_state.get(member, {}))
                if member in before_flows or member in before_state
                else None,
                uncounted=missing,
            )
            for member in members
        ],
    )


def series(
    session: Session,
    kpi: str,
    dimension: str,
    member: str,
    *,
    last: str,
    count: int,
    current_month: str,
) -> list[tuple[str, board.Evaluation]]:
    """The KPI of one member over `count` periods ending with `last`, oldest first; a
    period that ended before `current_month` without being closed shows no state."""
    strategy = active_strategy(session)
    content = strategy[2] if strategy else None
    points = []
    earlier: Decimal | None = None
    for period in periods.series(last, count):
        flows = _flows(session, period, dimension).get(member, {})
        ended = periods.last_month(period) < current_month
        state = _state(session, period, dimension, earlier=ended).get(member, {})
        value = kpis.values(flows, state, uncounted=uncounted(period, dimension))[kpi]
        target = target_for(targets_of(content, dimension, member), kpi, period)
        evaluation = board.evaluate(kpis.KPIS[kpi], value, target, earlier, bands_for(content, kpi))
        points.append((period, evaluation))
        earlier = value
    return points
