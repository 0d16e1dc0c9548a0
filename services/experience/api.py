"""HTTP entry points of experience: one customer's experience, the journey definitions."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy.orm import Session, sessionmaker

from services.experience import config_store, rebuilds
from services.experience.customer_view import customer_experience
from services.experience.domain.definitions import definition_data, definition_from_data
from services.experience.schemas import (
    CustomerExperience,
    DefinitionsHistory,
    DefinitionsRead,
    DefinitionsWrite,
    JourneyDefinitionBody,
    JourneyRebuildRead,
    JourneyRebuilds,
)
from shared.api.auth import Principal
from shared.api.deps import CustomerIdPath, require
from shared.api.problems import PROBLEM_CONTENT_TYPE, Problem
from shared.customer_directory import CustomerDirectory

READ = "customers:read"
WRITE = "strategy:write"
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_CONTENT_TYPE: {}}}
    for status in (401, 403, 404, 422)
}


def _definitions(version: config_store.DefinitionsVersion) -> DefinitionsRead:
    return DefinitionsRead(
        version=version.version,
        definitions=[
            JourneyDefinitionBody.model_validate(definition_data(d)) for d in version.definitions
        ],
        changed_by=version.changed_by,
        changed_at=version.changed_at,
        comment=version.comment,
    )


def experience_router(
    directory: CustomerDirectory,
    sessions: sessionmaker[Session],
    reads: sessionmaker[Session],
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["experience"], responses=PROBLEMS)

    @router.get("/customers/{customer_id}")
    def get_customer(
        customer_id: CustomerIdPath,
        principal: Annotated[Principal, Depends(require(READ))],
        touchpoints: Annotated[
            int, Query(ge=0, le=1000, description="How many of the latest touchpoints to show.")
        ] = 100,
    ) -> CustomerExperience:
        """The customer with its latest touchpoints and every journey."""
        with reads() as session:
            view = customer_experience(
                session,
                directory,
                customer_id,
                limit=touchpoints,
                personal_data=principal.has("pii:read"),
                financials=principal.has("financials:read"),
            )
        if view is None:
            raise HTTPException(404, f"customer {customer_id} is not known here")
        return view

    @router.get("/journey-definitions")
    def get_definitions(_: Annotated[Principal, Depends(require(READ))]) -> DefinitionsRead:
        """The journey definitions in force: stages, touchpoint mapping, gap."""
        with reads() as session:
            return _definitions(config_store.current_definitions(session))

    @router.put("/journey-definitions")
    def put_definitions(
        body: DefinitionsWrite, principal: Annotated[Principal, Depends(require(WRITE))]
    ) -> DefinitionsRead:
        """Store new journey definitions; every customer's journeys are rebuilt under them.

        Touchpoints from now on are placed by them; the journeys already built follow in the
        background (progress: GET /v1/journey-definitions/rebuilds).
        """
        try:
            definitions = tuple(definition_from_data(d.model_dump()) for d in body.definitions)
            with sessions() as session, session.begin():
                saved = config_store.save_definitions(
                    session, definitions, changed_by=principal.name, comment=body.comment
                )
                rebuilds.request_rebuild(session, saved.version, datetime.now(UTC))
        except ValueError as error:
            raise HTTPException(422, str(error)) from None
        return _definitions(saved)

    @router.get("/journey-definitions/history")
    def definitions_history(
        _: Annotated[Principal, Depends(require(READ))],
    ) -> DefinitionsHistory:
        """Every stored version of the definitions, newest first, with who changed them."""
        with reads() as session:
            versions = config_store.definitions_history(session)
        return DefinitionsHistory(versions=[_definitions(v) for v in versions])

    @router.get("/journey-definitions/rebuilds")
    def get_rebuilds(_: Annotated[Principal, Depends(require(READ))]) -> JourneyRebuilds:
        """Progress of rebuilding the journeys after each change of the definitions."""
        with reads() as session:
            found = rebuilds.rebuild_progress(session)
        return JourneyRebuilds(rebuilds=[JourneyRebuildRead(**p.__dict__) for p in found])

    return router
