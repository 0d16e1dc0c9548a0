"""HTTP entry point of alerts, and the board-level KPIs as Prometheus gauges."""

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from services.steering import alerts, api_support, cockpit
from services.steering.domain import periods
from shared.api.auth import Principal
from shared.api.deps import require
from shared.runtime import Runtime

READ_SCOPE = "customers:read"
GAUGED_KPIS = (
    "revenue",
    "contribution_margin_3",
    "active_customers",
    "churn_rate",
    "discount_rate",
    "nps",
    "treatment_coverage",
    "target_segment_revenue_share",
)
AlertKind = Literal["kpi_red", "customer_at_risk", "segment_growing"]


class AlertRead(BaseModel):
    alert_id: str = Field(description="Id of the alert.")
    kind: AlertKind = Field(
        description="kpi_red (a KPI's status turned red), customer_at_risk (a high-value "
        "customer moved to at_risk) or segment_growing (an unprofitable segment gained "
        "customers)."
    )
    subject: str = Field(description="The KPI, customer id or segment concerned.")
    message: str = Field(description="What happened, in words.")
    severity: Literal["info", "warning", "critical"] = Field(description="How urgent.")
    raised_at: datetime = Field(description="When it was raised (UTC).")


class AlertList(BaseModel):
    items: list[AlertRead] = Field(description="Alerts, newest first.")


def alerts_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["alerts"], responses=api_support.PROBLEMS)

    @router.get("/alerts")
    def list_alerts(
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
        kind: Annotated[AlertKind | None, Query(description="Only this kind.")] = None,
        since: Annotated[datetime | None, Query(description="Raised at or after (UTC).")] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
    ) -> AlertList:
        """Raised alerts, newest first."""
        rows = api_support.read(
            runtime.read_session_factory,
            lambda s: alerts.listed(s, kind=kind, since=since, limit=limit),
        )
        return AlertList(items=[AlertRead.model_validate(row) for row in rows])

    return router


class BoardCollector(Collector):
    """The current month's board-level KPIs over all customers, read at scrape time."""

    def __init__(self, service: str, read: Callable[[], dict[str, tuple[float, float]]]) -> None:
        self._service = service
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            figures = self._read()
        except Exception:  # a scrape must not fail because the database is briefly away
            return
        value = GaugeMetricFamily(
            f"{self._service}_kpi_value", "Board-level KPI this month (all).", labels=["kpi"]
        )
        attained = GaugeMetricFamily(
            f"{self._service}_kpi_attainment",
            "Attainment of the KPI's target this month (1 = on target).",
            labels=["kpi"],
        )
        for kpi, (figure, attainment) in figures.items():
            value.add_metric([kpi], figure)
            if not math.isnan(attainment):  # NaN when the KPI has no target
                attained.add_metric([kpi], attainment)
        yield value
        yield attained


def _board_reader(reads: sessionmaker[Session]) -> Callable[[], dict[str, tuple[float, float]]]:
    def read() -> dict[str, tuple[float, float]]:
        month = periods.current(datetime.now(UTC), "month")
        with reads() as session:
            board = cockpit.build_board(session, month, "all")
        evaluations = board.members[0].evaluations if board.members else {}
        figures = {}
        for kpi in GAUGED_KPIS:
            evaluation = evaluations.get(kpi)
            if evaluation is None or evaluation.value is None:
                continue
            attainment = evaluation.attainment
            figures[kpi] = (
                float(evaluation.value),
                float(attainment) if attainment is not None else float("nan"),
            )
        return figures

    return read


_registered: set[str] = set()


def register_board_gauges(runtime: Runtime) -> None:
    """Expose the board-level KPIs at /metrics (once per process)."""
    if runtime.service in _registered:
        return
    REGISTRY.register(BoardCollector(runtime.service, _board_reader(runtime.read_session_factory)))
    _registered.add(runtime.service)
