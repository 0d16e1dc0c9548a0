"""Profiles' GDPR endpoints: erasure, its progress, and the export of a customer's data."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from sqlalchemy.orm import Session

from services.profiles.gdpr import CustomerErasures, MergedCustomerError, suppression_list
from services.profiles.gdpr_records import customer_export, erasure_status
from services.profiles.gdpr_schemas import CustomerExport, ErasureAccepted, ErasureStatus
from shared.api.auth import Principal
from shared.api.deps import CustomerIdPath, require
from shared.db.uow import run_in_transaction
from shared.runtime import Runtime

ErasureIdPath = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$", description="Erasure id."),
]
GdprPrincipal = Annotated[Principal, Depends(require("gdpr"))]


def gdpr_router(runtime: Runtime) -> APIRouter:
    erasures = CustomerErasures(
        suppression_list(runtime.settings), runtime.outbox, runtime.tables.outbox
    )
    sessions, reads = runtime.session_factory, runtime.read_session_factory
    router = APIRouter(prefix="/v1", tags=["gdpr"])

    @router.delete(
        "/customers/{customer_id}",
        status_code=202,
        responses={409: {"description": "The customer was merged into another one."}},
    )
    def erase_customer(
        customer_id: CustomerIdPath, principal: GdprPrincipal, response: Response
    ) -> ErasureAccepted:
        """Erase the customer's personal data here and have every other service erase it."""

        def erase(session: Session) -> dict[str, object] | None:
            return erasures.erase(session, customer_id, principal.name)

        try:
            erasure = run_in_transaction(sessions, erase)
        except MergedCustomerError as error:
            raise HTTPException(409, str(error)) from None
        if erasure is None:
            raise HTTPException(404, f"customer {customer_id} is not known")
        status_url = f"/v1/erasures/{erasure['erasure_id']}"
        response.headers["Location"] = status_url
        return ErasureAccepted.model_validate({**erasure, "status_url": status_url})

    @router.get("/erasures/{erasure_id}")
    def get_erasure(erasure_id: ErasureIdPath, _: GdprPrincipal) -> ErasureStatus:
        """An erasure and which services have completed it."""
        with reads() as session:
            status = erasure_status(session, erasure_id)
        if status is None:
            raise HTTPException(404, f"erasure {erasure_id} is not known")
        return status

    @router.get("/customers/{customer_id}/export")
    def export_customer(customer_id: CustomerIdPath, _: GdprPrincipal) -> CustomerExport:
        """Everything profiles holds on the customer, as JSON (GDPR access request)."""
        with reads() as session:
            export = customer_export(session, customer_id)
        if export is None:
            raise HTTPException(404, f"customer {customer_id} is not known")
        return export

    return router
