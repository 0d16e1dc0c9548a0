"""Pain points from the touchpoint cells; moments of truth from each contact's next purchase."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Interval, case, func, literal, select
from sqlalchemy.orm import Session

from services.experience import models
from services.experience.cells_query import cells_of
from services.experience.domain import contact_cells, measures, moments, pain_points
from services.experience.domain.pain_points import Targets
from services.experience.insights_schemas import (
    LiftRead,
    MomentRead,
    MomentsRead,
    PainPointRead,
    PainPointsRead,
    TargetsRead,
)
from services.experience.measures_query import CENT, MeasureFilter, estimate
from services.experience.measures_schemas import Filters

t = models.touchpoints.c
s = models.customer_segments.c
PURCHASE = "purchase"


def pain_points_of(
    session: Session, f: MeasureFilter, targets: Targets, limit: int, financials: bool
) -> PainPointsRead:
    kinds = contact_cells.grouped(cells_of(session, f), "touchpoint_type", "channel")
    found = []
    for (touchpoint_type, channel), row in kinds.items():
        csat = measures.mean(float(row["csat_sum"]), float(row["csat_sq"]), int(row["csat_n"]))
        nps = measures.net_promoter_score(
            int(row["promoters"]), int(row["detractors"]), int(row["nps_n"])
        )
        gap = pain_points.experience_gap(csat.value, nps.value, targets)
        if not row["contacts"] or not gap:
            continue
        margin = pain_points.margin_per_contact(row["margin_sum"], int(row["margin_n"]))
        impact = pain_points.impact(int(row["contacts"]), gap, margin)
        found.append(
            (touchpoint_type, channel, int(row["contacts"]), csat, nps, gap, margin, impact)
        )
    found.sort(key=lambda p: (*pain_points.rank_key(p[2], p[5], p[7]), p[0], p[1]))
    result = []
    for touchpoint_type, channel, contacts, csat, nps, gap, margin, impact in found[:limit]:
        customers, with_margin, margin_total = _affected(session, f, touchpoint_type, channel)
        result.append(
            PainPointRead(
                touchpoint_type=touchpoint_type,
                channel=channel,
                contacts=contacts,
                csat_mean=estimate(csat),
                nps=estimate(nps),
                gap=gap,
                margin_per_contact=_money(margin) if financials else None,
                impact=_money(impact) if financials else None,
                customers_affected=customers,
                customers_with_margin=with_margin,
                customers_margin=_money(margin_total) if financials else None,
            )
        )
    return PainPointsRead(
        filters=Filters(**f.__dict__),
        targets=TargetsRead(csat=targets.csat, nps=targets.nps),
        pain_points=result,
    )


def _money(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else Decimal(amount).quantize(CENT)


def _affected(
    session: Session, f: MeasureFilter, touchpoint_type: str, channel: str
) -> tuple[int, int, Decimal]:
    """Distinct customers with such contacts, those with a margin, and their margins summed."""
    who = select(t.customer_id).where(
        t.touchpoint_type == touchpoint_type, t.channel == channel, t.customer_id.is_not(None)
    )
    if f.segment is not None:
        who = who.join_from(
            models.touchpoints, models.customer_segments, s.customer_id == t.customer_id
        ).where(s.strategic_segment == f.segment)
    if f.stage is not None:
        who = who.where(t.stage == f.stage)
    if f.period_from is not None:
        who = who.where(t.occurred_at >= f.period_from)
    if f.period_to is not None:
        who = who.where(t.occurred_at < f.period_to)
    affected = who.distinct().subquery()
    customers, with_margin, total = session.execute(
        select(
            func.count(),
            func.count(s.contribution_margin_3_12m),
            func.coalesce(func.sum(s.contribution_margin_3_12m), 0),
        ).select_from(
            affected.outerjoin(models.customer_segments, s.customer_id == affected.c.customer_id)
        )
    ).one()
    return int(customers), int(with_margin), Decimal(total)


def moments_of(
    session: Session, f: MeasureFilter, window_days: int, min_contacts: int, now: datetime
) -> MomentsRead:
    observed_until = now - timedelta(days=window_days)
    if f.period_to is not None:
        observed_until = min(observed_until, f.period_to)
    by_type = {
        row.touchpoint_type: (int(row.bought), int(row.contacts))
        for row in session.execute(_observations(session, f, window_days, observed_until))
    }
    base, found = moments.moments_of_truth(by_type, min_contacts)
    return MomentsRead(
        filters=Filters(**f.__dict__),
        window_days=window_days,
        observed_until=observed_until,
        min_contacts=min_contacts,
        base_rate=estimate(base),
        moments=[
            MomentRead(
                touchpoint_type=m.touchpoint_type,
                contacts=m.contacts,
                bought_again=estimate(m.bought_again),
                lapsed=estimate(m.lapsed),
                buy_lift=LiftRead(**m.buy_lift.__dict__),
                lapse_lift=LiftRead(**m.lapse_lift.__dict__),
                verdict=m.verdict,
            )
            for m in found
        ],
    )


def _observations(session: Session, f: MeasureFilter, window_days: int, until: datetime) -> Any:
    """Per touchpoint type: contacts observed, and those followed by a purchase in the window."""
    next_purchase = func.min(case((t.touchpoint_type == PURCHASE, t.occurred_at))).over(
        partition_by=t.customer_id, order_by=(t.occurred_at, t.touchpoint_key), rows=(1, None)
    )
    contacts = select(
        t.customer_id,
        t.occurred_at,
        t.channel,
        t.touchpoint_type,
        t.stage,
        next_purchase.label("next_purchase"),
    ).where(t.customer_id.is_not(None))
    if f.period_from is not None:
        contacts = contacts.where(t.occurred_at >= f.period_from)
    c = contacts.subquery()
    if session.get_bind().dialect.name == "postgresql":
        window = literal(timedelta(days=window_days), Interval())
        within = c.c.next_purchase <= c.c.occurred_at + window
    else:
        within = func.julianday(c.c.next_purchase) - func.julianday(c.c.occurred_at) <= (
            window_days
        )
    statement = select(
        c.c.touchpoint_type,
        func.count().label("contacts"),
        func.coalesce(func.sum(case((within, 1), else_=0)), 0).label("bought"),
    ).where(c.c.occurred_at < until)
    if f.segment is not None:
        statement = statement.join_from(
            c, models.customer_segments, s.customer_id == c.c.customer_id
        ).where(s.strategic_segment == f.segment)
    for column, value in (
        (c.c.channel, f.channel),
        (c.c.touchpoint_type, f.touchpoint_type),
        (c.c.stage, f.stage),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return statement.group_by(c.c.touchpoint_type)
