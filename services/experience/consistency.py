"""Experience's purchases and their revenue per customer, for the cross-service check."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.experience import models
from shared.consistency.api import CustomerTotals

t = models.touchpoints.c
PURCHASE = "purchase"


def customer_totals(session: Session, after: str, limit: int) -> list[CustomerTotals]:
    rows = session.execute(
        select(t.customer_id, func.count(), func.sum(t.revenue))
        .where(t.customer_id > after, t.touchpoint_type == PURCHASE)
        .group_by(t.customer_id)
        .order_by(t.customer_id)
        .limit(limit)
    )
    return [CustomerTotals(customer_id=c, orders=n, revenue=r) for c, n, r in rows]
