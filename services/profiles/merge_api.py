"""HTTP entry points of merges, unmerges and the review of identity conflicts."""

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query

from services.profiles.commands import run_command
from services.profiles.merge_repository import MergeRepository
from services.profiles.merge_schemas import (
    ConflictResolution,
    IdentityConflictPage,
    IdentityConflictRead,
    MergeList,
    MergeRead,
    MergeRequest,
    UnmergeRequest,
)
from services.profiles.merges import Merges, Requester, close_conflict
from shared.api.auth import Principal
from shared.api.deps import CustomerIdPath, require
from shared.api.problems import PROBLEM_CONTENT_TYPE, Problem
from shared.runtime import Runtime

T = TypeVar("T")
MERGE_SCOPE = "customers:merge"
ConflictIdPath = Annotated[
    str,
    Path(min_length=1, max_length=36, pattern=r"^[0-9a-f-]+$", description="Id of the conflict."),
]
CONFLICT_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "content": {PROBLEM_CONTENT_TYPE: {}}}
}


def merges_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["identity"])
    merges = Merges(runtime.outbox)

    @router.post("/customers/{customer_id}/merge", responses=CONFLICT_RESPONSES)
    def merge_customers(
        customer_id: CustomerIdPath,
        body: MergeRequest,
        principal: Annotated[Principal, Depends(require(MERGE_SCOPE))],
    ) -> MergeRead:
        """Merge customers into this one; 409 when they hold two ids of one system."""
        requester = Requester(principal.name, body.reason)
        record = run_command(
            runtime,
            lambda session: merges.merge(
                session, customer_id, body.absorb, requester=requester, force=body.force
            ),
        )
        return MergeRead.of(record)

    @router.post("/customers/{customer_id}/unmerge", responses=CONFLICT_RESPONSES)
    def unmerge_customers(
        customer_id: CustomerIdPath,
        body: UnmergeRequest,
        principal: Annotated[Principal, Depends(require(MERGE_SCOPE))],
    ) -> MergeRead:
        """Undo a merge into this customer: the absorbed customers exist again."""
        requester = Requester(principal.name, body.reason)
        record = run_command(
            runtime,
            lambda session: merges.unmerge(
                session, customer_id, body.merge_id, requester=requester
            ),
        )
        return MergeRead.of(record)

    @router.get("/customers/{customer_id}/merges")
    def list_merges(
        customer_id: CustomerIdPath,
        _: Annotated[Principal, Depends(require("customers:read"))],
    ) -> MergeList:
        """The merges into this customer, newest first, undone ones included."""
        with runtime.read_session_factory() as session:
            records = MergeRepository(session).merges_into(customer_id)
        return MergeList(items=[MergeRead.of(record) for record in records])

    @router.get("/identity-conflicts")
    def list_identity_conflicts(
        principal: Annotated[Principal, Depends(require("customers:read"))],
        status: Annotated[
            Literal["open", "resolved"], Query(description="Which conflicts to list.")
        ] = "open",
        cursor: Annotated[
            str | None, Query(max_length=36, description="`next_cursor` of the previous page.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="Conflicts per page.")] = 50,
    ) -> IdentityConflictPage:
        """Customers kept apart although they share an e-mail or phone, for review."""
        with runtime.read_session_factory() as session:
            rows = MergeRepository(session).conflicts(status, cursor, limit + 1)
        page = [_conflict(row, principal) for row in rows[:limit]]
        next_cursor = page[-1].id if len(rows) > limit else None
        return IdentityConflictPage(items=page, next_cursor=next_cursor)

    @router.post("/identity-conflicts/{conflict_id}/resolve", responses=CONFLICT_RESPONSES)
    def resolve_identity_conflict(
        conflict_id: ConflictIdPath,
        body: ConflictResolution,
        principal: Annotated[Principal, Depends(require(MERGE_SCOPE))],
    ) -> IdentityConflictRead:
        """Close a conflict after review without merging (the customers are different)."""
        requester = Requester(principal.name, body.reason)
        row = run_command(runtime, lambda session: close_conflict(session, conflict_id, requester))
        return _conflict(row, principal)

    return router


def _conflict(row: dict[str, Any], principal: Principal) -> IdentityConflictRead:
    conflict = IdentityConflictRead.model_validate(row)
    if not principal.has("pii:read"):
        conflict.value = None
    return conflict
