"""HTTP entry points of segmentation: runs, segments, one customer, configuration."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.segmentation import config_store, ledger, models, run_store
from services.segmentation.customer_view import customer_segmentation
from services.segmentation.rescoring import ModelCache
from services.segmentation.schemas import (
    ConfigHistory,
    ConfigRead,
    ConfigWrite,
    CustomerSegmentation,
    RunCreate,
    RunList,
    RunProgress,
    RunRead,
    SegmentRead,
    SegmentsRead,
)
from shared.api.auth import Principal
from shared.api.deps import CustomerIdPath, require
from shared.api.problems import PROBLEM_CONTENT_TYPE, Problem

READ = "customers:read"
WRITE = "strategy:write"
RunIdPath = Annotated[str, Path(min_length=1, max_length=64, description="Id of the run.")]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_CONTENT_TYPE: {}}}
    for status in (401, 403, 404, 409, 422)
}


def _run(row: dict[str, Any]) -> RunRead:
    total = row["total"]
    return RunRead(
        run_id=row["run_id"],
        status=row["status"],
        progress=RunProgress(
            phase=row["phase"],
            done=row["done"],
            total=total,
            percent=round(100.0 * row["done"] / total, 1) if total else 0.0,
        ),
        as_of=row["as_of"],
        live=bool(row["live"]),
        trigger=row["trigger"],
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        error=row["error"],
        summary=row["summary"],
    )


def _config(version: config_store.ConfigVersion) -> ConfigRead:
    return ConfigRead(**version.__dict__)


def segmentation_router(
    sessions: sessionmaker[Session], reads: sessionmaker[Session], models_: ModelCache
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["segmentation"], responses=PROBLEMS)

    @router.post("/runs", status_code=202)
    def start_run(
        body: RunCreate, principal: Annotated[Principal, Depends(require(WRITE))]
    ) -> RunRead:
        """Start a full run in the background (409 while another one is queued or running)."""
        if body.as_of is not None and body.as_of > datetime.now(UTC):
            raise HTTPException(422, "as_of must not be in the future")
        try:
            with sessions() as session, session.begin():
                run_id = run_store.request_run(
                    session,
                    trigger="api",
                    requested_by=principal.name,
                    as_of=body.as_of,
                    refuse_if_active=True,
                )
                assert run_id is not None
                row = run_store.get_run(session, run_id)
        except run_store.RunConflictError as conflict:
            raise HTTPException(
                409, f"run {conflict.active_run_id} is {conflict.status}; runs never overlap"
            ) from None
        assert row is not None
        return _run(row)

    @router.get("/runs")
    def list_runs(
        _: Annotated[Principal, Depends(require(READ))],
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> RunList:
        """The latest runs, newest first."""
        with reads() as session:
            return RunList(runs=[_run(row) for row in run_store.list_runs(session, limit)])

    @router.get("/runs/{run_id}")
    def get_run(run_id: RunIdPath, _: Annotated[Principal, Depends(require(READ))]) -> RunRead:
        """Phase and progress of a run, and its summary when done."""
        with reads() as session:
            row = run_store.get_run(session, run_id)
        if row is None:
            raise HTTPException(404, f"run {run_id} does not exist")
        return _run(row)

    @router.get("/segments")
    def list_segments(_: Annotated[Principal, Depends(require(READ))]) -> SegmentsRead:
        """Strategic segments: definition, portfolio cells and current size."""
        with reads() as session:
            portfolio = config_store.portfolio_of(config_store.active_strategy(session))
            a = models.assignments.c
            sizes = {
                row[0]: (row[1], ledger.amount(int(row[2] or 0)))
                for row in session.execute(
                    select(
                        a.strategic_segment, func.count(), func.sum(a.contribution_margin_3_12m)
                    ).group_by(a.strategic_segment)
                )
            }
            model = models_.current(session)
        return SegmentsRead(
            portfolio=portfolio.source,
            model_version=model.version if model else None,
            segments=[
                SegmentRead(
                    key=key,
                    name=portfolio.names.get(key, key),
                    thrust=thrust,
                    cells=[
                        f"{value} value x {potential} potential"
                        for (value, potential), segment in portfolio.cells.items()
                        if segment == key
                    ],
                    customers=sizes.get(key, (0, Decimal("0.00")))[0],
                    contribution_margin_3_12m=sizes.get(key, (0, Decimal("0.00")))[1],
                )
                for key, thrust in portfolio.segments.items()
            ],
            lifecycle_overrides=[
                f"{stage} with value {', '.join(sorted(tiers))} → {segment}"
                for stage, tiers, segment in portfolio.overrides
            ],
        )

    @router.get("/customers/{customer_id}")
    def get_customer(
        customer_id: CustomerIdPath, principal: Annotated[Principal, Depends(require(READ))]
    ) -> CustomerSegmentation:
        """The customer as known here, features measured now, and its assignment with reasons."""
        with reads() as session:
            view = customer_segmentation(
                session,
                customer_id,
                models_,
                financials=principal.has("financials:read"),
                personal_data=principal.has("pii:read"),
            )
        if view is None:
            raise HTTPException(404, f"customer {customer_id} is not known here")
        return view

    @router.get("/config")
    def get_config(_: Annotated[Principal, Depends(require(READ))]) -> ConfigRead:
        """The configuration in force: tiers, rules, features, k range, horizon, rate."""
        with reads() as session:
            return _config(config_store.current_config(session))

    @router.put("/config")
    def put_config(
        body: ConfigWrite, principal: Annotated[Principal, Depends(require(WRITE))]
    ) -> ConfigRead:
        """Store a new version of the configuration; the next run and re-scores use it."""
        with sessions() as session, session.begin():
            saved = config_store.save_config(
                session, body.config, changed_by=principal.name, comment=body.comment
            )
        return _config(saved)

    @router.get("/config/history")
    def config_history(_: Annotated[Principal, Depends(require(READ))]) -> ConfigHistory:
        """Every stored configuration version, newest first, with who changed it and why."""
        with reads() as session:
            return ConfigHistory(
                versions=[_config(v) for v in config_store.config_history(session)]
            )

    return router
