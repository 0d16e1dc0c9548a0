"""Read queries of the 360° view and the customer list: orders aggregated in SQL, a
customer's references, returns and next best actions brought as JSON with its row."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, case, func, select, type_coerce
from sqlalchemy.orm import Session

from services.profiles.parts_repository import ACTIONS, EXPERIENCES, SEGMENTS, STRATEGY_IN_FORCE
from services.profiles.repository import CUSTOMERS, ORDERS, REFERENCES, RETURNS
from shared.db.json_rows import JsonRows
from shared.db.types import Money

SUMMARY_PARTS = (
    "strategic_segment",
    "thrust",
    "lifecycle_stage",
    "value_tier",
    "potential_tier",
    "churn_risk",
)
ORDER_AMOUNTS = (
    "net_revenue",
    "cost_of_goods",
    "discount",
    "shipping_cost",
    "other_direct_costs",
)


@dataclass(frozen=True)
class CustomerFilter:
    rep: str | None = None
    region: str | None = None
    kind: str | None = None
    consent: str | None = None
    provisional: bool | None = None
    segment: str | None = None
    lifecycle_stage: str | None = None
    thrust: str | None = None
    value_tier: str | None = None
    potential_tier: str | None = None
    churn_risk_above: float | None = None

    def by_assignment(self) -> dict[str, object]:
        """The filters on the segment assignment that are set, by column."""
        wanted = {
            "strategic_segment": self.segment,
            "lifecycle_stage": self.lifecycle_stage,
            "thrust": self.thrust,
            "value_tier": self.value_tier,
            "potential_tier": self.potential_tier,
        }
        return {column: value for column, value in wanted.items() if value is not None}


def _sum(column: ColumnElement[Any], within: ColumnElement[bool] | None) -> ColumnElement[Any]:
    amount: ColumnElement[Any] = func.coalesce(column, 0)
    if within is not None:
        amount = case((within, amount), else_=0)
    return type_coerce(func.coalesce(func.sum(amount), 0), Money())


# The view's statements are built once per dialect (building one costs more than running
# it), and few: every statement is a round trip, on which a busy server waits longest. So the
# customer's statement also brings the strategy in force and its references, returns and
# actions; the order totals are the only other one.
SEGMENT_PREFIX, EXPERIENCE_PREFIX, STRATEGY_PREFIX = "segment__", "experience__", "strategy__"
REFERENCE_ROWS = JsonRows(
    (REFERENCES.c.system, REFERENCES.c.external_id),
    order_by=(REFERENCES.c.system, REFERENCES.c.external_id),
)
RETURN_COLUMNS = ("event_id", "returned_at", "lines", "amount", "handling_cost")
RETURN_ROWS = JsonRows(tuple(RETURNS.c[name] for name in RETURN_COLUMNS))
ACTION_ROWS = JsonRows(tuple(ACTIONS.columns))
NEWEST_ORDER_EVENT = (
    select(ORDERS.c.as_of_event_id)
    .where(ORDERS.c.customer_id == bindparam("customer_id"))
    .order_by(ORDERS.c.placed_at.desc(), ORDERS.c.as_of_event_id.desc())
    .limit(1)
    .scalar_subquery()
)


@cache
def customer_statement(dialect: str) -> Select[Any]:
    """The customer's row with its segment and experience parts, the strategy in force (when
    it has a segment) and its references, returns and actions as JSON."""
    strategy = STRATEGY_IN_FORCE.subquery("strategy_in_force")
    return (
        select(
            CUSTOMERS,
            *(column.label(SEGMENT_PREFIX + column.name) for column in SEGMENTS.columns),
            *(column.label(EXPERIENCE_PREFIX + column.name) for column in EXPERIENCES.columns),
            *(column.label(STRATEGY_PREFIX + column.name) for column in strategy.columns),
            REFERENCE_ROWS.of_key(dialect).label("json_references"),
            RETURN_ROWS.of_key(dialect).label("json_returns"),
            ACTION_ROWS.of_key(dialect).label("json_actions"),
        )
        .select_from(
            CUSTOMERS.outerjoin(SEGMENTS, SEGMENTS.c.customer_id == CUSTOMERS.c.customer_id)
            .outerjoin(EXPERIENCES, EXPERIENCES.c.customer_id == CUSTOMERS.c.customer_id)
            .outerjoin(strategy, SEGMENTS.c.customer_id.is_not(None))
        )
        .where(CUSTOMERS.c.customer_id == bindparam("customer_id"))
    )


@cache
def order_totals_statement(dialect: str) -> Select[Any]:
    """Lifetime and recent (placed at or after `since`) sums and counts of one customer."""
    recent = ORDERS.c.placed_at >= bindparam("since")
    columns: list[Any] = []
    for name in ORDER_AMOUNTS:
        columns.append(_sum(ORDERS.c[name], None).label(f"lifetime_{name}"))
        columns.append(_sum(ORDERS.c[name], recent).label(f"recent_{name}"))
    currencies = ORDERS.c.currency.distinct()
    columns += [
        func.count().label("lifetime_orders"),
        func.coalesce(func.sum(case((recent, 1), else_=0)), 0).label("recent_orders"),
        func.min(ORDERS.c.placed_at).label("first_order_at"),
        func.max(ORDERS.c.placed_at).label("last_order_at"),
        func.array_agg(currencies).label("currencies")
        if dialect == "postgresql"
        else func.group_concat(currencies).label("currencies"),
        NEWEST_ORDER_EVENT.label("newest_order_event_id"),
    ]
    return select(*columns).where(ORDERS.c.customer_id == bindparam("customer_id"))


@dataclass(frozen=True)
class CustomerRows:
    """A customer's row, its references (by system and id), returns and actions, and the
    segment and experience parts delivered for it and the strategy in force, if any."""

    customer: dict[str, Any]
    references: list[tuple[str, str]]
    returns: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    segment: dict[str, Any] | None
    experience: dict[str, Any] | None
    strategy: dict[str, Any] | None


def _part(row: dict[str, Any], prefix: str, key: str) -> dict[str, Any] | None:
    part = {
        name.removeprefix(prefix): row.pop(name) for name in list(row) if name.startswith(prefix)
    }
    return part if part[key] is not None else None


class ViewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def customer(self, customer_id: str) -> CustomerRows | None:
        """The customer's row (also one a merge absorbed) with all the view needs but its
        order totals, in one statement; None if there is no such customer."""
        statement = customer_statement(self.session.get_bind().dialect.name)
        found = self.session.execute(statement, {"customer_id": customer_id}).first()
        if found is None:
            return None
        row = dict(found._mapping)
        references = REFERENCE_ROWS.read(row.pop("json_references"))
        return CustomerRows(
            references=[(r["system"], r["external_id"]) for r in references],
            returns=RETURN_ROWS.read(row.pop("json_returns")),
            actions=ACTION_ROWS.read(row.pop("json_actions")),
            segment=_part(row, SEGMENT_PREFIX, "customer_id"),
            experience=_part(row, EXPERIENCE_PREFIX, "customer_id"),
            strategy=_part(row, STRATEGY_PREFIX, "strategy_id"),
            customer=row,
        )

    def order_totals(self, customer_id: str, since: datetime) -> Row[Any]:
        """One row: lifetime and recent (placed at or after `since`) sums and counts, and the
        event of the newest order."""
        statement = order_totals_statement(self.session.get_bind().dialect.name)
        return self.session.execute(statement, {"customer_id": customer_id, "since": since}).one()

    def customers(self, where: CustomerFilter, after: str | None, limit: int) -> list[Row[Any]]:
        """Up to `limit` customers (not merged away) matching `where`, by id after `after`.

        With a filter on the assignment, the assignments are joined and walked in the
        order of that filter's index (column, customer_id); otherwise they are outer-joined.
        """
        assigned = where.by_assignment() or where.churn_risk_above is not None
        order = SEGMENTS.c.customer_id if assigned else CUSTOMERS.c.customer_id
        joined = CUSTOMERS.join(
            SEGMENTS, SEGMENTS.c.customer_id == CUSTOMERS.c.customer_id, isouter=not assigned
        )
        query = (
            select(
                CUSTOMERS.c.customer_id,
                CUSTOMERS.c.kind,
                CUSTOMERS.c.name,
                CUSTOMERS.c.region,
                CUSTOMERS.c.owner_rep,
                CUSTOMERS.c.provisional,
                CUSTOMERS.c.updated_at,
                *(SEGMENTS.c[name] for name in SUMMARY_PARTS),
            )
            .select_from(joined)
            .where(CUSTOMERS.c.merged_into.is_(None))
        )
        for column, value in where.by_assignment().items():
            query = query.where(SEGMENTS.c[column] == value)
        if where.churn_risk_above is not None:
            query = query.where(SEGMENTS.c.churn_risk > where.churn_risk_above)
        if after is not None:
            query = query.where(order > after)
        if where.rep is not None:
            query = query.where(CUSTOMERS.c.owner_rep == where.rep)
        if where.region is not None:
            query = query.where(CUSTOMERS.c.region == where.region)
        if where.kind is not None:
            query = query.where(CUSTOMERS.c.kind == where.kind)
        if where.provisional is not None:
            query = query.where(CUSTOMERS.c.provisional.is_(where.provisional))
        if where.consent is not None:
            status = CUSTOMERS.c.consents[(where.consent, "status")].as_string()
            query = query.where(status == "granted")
        query = query.order_by(order).limit(limit)
        return list(self.session.execute(query))


def as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
