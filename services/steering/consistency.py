"""Steering's orders and revenue per customer, for the cross-service consistency check."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.steering import models
from services.steering.domain.kpis import amount
from shared.consistency.api import CustomerTotals

o = models.orders.c


def customer_totals(session: Session, after: str, limit: int) -> list[CustomerTotals]:
    """Orders and revenue per customer from the order figures steering counted."""
    customers = list(
        session.scalars(
            select(o.customer_id)
            .where(o.customer_id > after)
            .group_by(o.customer_id)
            .order_by(o.customer_id)
            .limit(limit)
        )
    )
    if not customers:
        return []
    totals: dict[str, tuple[int, int]] = {}
    rows = session.execute(
        select(o.customer_id, o.figures).where(
            o.customer_id >= customers[0], o.customer_id <= customers[-1]
        )
    )
    for customer_id, figures in rows:
        count, revenue = totals.get(customer_id, (0, 0))
        totals[customer_id] = (count + 1, revenue + int(figures["revenue"]))
    return [
        CustomerTotals(customer_id=cid, orders=count, revenue=Decimal(amount(revenue)))
        for cid, (count, revenue) in sorted(totals.items())
    ]
