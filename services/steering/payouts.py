"""Payouts per rep and period from the rep x segment aggregates; frozen when periods close.

A closed period's payouts are computed once, when its last month closes, and read back as
they were then: later events dated in it count in the next open period (as late events), a
new strategy or plan applies from the open periods on.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.steering import aggregate_store, cockpit, models, reps
from services.steering.domain import incentives, periods
from services.steering.incentive_plans import ActivePlan, active_plans, plan_for
from services.steering.incentive_schemas import ComponentWrite
from services.steering.strategy import active_strategy
from services.steering.strategy_schemas import StrategyContent

Measures = dict[str, int]
Statement = dict[str, Any]
S = models.payout_statements


def _sum(rows: Iterable[Mapping[str, int]]) -> Measures:
    total: Measures = {}
    for row in rows:
        for name, value in row.items():
            total[name] = total.get(name, 0) + value
    return total


def _segments(component: ComponentWrite, strategy: StrategyContent | None) -> list[str] | None:
    """Segments a component measures over; None = every segment of the rep."""
    if not component.thrusts and not component.target_segments_only:
        return None
    if strategy is None:
        return []
    return [
        s.key
        for s in strategy.segments
        if (not component.thrusts or s.thrust in component.thrusts)
        and (not component.target_segments_only or s.target_segment)
    ]


class _Figures:
    """The period's rep x segment rows, split by rep."""

    def __init__(self, session: Session, period: str) -> None:
        previous = periods.shift(period, -1)
        self.flows = _by_rep(cockpit.flows_of(session, period, "rep_segment"))
        self.before = _by_rep(cockpit.flows_of(session, previous, "rep_segment"))
        self.state = _by_rep(cockpit.state_of(session, period, "rep_segment"))
        self.late = {
            rep: measures.get("late_events", 0)
            for rep, measures in cockpit.flows_of(session, period, "rep").items()
        }

    def scope(self, rep: str, segments: list[str] | None) -> incentives.Scope:
        def pick(rows: dict[str, dict[str, Measures]]) -> Measures:
            mine = rows.get(rep, {})
            wanted = mine if segments is None else {k: v for k, v in mine.items() if k in segments}
            return _sum(wanted.values())

        described = "all segments" if segments is None else ", ".join(segments) or "no segment"
        return incentives.Scope(pick(self.flows), pick(self.state), pick(self.before), described)


def _by_rep(rows: dict[str, Measures]) -> dict[str, dict[str, Measures]]:
    split: dict[str, dict[str, Measures]] = {}
    for member, measures in rows.items():
        rep, _, segment = member.rpartition("|")
        split.setdefault(rep, {})[segment] = measures
    return split


def _statement(
    plan: ActivePlan,
    rep_id: str,
    period: str,
    figures: _Figures,
    strategy: StrategyContent | None,
) -> Statement:
    months = periods.months_in(period)
    bonus = plan.content.on_target_bonus * months
    lines = []
    for written, component in zip(plan.content.components, plan.components(), strict=True):
        segments = _segments(written, strategy)
        scope = figures.scope(rep_id, segments)
        value = incentives.measure(component.metric, scope)
        line = incentives.component_line(component, value, bonus, months, scope.description)
        shown = segments if segments is not None else sorted(figures.flows.get(rep_id, {}))
        lines.append({**line.__dict__, "segments": shown})
    paid = [
        incentives.PayoutLine(**{k: v for k, v in ln.items() if k != "segments"}) for ln in lines
    ]
    return {
        "rep_id": rep_id,
        "period": period,
        "plan_id": plan.plan_id,
        "plan_version": plan.version,
        "on_target_bonus": bonus,
        "total": incentives.total(paid),
        "late_events": figures.late.get(rep_id, 0),
        "computed_at": datetime.now(UTC),
        "lines": lines,
    }


def compute(
    session: Session, period: str, rep_id: str | None = None
) -> tuple[list[Statement], list[str]]:
    """Payouts of every rep (or one) in `period` from the figures now; and reps without plan."""
    plans = active_plans(session)
    strategy = active_strategy(session)
    content = strategy[2] if strategy else None
    figures = _Figures(session, period)
    known = {row["rep_id"]: row for row in reps.listed(session)}
    counted = {rep for rep in cockpit.flows_of(session, period, "rep") if rep != "unassigned"}
    wanted = [rep_id] if rep_id is not None else sorted(set(known) | counted)
    statements, unplanned = [], []
    for rep in wanted:
        plan = plan_for(plans, (known.get(rep) or {}).get("team"))
        if plan is None:
            unplanned.append(rep)
            continue
        statements.append(_statement(plan, rep, period, figures, content))
    return statements, unplanned


def freeze(session: Session, month: str) -> None:
    """Keep the payouts of every period the closed `month` ends (month, quarter, year)."""
    for period in periods.enclosing(month):
        if not cockpit.is_closed(session, period):
            continue
        statements, _ = compute(session, period)
        rows = [
            {
                "period": period,
                "rep_id": s["rep_id"],
                "plan_id": s["plan_id"],
                "plan_version": s["plan_version"],
                "total": s["total"],
                "statement": _as_json(s),
                "computed_at": s["computed_at"],
            }
            for s in statements
        ]
        aggregate_store.upsert(session, S, rows)


def payouts(
    session: Session, period: str, rep_id: str | None
) -> tuple[list[Statement], list[str], bool]:
    """The payouts of `period`: as frozen when it closed, else computed now (provisional)."""
    if not cockpit.is_closed(session, period):
        statements, unplanned = compute(session, period, rep_id)
        return statements, unplanned, False
    query = select(S).where(S.c.period == period).order_by(S.c.rep_id)
    if rep_id is not None:
        query = query.where(S.c.rep_id == rep_id)
    frozen = [dict(row.statement) for row in session.execute(query)]
    if rep_id is not None and not frozen:
        statements, unplanned = compute(session, period, rep_id)
        return statements, unplanned, True
    return frozen, [], True


def _as_json(statement: Statement) -> Statement:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(statement)  # type: ignore[no-any-return]
