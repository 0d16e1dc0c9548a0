"""Summing the ledger per customer as of a day: one pass over each table, any set of customers.

The same statements serve a full run (every customer, streamed in chunks) and a re-score of
the customers one batch of events touched, so both see exactly the same figures.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, ColumnElement, Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from services.segmentation import models
from shared.db.lookup import one_of

d = models.customer_days.c


def _total(expression: Any) -> Any:
    """SUM as a 64-bit integer: PostgreSQL sums bigints as numeric, which the driver returns
    as Decimal, and converting millions of those costs more than the query."""
    return cast(func.sum(expression), BigInteger)


WINDOW_SUMS = (
    "orders",
    "revenue",
    "cost_of_goods",
    "discounts",
    "shipping_costs",
    "other_direct_costs",
    "returns",
    "return_handling",
    "unpriced_returns",
)
LIFETIME_SUMS = (
    *WINDOW_SUMS,
    "returned_revenue",
    "orders_online",
    "orders_field",
    "orders_inside",
    "orders_store",
    "orders_partner",
    "service_contacts",
    "complaints",
    "csat_sum",
    "csat_answers",
    "nps_sum",
    "nps_answers",
)
DAY_COLUMNS = (
    "first_day",
    "last_day",
    "purchase_days",
    "previous_purchase_day",
    "repeat_margin",
    "repeat_revenue",
    "revenue_prior",
    *(f"{name}_window" for name in WINDOW_SUMS),
    *(f"{name}_lifetime" for name in LIFETIME_SUMS),
)
CONTACT_COLUMNS = ("contact_cost_window", "contact_cost_lifetime")
RawLedger = dict[str, npt.NDArray[Any]]


def _day_statement(
    as_of_day: int, window_days: int, only: ColumnElement[bool] | None = None
) -> Select[Any]:
    bought = d.orders > 0
    earlier_purchases = (
        func.max(case((bought, d.day)))
        .over(
            partition_by=d.customer_id,
            order_by=d.day,
            rows=(None, -1),
        )
        .label("previous_purchase")
    )
    rows = (
        select(models.customer_days, earlier_purchases)
        .where(d.day <= as_of_day, *(() if only is None else (only,)))
        .subquery()
    )
    r = rows.c
    r_bought = r.orders > 0
    margin = r.revenue - r.cost_of_goods - r.discounts - r.shipping_costs - r.other_direct_costs
    window_start = as_of_day - window_days
    in_window = r.day > window_start
    in_prior = and_(r.day > window_start - window_days, r.day <= window_start)
    # A purchase after the first is one with an earlier purchase: the window above says so
    # already, and a second window over the whole partition (its first purchase) cost the
    # database a third of the statement.
    repeat = and_(r_bought, r.previous_purchase.is_not(None))
    return select(
        r.customer_id,
        func.min(case((r_bought, r.day))).label("first_day"),
        func.max(case((r_bought, r.day))).label("last_day"),
        _total(case((r_bought, 1), else_=0)).label("purchase_days"),
        func.max(case((r_bought, r.previous_purchase))).label("previous_purchase_day"),
        _total(case((repeat, margin), else_=0)).label("repeat_margin"),
        _total(case((repeat, r.revenue), else_=0)).label("repeat_revenue"),
        _total(case((in_prior, r.revenue), else_=0)).label("revenue_prior"),
        *(
            _total(case((in_window, r[name]), else_=0)).label(f"{name}_window")
            for name in WINDOW_SUMS
        ),
        *(_total(r[name]).label(f"{name}_lifetime") for name in LIFETIME_SUMS),
    ).group_by(r.customer_id)


def _contact_statement(as_of_day: int, window_days: int) -> Select[Any]:
    c = models.customer_contacts.c
    exact = models.cost_rates.alias("exact_rate")
    channel = models.cost_rates.alias("channel_rate")
    rate = func.coalesce(exact.c.rate, channel.c.rate, literal(0, Integer))
    cost = c.contacts * rate
    return (
        select(
            c.customer_id,
            _total(case((c.day > as_of_day - window_days, cost), else_=0)).label(
                "contact_cost_window"
            ),
            _total(cost).label("contact_cost_lifetime"),
        )
        .select_from(
            models.customer_contacts.outerjoin(
                exact,
                and_(exact.c.channel == c.channel, exact.c.touchpoint_type == c.touchpoint_type),
            ).outerjoin(
                channel, and_(channel.c.channel == c.channel, channel.c.touchpoint_type == "*")
            )
        )
        .where(c.day <= as_of_day)
        .group_by(c.customer_id)
    )


def _columns(rows: Sequence[Any], names: Sequence[str]) -> RawLedger:
    ids = np.array([row[0] for row in rows], dtype=object)
    raw: RawLedger = {"customer_id": ids}
    if not rows:
        for name in names:
            raw[name] = np.zeros(0, dtype=np.float64)
        return raw
    matrix = np.array([row[1:] for row in rows], dtype=np.float64)
    for index, name in enumerate(names):
        raw[name] = matrix[:, index]
    return raw


def ledger_of(
    session: Session, customer_ids: Sequence[str], as_of_day: int, window_days: int
) -> tuple[RawLedger, RawLedger]:
    """Day sums and contact costs of the given customers (absent customers have no row)."""
    contacts = _contact_statement(as_of_day, window_days)
    day_rows: list[Any] = []
    contact_rows: list[Any] = []
    for start in range(0, len(customer_ids), 500):
        chunk = list(customer_ids[start : start + 500])
        only = one_of(session, d.customer_id, chunk)
        day_rows += session.execute(_day_statement(as_of_day, window_days, only)).all()
        contact_rows += session.execute(
            contacts.where(one_of(session, models.customer_contacts.c.customer_id, chunk))
        ).all()
    return _columns(day_rows, DAY_COLUMNS), _columns(contact_rows, CONTACT_COLUMNS)


def whole_ledger(
    session: Session, as_of_day: int, window_days: int, chunk_size: int = 50_000
) -> Iterator[tuple[str, RawLedger]]:
    """Day sums and contact costs of every customer, streamed in chunks ('days'/'contacts')."""
    for kind, statement, names in (
        ("days", _day_statement(as_of_day, window_days), DAY_COLUMNS),
        ("contacts", _contact_statement(as_of_day, window_days), CONTACT_COLUMNS),
    ):
        result = session.execute(statement, execution_options={"yield_per": chunk_size})
        for partition in result.partitions():
            yield kind, _columns(partition, names)
