"""CX measures over touchpoints and journeys, filtered, with sample sizes and intervals.

Contact measures (CSAT, NPS, effort, complaints, cost, channel mix) count touchpoints;
journey measures (first-contact resolution, response and resolution times, channel
switching) count journeys begun in the period, on the channel they began on.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.experience import config_store, models
from services.experience.cells_query import cells_of
from services.experience.domain import contact_cells, measures
from services.experience.domain.cost_rates import rate_for
from services.experience.measures_schemas import (
    ChannelShare,
    DurationRead,
    EstimateRead,
    Filters,
    MeasuresRead,
)

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
    customers, complainers = session.execute(
        contacts_where(
            select(
                func.count(t.customer_id.distinct()),
                func.count(
                    case((t.touchpoint_type == "complaint", t.customer_id), else_=None).distinct()
                ),
            ),
            f,
        )
    ).one()
    contacts = total["contacts"]
    total_cost = sum((cost for _, cost in by_channel.values()), Decimal(0))
    cases = session.execute(
        journeys_where(
            select(j.started_at, j.first_response_at, j.converted_at, j.contacts_to_convert),
            f,
        ).where(j.journey_type == SERVICE_JOURNEY)
    ).all()
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
        response_time=_duration(
            [
                (c.first_response_at - c.started_at).total_seconds()
                for c in cases
                if c.first_response_at is not None
            ]
        ),
        resolution_time=_duration(
            [
                (c.converted_at - c.started_at).total_seconds()
                for c in cases
                if c.converted_at is not None
            ]
        ),
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
