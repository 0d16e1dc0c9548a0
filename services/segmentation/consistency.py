"""Segmentation's orders and revenue per customer, for the cross-service consistency check."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.segmentation import ledger, models
from shared.consistency.api import CustomerTotals

o = models.orders.c


def customer_totals(session: Session, after: str, limit: int) -> list[CustomerTotals]:
    rows = session.execute(
        select(o.customer_id, func.count(), func.sum(o.revenue))
        .where(o.customer_id > after)
        .group_by(o.customer_id)
        .order_by(o.customer_id)
        .limit(limit)
    )
    return [
        CustomerTotals(customer_id=c, orders=n, revenue=ledger.amount(int(r or 0)))
        for c, n, r in rows
    ]
