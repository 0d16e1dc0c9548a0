"""Funnel, paths and journey map over the journeys and touchpoints, filtered like measures."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.experience import config_store, models
from services.experience.analytics_schemas import (
    FunnelGroup,
    FunnelRead,
    FunnelStepRead,
    JourneyMapRead,
    MapCell,
    MapStage,
    PathRead,
    PathsRead,
)
from services.experience.cells_query import cells_of
from services.experience.domain import contact_cells, measures
from services.experience.domain.definitions import JourneyDefinition
from services.experience.domain.funnel import funnel_steps
from services.experience.measures_query import (
    CENT,
    MeasureFilter,
    estimate,
    journeys_where,
)
from services.experience.measures_schemas import Filters
from services.experience.step_medians import step_medians
from shared.cost_rates import rate_for

t = models.touchpoints.c
j = models.journeys.c
s = models.customer_segments.c
js = models.journey_steps.c


class UnknownJourneyTypeError(LookupError):
    """No journey definition has the type asked for."""


def definition_of(session: Session, journey_type: str) -> JourneyDefinition:
    for definition in config_store.current_definitions(session).definitions:
        if definition.journey_type == journey_type:
            return definition
    raise UnknownJourneyTypeError(journey_type)


def funnel_of(session: Session, f: MeasureFilter, journey_type: str, by: str | None) -> FunnelRead:
    definition = definition_of(session, journey_type)
    reached = _reached(session, f, journey_type, by)
    medians = step_medians(session, f, journey_type, by)
    groups = []
    for group, at_index in sorted(reached.items(), key=lambda kv: -sum(kv[1].values())):
        count = [
            sum(n for at, n in at_index.items() if at >= i) for i in range(len(definition.stages))
        ]
        median_of = medians.get(group, {})
        steps = funnel_steps(
            definition.stages, count, [median_of.get(i) for i in range(len(definition.stages))]
        )
        groups.append(
            FunnelGroup(
                group=group,
                journeys=count[0],
                steps=[
                    FunnelStepRead(
                        stage=step.stage,
                        reached=step.reached,
                        share_of_start=estimate(step.share_of_start),
                        conversion_from_previous=(
                            estimate(step.conversion_from_previous)
                            if step.conversion_from_previous is not None
                            else None
                        ),
                        median_seconds_from_previous=step.median_seconds_from_previous,
                    )
                    for step in steps
                ],
            )
        )
    return FunnelRead(
        journey_type=journey_type, by=by, filters=Filters(**f.__dict__), groups=groups
    )


def _reached(
    session: Session, f: MeasureFilter, journey_type: str, by: str | None
) -> dict[str | None, dict[int, int]]:
    """Journeys per group and current stage index."""
    group_column: Any = {"segment": s.strategic_segment, "channel": j.entry_channel}.get(by or "")
    columns = [j.stage_index] if group_column is None else [j.stage_index, group_column]
    statement = select(*columns, func.count().label("journeys"))
    if by == "segment" and f.segment is None:
        statement = statement.join_from(
            models.journeys, models.customer_segments, s.customer_id == j.customer_id
        )
    statement = journeys_where(statement, f).where(j.journey_type == journey_type)
    found: dict[str | None, dict[int, int]] = defaultdict(dict)
    for row in session.execute(statement.group_by(*columns)):
        found[row[1] if group_column is not None else None][row.stage_index] = row.journeys
    return found


def paths_of(session: Session, f: MeasureFilter, journey_type: str, limit: int) -> PathsRead:
    definition_of(session, journey_type)
    outcomes: dict[str, list[PathRead]] = {}
    for status in ("converted", "abandoned"):
        base = journeys_where(select(func.count()), f).where(
            j.journey_type == journey_type, j.status == status
        )
        total = session.scalar(base) or 0
        rows = session.execute(
            journeys_where(select(j.path, func.count().label("journeys")), f)
            .where(j.journey_type == journey_type, j.status == status)
            .group_by(j.path)
            .order_by(func.count().desc(), j.path)
            .limit(limit)
        )
        outcomes[status] = [
            PathRead(
                path=row.path.split(">"),
                journeys=row.journeys,
                share=estimate(measures.share(row.journeys, total)),
            )
            for row in rows
        ]
    return PathsRead(
        journey_type=journey_type,
        filters=Filters(**f.__dict__),
        converted=outcomes["converted"],
        abandoned=outcomes["abandoned"],
    )


def journey_map_of(session: Session, f: MeasureFilter, journey_type: str) -> JourneyMapRead:
    definition = definition_of(session, journey_type)
    rates = config_store.current_rates(session)
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    kinds = contact_cells.grouped(
        cells_of(session, f, journey_type), "stage", "channel", "touchpoint_type"
    )
    for (stage, channel, touchpoint_type), row in kinds.items():
        if not row["contacts"]:
            continue
        cell = cells.setdefault((stage, channel), defaultdict(float))
        for name in ("contacts", "csat_n", "csat_sum", "csat_sq", "nps_n"):
            cell[name] += float(row[name])
        cell["promoters"] += int(row["promoters"])
        cell["detractors"] += int(row["detractors"])
        unpriced = row["contacts"] - row["cost_n"]
        price = rate_for(rates, channel, touchpoint_type)
        cell["cost"] = Decimal(cell.get("cost") or 0) + Decimal(row["cost_sum"]) + unpriced * price
    at_stage = dict(
        session.execute(
            journeys_where(select(j.stage_index, func.count()), f)
            .where(j.journey_type == journey_type)
            .group_by(j.stage_index)
        ).all()
    )
    abandoned_at = dict(
        session.execute(
            journeys_where(select(j.stage_index, func.count()), f)
            .where(j.journey_type == journey_type, j.status == "abandoned")
            .group_by(j.stage_index)
        ).all()
    )
    stages = []
    for index, stage in enumerate(definition.stages):
        reached = sum(count for at, count in at_stage.items() if at >= index)
        dropped = abandoned_at.get(index, 0)
        stages.append(
            MapStage(
                stage=stage, journeys=reached, drop_off=estimate(measures.share(dropped, reached))
            )
        )
    order = {stage: index for index, stage in enumerate(definition.stages)}
    return JourneyMapRead(
        journey_type=journey_type,
        filters=Filters(**f.__dict__),
        stages=stages,
        cells=[
            MapCell(
                stage=stage,
                channel=channel,
                contacts=int(cell["contacts"]),
                csat_mean=estimate(
                    measures.mean(cell["csat_sum"], cell["csat_sq"], int(cell["csat_n"]))
                ),
                nps=estimate(
                    measures.net_promoter_score(
                        int(cell["promoters"]), int(cell["detractors"]), int(cell["nps_n"])
                    )
                ),
                cost=Decimal(cell["cost"]).quantize(CENT),
            )
            for (stage, channel), cell in sorted(
                cells.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1])
            )
        ],
    )
