"""HTTP entry points of the sales strategy: edit, approve, read, versions, audit trail."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from services.steering import api_support
from services.steering.document_schemas import (
    ApprovalWrite,
    AuditEntryRead,
    AuditTrail,
    DocumentRead,
    VersionList,
    VersionRead,
)
from services.steering.documents import ApprovedDocuments
from services.steering.strategy_schemas import StrategyContent
from shared.api.auth import Principal
from shared.api.deps import CurrentPrincipal, require
from shared.approvals import Actor, approving_department
from shared.runtime import Runtime

EDIT_SCOPE = "strategy:write"
READ_SCOPE = "customers:read"
VersionPath = Annotated[int, Path(ge=1, description="Version number of the strategy.")]
StrategyRead = DocumentRead[StrategyContent]
StrategyVersionRead = VersionRead[StrategyContent]


def strategy_router(runtime: Runtime, documents: ApprovedDocuments, strategy_id: str) -> APIRouter:
    router = APIRouter(prefix="/v1/strategy", tags=["strategy"], responses=api_support.PROBLEMS)
    sessions, reads = runtime.session_factory, runtime.read_session_factory

    @router.get("")
    def get_strategy(_: Annotated[Principal, Depends(require(READ_SCOPE))]) -> StrategyRead:
        """The strategy in force, the draft under review and the approvals it still needs."""
        state = api_support.read(reads, lambda s: documents.state(s, strategy_id))
        return StrategyRead.model_validate(state)

    @router.put("")
    def edit_strategy(
        body: StrategyContent,
        principal: Annotated[Principal, Depends(require(EDIT_SCOPE))],
    ) -> StrategyRead:
        """Create or change the draft; once anyone approved it, this starts a new version."""
        actor = Actor(principal.name, principal.department)
        content = body.model_dump(mode="json")
        state = api_support.write(
            sessions, lambda s: documents.edit(s, strategy_id, content, actor)
        )
        return StrategyRead.model_validate(state)

    @router.post("/versions/{version}/approvals")
    def approve_strategy(
        version: VersionPath, body: ApprovalWrite, principal: CurrentPrincipal
    ) -> StrategyRead:
        """Approve the draft for a department (needs approve:<department>); the last missing
        approval activates it and publishes strategy.published."""
        department, scope = approving_department(principal.department, body.department)
        if not principal.has(scope):
            raise HTTPException(403, f"the API key lacks the scope {scope}")
        actor = Actor(principal.name, department)
        state = api_support.write(
            sessions,
            lambda s: documents.approve(s, strategy_id, version, actor, body.comment),
        )
        return StrategyRead.model_validate(state)

    @router.get("/versions")
    def list_strategy_versions(
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> VersionList[StrategyContent]:
        """Every version of the strategy with its approvals, oldest first."""
        versions = api_support.read(reads, lambda s: documents.history(s, strategy_id))
        return VersionList[StrategyContent](
            items=[StrategyVersionRead.model_validate(v) for v in versions]
        )

    @router.get("/audit")
    def get_strategy_audit(_: Annotated[Principal, Depends(require(READ_SCOPE))]) -> AuditTrail:
        """Every change and approval of the strategy: who, when, what."""
        entries = api_support.read(reads, lambda s: documents.audit(s, strategy_id))
        return AuditTrail(items=[AuditEntryRead.model_validate(e) for e in entries])

    return router
