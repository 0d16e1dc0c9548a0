"""Profiles' orders and revenue per customer, for the cross-service consistency check."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.profiles.gdpr_models import Erasure
from services.profiles.models import Order
from shared.consistency.api import CustomerTotals


def customer_totals(session: Session, after: str, limit: int) -> list[CustomerTotals]:
    rows = session.execute(
        select(Order.customer_id, func.count(), func.sum(Order.net_revenue))
        # An erased customer's orders stay, anonymised, for the books; the other services
        # deleted theirs, so the check compares the customers that still exist.
        .where(Order.customer_id > after, Order.customer_id.not_in(select(Erasure.customer_id)))
        .group_by(Order.customer_id)
        .order_by(Order.customer_id)
        .limit(limit)
    )
    return [CustomerTotals(customer_id=c, orders=n, revenue=r) for c, n, r in rows]
