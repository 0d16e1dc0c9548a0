"""CX measures over touchpoints and journeys, filtered, with sample sizes and intervals.

Contact measures (CSAT, NPS, effort, complaints, cost, channel mix) count touchpoints;
journey measures (first-contact resolution, response and resolution times, channel
switching) count journeys begun in the period, on the channel they began on.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from services.experience import config_store, models
from services.experience.cells_query import cells_of
from services.experience.domain import contact_cells, measures
from services.experience.measures_schemas import (
    ChannelShare,
    DurationRead,
    EstimateRead,
    Filters,
    MeasuresRead,
)
from shared.cost_rates import rate_for

t = models.touchpoints.c
j = models.journeys.c
s = models.customer_segments.c
SERVICE_JOURNEY = "service"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class MeasureFilter:
    period_from: datetime | None = None
    period_to: datetime | None = None
    segment: str | None = None
    channel: str | None = None
    touchpoint_type: str | None = None
    stage: str | None = None


def estimate(estimate: measures.Estimate) -> EstimateRead:
    return EstimateRead(**estimate.__dict__)


def contacts_where(statement: Any, f: MeasureFilter) -> Any:
    """`statement` over touchpoints of customers, narrowed to the filter."""
    statement = statement.where(t.customer_id.is_not(None))
    if f.segment is not None:
        statement = statement.join_from(
            models.touchpoints, models.customer_segments, s.customer_id == t.customer_id
        ).where(s.strategic_segment == f.segment)
    for column, value in (
        (t.channel, f.channel),
        (t.touchpoint_type, f.touchpoint_type),
        (t.stage, f.stage),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if f.period_from is not None:
        statement = statement.where(t.occurred_at >= f.period_from)
    if f.period_to is not None:
        statement = statement.where(t.occurred_at < f.period_to)
    return statement


def journeys_where(statement: Any, f: MeasureFilter) -> Any:
    """`statement` over journeys begun in the period, narrowed to the filter."""
    if f.segment is not None:
        statement = statement.join_from(
            models.journeys, models.customer_segments, s.customer_id == j.customer_id
        ).where(s.strategic_segment == f.segment)
    if f.channel is not None:
        statement = statement.where(j.entry_channel == f.channel)
    if f.period_from is not None:
        statement = statement.where(j.started_at >= f.period_from)
    if f.period_to is not None:
        statement = statement.where(j.started_at < f.period_to)
    return statement


def _duration(seconds: list[float]) -> DurationRead:
    return DurationRead(
        mean_seconds=sum(seconds) / len(seconds) if seconds else None,
        median_seconds=measures.median(seconds),
        sample_size=len(seconds),
    )


def _customers(session: Session, f: MeasureFilter) -> int:
    """Distinct customers with touchpoints matching the filter (a grouping, not a sort)."""
    who = contacts_where(select(t.customer_id), f).group_by(t.customer_id).subquery()
    return int(session.scalar(select(func.count()).select_from(who)) or 0)


def _seconds(session: Session, later: Any, earlier: Any) -> Any:
    """Seconds from `earlier` to `later`; computed by PostgreSQL, read as times elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", later - earlier), Float).label(later.name)
    return later


def _service_cases(session: Session, f: MeasureFilter) -> list[Any]:
    """Service journeys begun in the period: contacts to resolve, response and resolution."""
    rows = session.execute(
        journeys_where(
            select(
                j.started_at,
                j.contacts_to_convert,
                _seconds(session, j.first_response_at, j.started_at),
                _seconds(session, j.converted_at, j.started_at),
            ),
            f,
        ).where(j.journey_type == SERVICE_JOURNEY)
    )
    return [
        _Case(
            row.contacts_to_convert,
            _since(row.first_response_at, row.started_at),
            _since(row.converted_at, row.started_at),
        )
        for row in rows
    ]


def _since(later: Any, started_at: datetime) -> float | None:
    if later is None or isinstance(later, float):
        return later
    return float((later - started_at).total_seconds())


@dataclass(frozen=True)
class _Case:
    contacts_to_convert: int | None
    response: float | None
    resolution: float | None


def measures_of(session: Session, f: MeasureFilter) -> MeasuresRead:
    rates = config_store.current_rates(session)
    groups = contact_cells.grouped(cells_of(session, f), "channel", "touchpoint_type")
    total = {name: 0 for name in ("contacts", "csat_n", "satisfied", "nps_n", "effort_n")}
    total |= {"promoters": 0, "detractors": 0}
    sums = {"csat_sum": 0.0, "csat_sq": 0.0, "effort_sum": 0.0, "effort_sq": 0.0}
    by_channel: dict[str, list[Any]] = {}
    for (channel, touchpoint_type), row in groups.items():
        if not row["contacts"]:
            continue
        for name in total:
            total[name] += int(row[name])
        for name in sums:
            sums[name] += float(row[name])
        unpriced = row["contacts"] - row["cost_n"]
        cost = Decimal(row["cost_sum"]) + unpriced * rate_for(rates, channel, touchpoint_type)
        entry = by_channel.setdefault(channel, [0, Decimal(0)])
        entry[0] += row["contacts"]
        entry[1] += cost
    customers = _customers(session, f)
    complainers = 0
    if f.touchpoint_type in (None, "complaint"):
        complainers = _customers(session, replace(f, touchpoint_type="complaint"))
    contacts = total["contacts"]
    total_cost = sum((cost for _, cost in by_channel.values()), Decimal(0))
    cases = _service_cases(session, f)
    switching, journeys = session.execute(
        journeys_where(select(func.sum(case((j.channel_count > 1, 1), else_=0)), func.count()), f)
    ).one()
    return MeasuresRead(
        filters=Filters(**f.__dict__),
        contacts=contacts,
        customers=int(customers),
        csat_mean=estimate(measures.mean(sums["csat_sum"], sums["csat_sq"], total["csat_n"])),
        csat_satisfied=estimate(measures.share(total["satisfied"], total["csat_n"])),
        nps=estimate(
            measures.net_promoter_score(total["promoters"], total["detractors"], total["nps_n"])
        ),
        nps_promoters=total["promoters"],
        nps_passives=total["nps_n"] - total["promoters"] - total["detractors"],
        nps_detractors=total["detractors"],
        effort_mean=estimate(
            measures.mean(sums["effort_sum"], sums["effort_sq"], total["effort_n"])
        ),
        complaint_rate=estimate(measures.share(int(complainers), int(customers))),
        first_contact_resolution=estimate(
            measures.share(sum(1 for c in cases if c.contacts_to_convert == 1), len(cases))
        ),
        response_time=_duration([c.response for c in cases if c.response is not None]),
        resolution_time=_duration([c.resolution for c in cases if c.resolution is not None]),
        cost_per_contact=(total_cost / contacts).quantize(CENT) if contacts else None,
        total_cost=total_cost.quantize(CENT),
        channel_mix=[
            ChannelShare(
                channel=channel,
                contacts=count,
                share=estimate(measures.share(count, contacts)),
                cost=cost.quantize(CENT),
            )
            for channel, (count, cost) in sorted(by_channel.items(), key=lambda kv: -kv[1][0])
        ],
        channel_switching=estimate(measures.share(int(switching or 0), int(journeys))),
    )
