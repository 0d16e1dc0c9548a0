"""HTTP entry points of next best actions: list, read, report an outcome."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from services.steering import actions, api_support
from services.steering.action_schemas import ActionList, ActionRead, ActionStatus, OutcomeWrite
from services.steering.aggregate_writer import AggregateWriter
from shared.api.auth import Principal
from shared.api.deps import CurrentPrincipal, require
from shared.runtime import Runtime

READ_SCOPE = "customers:read"
REPORT_SCOPES = ("events:write", "strategy:write")
ActionPath = Annotated[str, Path(max_length=64, description="Id of the action.")]


def actions_router(runtime: Runtime, aggregates: AggregateWriter) -> APIRouter:
    router = APIRouter(prefix="/v1/actions", tags=["actions"], responses=api_support.PROBLEMS)
    reads = runtime.read_session_factory

    @router.get("")
    def list_actions(
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
        customer: Annotated[str | None, Query(max_length=64, description="Customer id.")] = None,
        rep: Annotated[str | None, Query(max_length=100, description="Owner rep.")] = None,
        status: Annotated[ActionStatus | None, Query(description="Only this status.")] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
        offset: Annotated[int, Query(ge=0, description="Skip this many.")] = 0,
    ) -> ActionList:
        """Recommended actions, most urgent and earliest due first."""
        rows = api_support.read(
            reads,
            lambda s: actions.listed(
                s, customer_id=customer, rep=rep, status=status, limit=limit, offset=offset
            ),
        )
        return ActionList(items=[ActionRead.model_validate(row) for row in rows])

    @router.get("/{action_id}")
    def get_action(
        action_id: ActionPath, _: Annotated[Principal, Depends(require(READ_SCOPE))]
    ) -> ActionRead:
        """One action with its last outcome."""
        row = api_support.read(reads, lambda s: actions.get(s, action_id))
        if row is None:
            raise HTTPException(404, f"action {action_id} does not exist")
        return ActionRead.model_validate(row)

    @router.post("/{action_id}/outcome")
    def report_outcome(
        action_id: ActionPath, body: OutcomeWrite, principal: CurrentPrincipal
    ) -> ActionRead:
        """Report what came of an action (events:write or strategy:write); done and declined
        settle it and count the customer as contacted for treatment coverage."""
        if not any(principal.has(scope) for scope in REPORT_SCOPES):
            raise HTTPException(403, f"the API key lacks the scope {' or '.join(REPORT_SCOPES)}")
        row = api_support.write(
            runtime.session_factory,
            lambda s: actions.report_outcome(
                s,
                aggregates,
                action_id,
                body.outcome,
                occurred_at=body.occurred_at,
                actor=principal.name,
                note=body.note,
            ),
        )
        return ActionRead.model_validate(row)

    return router
