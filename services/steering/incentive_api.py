"""HTTP entry points of reps, incentive plans (edit, approve, read) and payouts."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from services.steering import api_support, payouts, reps
from services.steering.document_schemas import (
    ApprovalWrite,
    AuditEntryRead,
    AuditTrail,
    DocumentRead,
    VersionList,
    VersionRead,
)
from services.steering.documents import ApprovedDocuments
from services.steering.domain import periods
from services.steering.incentive_schemas import (
    IncentivePlanContent,
    PayoutList,
    PayoutRead,
    RepList,
    RepRead,
    RepWrite,
)
from shared.api.auth import Principal
from shared.api.deps import CurrentPrincipal, require
from shared.approvals import Actor, approving_department
from shared.runtime import Runtime

EDIT_SCOPE = "strategy:write"
READ_SCOPE = "customers:read"
PAYOUT_SCOPE = "financials:read"
PlanPath = Annotated[
    str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9_-]+$", description="Plan id.")
]
VersionPath = Annotated[int, Path(ge=1, description="Version number of the plan.")]
PlanRead = DocumentRead[IncentivePlanContent]
PlanVersionRead = VersionRead[IncentivePlanContent]


def reps_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/reps", tags=["reps"], responses=api_support.PROBLEMS)

    @router.post("")
    def register_rep(
        body: RepWrite, _: Annotated[Principal, Depends(require(EDIT_SCOPE))]
    ) -> RepRead:
        """Register a rep or change its name, team and region."""
        fields = body.model_dump(exclude={"rep_id"})
        row = api_support.write(
            runtime.session_factory, lambda s: reps.register(s, body.rep_id, fields)
        )
        return RepRead.model_validate(row)

    @router.get("")
    def list_reps(
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
        team: Annotated[str | None, Query(max_length=100, description="Only this team.")] = None,
        region: Annotated[
            str | None, Query(max_length=100, description="Only this region.")
        ] = None,
    ) -> RepList:
        """Every rep, registered or learned from customers' owner rep."""
        rows = api_support.read(
            runtime.read_session_factory, lambda s: reps.listed(s, team, region)
        )
        return RepList(items=[RepRead.model_validate(row) for row in rows])

    @router.get("/{rep_id}")
    def get_rep(
        rep_id: Annotated[str, Path(max_length=100, description="Id of the rep.")],
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> RepRead:
        """One rep."""
        row = api_support.read(runtime.read_session_factory, lambda s: reps.get(s, rep_id))
        if row is None:
            raise HTTPException(404, f"rep {rep_id} is not known")
        return RepRead.model_validate(row)

    return router


def incentive_plans_router(runtime: Runtime, documents: ApprovedDocuments) -> APIRouter:
    router = APIRouter(
        prefix="/v1/incentive-plans", tags=["incentives"], responses=api_support.PROBLEMS
    )
    sessions, reads = runtime.session_factory, runtime.read_session_factory

    @router.get("")
    def list_plans(_: Annotated[Principal, Depends(require(READ_SCOPE))]) -> list[PlanRead]:
        """Every incentive plan with its active version and draft."""
        states = api_support.read(reads, documents.states)
        return [PlanRead.model_validate(state) for state in states]

    @router.get("/{plan_id}")
    def get_plan(
        plan_id: PlanPath, _: Annotated[Principal, Depends(require(READ_SCOPE))]
    ) -> PlanRead:
        """The plan in force, the draft under review and the approvals it still needs."""
        return PlanRead.model_validate(
            api_support.read(reads, lambda s: documents.state(s, plan_id))
        )

    @router.put("/{plan_id}")
    def edit_plan(
        plan_id: PlanPath,
        body: IncentivePlanContent,
        principal: Annotated[Principal, Depends(require(EDIT_SCOPE))],
    ) -> PlanRead:
        """Create or change the plan's draft; after any approval this starts a new version."""
        actor = Actor(principal.name, principal.department)
        content = body.model_dump(mode="json")
        state = api_support.write(sessions, lambda s: documents.edit(s, plan_id, content, actor))
        return PlanRead.model_validate(state)

    @router.post("/{plan_id}/versions/{version}/approvals")
    def approve_plan(
        plan_id: PlanPath, version: VersionPath, body: ApprovalWrite, principal: CurrentPrincipal
    ) -> PlanRead:
        """Approve the draft for a department (approve:<department>); the last missing
        approval activates it."""
        department, scope = approving_department(principal.department, body.department)
        if not principal.has(scope):
            raise HTTPException(403, f"the API key lacks the scope {scope}")
        actor = Actor(principal.name, department)
        state = api_support.write(
            sessions, lambda s: documents.approve(s, plan_id, version, actor, body.comment)
        )
        return PlanRead.model_validate(state)

    @router.get("/{plan_id}/versions")
    def list_plan_versions(
        plan_id: PlanPath, _: Annotated[Principal, Depends(require(READ_SCOPE))]
    ) -> VersionList[IncentivePlanContent]:
        """Every version of the plan with its approvals, oldest first."""
        versions = api_support.read(reads, lambda s: documents.history(s, plan_id))
        return VersionList[IncentivePlanContent](
            items=[PlanVersionRead.model_validate(v) for v in versions]
        )

    @router.get("/{plan_id}/audit")
    def get_plan_audit(
        plan_id: PlanPath, _: Annotated[Principal, Depends(require(READ_SCOPE))]
    ) -> AuditTrail:
        """Every change and approval of the plan: who, when, what."""
        entries = api_support.read(reads, lambda s: documents.audit(s, plan_id))
        return AuditTrail(items=[AuditEntryRead.model_validate(e) for e in entries])

    return router


def payouts_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["incentives"], responses=api_support.PROBLEMS)

    @router.get("/payouts")
    def get_payouts(
        _: Annotated[Principal, Depends(require(PAYOUT_SCOPE))],
        period: Annotated[
            str | None,
            Query(
                pattern=periods.PERIOD_PATTERN,
                description="2026-11, 2026-Q4 or 2026 (UTC); default the current month.",
            ),
        ] = None,
        rep: Annotated[str | None, Query(max_length=100, description="Only this rep.")] = None,
    ) -> PayoutList:
        """Payouts per rep with one line per component saying how the figure came about;
        final (kept as computed at closing) once the period is closed."""
        chosen = period or periods.current(datetime.now(UTC), "month")
        statements, unplanned, final = api_support.read(
            runtime.read_session_factory, lambda s: payouts.payouts(s, chosen, rep)
        )
        status = "final" if final else "provisional"
        return PayoutList(
            items=[PayoutRead.model_validate({**s, "status": status}) for s in statements],
            unplanned_reps=unplanned,
        )

    return router
