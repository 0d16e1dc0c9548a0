"""`GET /v1/consistency/customers`: one service's totals per customer, paged by customer id."""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from shared.api.auth import Principal
from shared.api.deps import require


class CustomerTotals(BaseModel):
    customer_id: str = Field(description="Canonical customer id.")
    orders: int = Field(description="Orders this service counts for the customer.")
    revenue: Decimal | None = Field(
        description="Their net revenue, where this service keeps it; null otherwise."
    )


class TotalsPage(BaseModel):
    service: str = Field(description="The service that answered.")
    customers: list[CustomerTotals] = Field(description="In customer id order.")
    next_after: str | None = Field(description="Pass as `after` for the next page; null at end.")


TotalsQuery = Callable[[Session, str, int], list[CustomerTotals]]
"""(session, after customer id, limit) -> the next customers' totals in id order."""


def consistency_router(
    service: str, sessions: sessionmaker[Session], totals: TotalsQuery
) -> APIRouter:
    router = APIRouter(prefix="/v1/consistency", tags=["consistency"])

    @router.get("/customers")
    def customer_totals(
        _: Annotated[Principal, Depends(require("financials:read"))],
        after: Annotated[str, Query(max_length=64, description="Customer id to start after.")] = "",
        limit: Annotated[int, Query(ge=1, le=10_000)] = 5_000,
    ) -> TotalsPage:
        """Orders and revenue per customer as this service counts them, for the check."""
        with sessions() as session:
            page = totals(session, after, limit)
        next_after = page[-1].customer_id if len(page) == limit else None
        return TotalsPage(service=service, customers=page, next_after=next_after)

    return router
