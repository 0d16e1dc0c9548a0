"""HTTP entry points of the KPI cockpit: the board, KPI series, definitions, closing months."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from sqlalchemy.orm import Session

from services.steering import api_support, cockpit, payouts, periods_store
from services.steering.alerts import Alerts
from services.steering.cockpit_schemas import (
    ClosedPeriodRead,
    ClosedPeriods,
    CockpitRead,
    Dimension,
    KpiDefinitionRead,
    KpiDefinitions,
    KpiRead,
    KpiSeriesRead,
    MemberRead,
    PeriodClose,
    SeriesPoint,
)
from services.steering.domain import kpis, periods
from services.steering.domain.board import Evaluation
from shared.api.auth import Principal
from shared.api.deps import require
from shared.runtime import Runtime

READ_SCOPE = "customers:read"
CLOSE_SCOPE = "approve:finance"
PeriodQuery = Annotated[
    str | None,
    Query(
        pattern=periods.ANY_PERIOD_PATTERN,
        description="2026-11, 2026-Q4, 2026 or a range of months such as 2026-02..2026-07 "
        f"(at most {periods.MAX_RANGE_MONTHS} months; UTC); default the current one of "
        "`granularity`.",
    ),
]
GranularityQuery = Annotated[
    periods.Granularity, Query(description="Kind of the default period: month, quarter, year.")
]
DimensionQuery = Annotated[Dimension, Query(description="all, segment, channel, region or rep.")]
KpiPath = Annotated[str, Path(description="Key of the KPI, see GET /v1/kpis.")]
MonthPath = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="e.g. 2026-10")]


def _definition(kpi: kpis.KpiDefinition) -> KpiDefinitionRead:
    return KpiDefinitionRead(kpi=kpi.key, **{k: v for k, v in kpi.__dict__.items() if k != "key"})


def _checked(period: str) -> str:
    try:
        return periods.check_range(period)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None


def _kpi(key: str, evaluation: Evaluation, financials: bool) -> KpiRead:
    hidden = kpis.KPIS[key].unit == "amount" and not financials
    fields = evaluation.__dict__
    if hidden:
        fields = {name: None for name in fields}
    return KpiRead(kpi=key, **fields)


def cockpit_router(runtime: Runtime, alerts: Alerts) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["cockpit"], responses=api_support.PROBLEMS)
    reads = runtime.read_session_factory

    @router.get("/cockpit")
    def get_cockpit(
        principal: Annotated[Principal, Depends(require(READ_SCOPE))],
        period: PeriodQuery = None,
        granularity: GranularityQuery = "month",
        dimension: DimensionQuery = "all",
    ) -> CockpitRead:
        """Every KPI against its target, with status, previous period and trend; amounts
        need financials:read. A range is compared with the range of the same length before
        it; over a range, each customer counts once in the distinct counts (active,
        contacted, unprofitable customers served) under its current segment, region and
        owner rep, and the channel dimension has none of them (null)."""
        now = datetime.now(UTC)
        chosen = _checked(period or periods.current(now, granularity))
        board = api_support.read(reads, lambda s: cockpit.build_board(s, chosen, dimension))
        financials = principal.has("financials:read")
        return CockpitRead(
            period=board.period,
            previous_period=board.previous_period,
            dimension=board.dimension,
            strategy=board.strategy,
            closed=board.closed,
            generated_at=now,
            members=[
                MemberRead(
                    member=member.member,
                    kpis=[_kpi(k, e, financials) for k, e in member.evaluations.items()],
                )
                for member in board.members
            ],
        )

    @router.get("/kpis")
    def list_kpis(_: Annotated[Principal, Depends(require(READ_SCOPE))]) -> KpiDefinitions:
        """The definition of every KPI of the cockpit."""
        return KpiDefinitions(items=[_definition(k) for k in kpis.DEFINITIONS])

    @router.get("/kpis/{kpi}")
    def get_kpi_series(
        kpi: KpiPath,
        principal: Annotated[Principal, Depends(require(READ_SCOPE))],
        *,
        dimension: DimensionQuery = "all",
        member: Annotated[str, Query(max_length=100, description="Member; all for 'all'.")] = "all",
        granularity: GranularityQuery = "month",
        until: PeriodQuery = None,
        count: Annotated[int, Query(ge=1, le=60, description="Number of periods.")] = 12,
    ) -> KpiSeriesRead:
        """The KPI of one member over consecutive periods, each against its target; ranges
        follow each other by their own length."""
        if kpi not in kpis.KPIS:
            raise HTTPException(404, f"unknown KPI {kpi}; see GET /v1/kpis")
        now = datetime.now(UTC)
        last = _checked(until or periods.current(now, granularity))
        points = api_support.read(
            reads,
            lambda s: cockpit.series(
                s,
                kpi,
                dimension,
                member,
                last=last,
                count=count,
                current_month=periods.month_of(now),
            ),
        )
        hidden = kpis.KPIS[kpi].unit == "amount" and not principal.has("financials:read")
        return KpiSeriesRead(
            kpi=_definition(kpis.KPIS[kpi]),
            dimension=dimension,
            member=member,
            points=[
                SeriesPoint(
                    period=period,
                    value=None if hidden else e.value,
                    target=None if hidden else e.target,
                    attainment=e.attainment,
                    status=e.status,
                    trend=e.trend,
                )
                for period, e in points
            ],
        )

    @router.post("/periods/{month}/close")
    def close_period(
        month: MonthPath,
        body: PeriodClose,
        principal: Annotated[Principal, Depends(require(CLOSE_SCOPE))],
    ) -> ClosedPeriodRead:
        """Close an ended month (finance): its figures and the payouts of the periods it
        ends no longer change; late events count in the next open month, as late events."""

        def close(session: Session) -> dict[str, Any]:
            row = periods_store.close_month(session, month, principal.name, body.comment)
            payouts.freeze(session, month)
            alerts.on_close(session, month)
            return row

        row = api_support.write(runtime.session_factory, close)
        return ClosedPeriodRead.model_validate(row)

    @router.get("/periods/closed")
    def list_closed_periods(
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> ClosedPeriods:
        """The closed months, newest first."""
        rows = api_support.read(reads, periods_store.closed_months)
        return ClosedPeriods(items=[ClosedPeriodRead.model_validate(r) for r in rows])

    return router
