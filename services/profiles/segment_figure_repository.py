"""Aggregates over the stored customer views that a segment's figures are computed from.

Everything is summed, counted and ranked in the database, grouped by strategic segment; no
query brings customers into memory one by one. `segments` limits a query to some segments;
the population-wide figures (the "rest" a segment is compared to) come ungrouped.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    case,
    cast,
    func,
    literal,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

from services.profiles.parts_repository import EXPERIENCES, SEGMENTS
from services.profiles.repository import CUSTOMERS, ORDERS
from shared.db.lookup import one_of
from shared.db.types import Money

ALL = "*"
"""The key of population-wide results."""
MONEY_FEATURES = ("contribution_margin_3_12m", "revenue_12m", "clv", "share_of_wallet_gap")
FEATURES: dict[str, ColumnElement[Any]] = {
    **{name: SEGMENTS.c[name] for name in MONEY_FEATURES},
    "churn_risk": SEGMENTS.c.churn_risk,
    "p_alive": SEGMENTS.c.p_alive,
    "csat_mean": EXPERIENCES.c.csat_mean,
    "last_nps": EXPERIENCES.c.last_nps,
    "open_complaints": EXPERIENCES.c.open_complaints,
}
SEGMENT = SEGMENTS.c.strategic_segment

Grouped = dict[str, dict[str, Any]]


def _views() -> FromClause:
    """Assigned customers that are customers of their own, with their experience."""
    return SEGMENTS.join(
        CUSTOMERS,
        (CUSTOMERS.c.customer_id == SEGMENTS.c.customer_id) & CUSTOMERS.c.merged_into.is_(None),
    ).outerjoin(EXPERIENCES, EXPERIENCES.c.customer_id == SEGMENTS.c.customer_id)


def _money_sum(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return type_coerce(func.coalesce(func.sum(column), 0), Money())


class SegmentFigureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _scoped(self, query: Select[Any], segments: Sequence[str] | None) -> Select[Any]:
        if segments is None:
            return query
        return query.where(one_of(self.session, SEGMENT, list(segments)))

    def _grouped(
        self, columns: list[Any], segments: Sequence[str] | None, *, grouped: bool
    ) -> list[Any]:
        key = SEGMENT if grouped else literal(ALL)
        query = select(key.label("segment"), *columns).select_from(_views())
        if grouped:
            query = self._scoped(query, segments).group_by(SEGMENT)
        return list(self.session.execute(query))

    def references(self) -> dict[str, float | None]:
        """The population mean of each feature: the reference its moments are taken from."""
        row = (
            self.session.execute(
                select(
                    *(
                        func.avg(cast(column, Float)).label(name)
                        for name, column in FEATURES.items()
                    )
                ).select_from(_views())
            )
            .one()
            ._mapping
        )
        return {name: None if row[name] is None else float(row[name]) for name in FEATURES}

    def summaries(
        self,
        references: Mapping[str, float | None],
        segments: Sequence[str] | None,
        *,
        grouped: bool = True,
    ) -> Grouped:
        """Per segment (or for everyone): size, money totals, newest assignment and the
        count, sum and sum of squares of each feature around its reference."""
        columns: list[Any] = [
            func.count().label("size"),
            _money_sum(SEGMENTS.c.revenue_12m).label("revenue_12m"),
            _money_sum(SEGMENTS.c.contribution_margin_3_12m).label("contribution_margin_3_12m"),
            _money_sum(SEGMENTS.c.clv).label("clv"),
            func.max(SEGMENTS.c.event_time).label("assignments_as_of"),
        ]
        for name, column in FEATURES.items():
            deviation = cast(column, Float) - (references.get(name) or 0.0)
            columns += [
                func.count(column).label(f"{name}__count"),
                func.coalesce(func.sum(deviation), 0.0).label(f"{name}__total"),
                func.coalesce(func.sum(deviation * deviation), 0.0).label(f"{name}__squares"),
            ]
        return {
            row.segment: dict(row._mapping)
            for row in self._grouped(columns, segments, grouped=grouped)
        }

    def mix(
        self, column_name: str, segments: Sequence[str] | None, *, grouped: bool = True
    ) -> dict[str, dict[Any, int]]:
        """Customers per value of `column_name`, per segment (or for everyone)."""
        column = SEGMENTS.c[column_name]
        key = SEGMENT if grouped else literal(ALL)
        query = (
            select(key.label("segment"), column.label("value"), func.count().label("customers"))
            .select_from(_views())
            .group_by(*((SEGMENT,) if grouped else ()), column)
        )
        found: dict[str, dict[Any, int]] = {}
        for row in self.session.execute(self._scoped(query, segments) if grouped else query):
            found.setdefault(row.segment, {})[row.value] = int(row.customers)
        return found

    def needs_descriptions(self, segments: Sequence[str] | None) -> dict[int, str | None]:
        """The latest description of each needs cluster seen among these segments."""
        query = (
            select(SEGMENTS.c.needs_cluster, func.max(SEGMENTS.c.needs_description))
            .select_from(_views())
            .where(SEGMENTS.c.needs_cluster.is_not(None))
            .group_by(SEGMENTS.c.needs_cluster)
        )
        return {row[0]: row[1] for row in self.session.execute(self._scoped(query, segments))}

    def quantiles(
        self, feature: str, levels: Sequence[float], segments: Sequence[str] | None
    ) -> dict[str, list[Any]]:
        """Per segment, the nearest-rank quantile of `feature` at each of `levels`: the
        smallest value at least that share of the segment's customers does not exceed."""
        column = FEATURES[feature]
        ranked = self._scoped(
            select(
                SEGMENT.label("segment"),
                column.label("value"),
                func.cume_dist().over(partition_by=SEGMENT, order_by=column).label("rank"),
            )
            .select_from(_views())
            .where(column.is_not(None)),
            segments,
        ).subquery()
        value: ColumnElement[Any] = ranked.c.value
        if feature in MONEY_FEATURES:
            value = type_coerce(value, Money())
        # cume_dist is a float quotient: 3/10 must count as reaching the level 0.3.
        picks = [
            func.min(case((ranked.c.rank >= level - 1e-9, value))).label(f"q{index}")
            for index, level in enumerate(levels)
        ]
        rows = self.session.execute(select(ranked.c.segment, *picks).group_by(ranked.c.segment))
        return {row.segment: list(row[1:]) for row in rows}

    def experience(self, segments: Sequence[str] | None) -> Grouped:
        """Per segment: satisfaction answers, latest NPS answers by kind, open complaints."""
        nps = EXPERIENCES.c.last_nps
        columns = [
            func.count(EXPERIENCES.c.customer_id).label("customers"),
            func.coalesce(
                func.sum(EXPERIENCES.c.csat_mean * EXPERIENCES.c.csat_answers), 0.0
            ).label("csat_points"),
            func.coalesce(func.sum(EXPERIENCES.c.csat_answers), 0).label("csat_answers"),
            func.count(nps).label("nps_customers"),
            func.coalesce(func.sum(case((nps >= 9, 1), else_=0)), 0).label("promoters"),
            func.coalesce(func.sum(case((nps <= 6, 1), else_=0)), 0).label("detractors"),
            func.coalesce(func.sum(EXPERIENCES.c.open_complaints), 0).label("open_complaints"),
        ]
        return {
            row.segment: dict(row._mapping)
            for row in self._grouped(columns, segments, grouped=True)
        }

    def channels(
        self, since: datetime, segments: Sequence[str] | None, *, grouped: bool = True
    ) -> dict[str, dict[str, tuple[int, Decimal]]]:
        """Orders placed since `since` and their net revenue per channel, per segment."""
        key = SEGMENT if grouped else literal(ALL)
        query = (
            select(
                key.label("segment"),
                ORDERS.c.channel,
                func.count().label("orders"),
                _money_sum(ORDERS.c.net_revenue).label("net_revenue"),
            )
            .select_from(_views().join(ORDERS, ORDERS.c.customer_id == SEGMENTS.c.customer_id))
            .where(ORDERS.c.placed_at >= since)
            .group_by(*((SEGMENT,) if grouped else ()), ORDERS.c.channel)
        )
        found: dict[str, dict[str, tuple[int, Decimal]]] = {}
        for row in self.session.execute(self._scoped(query, segments) if grouped else query):
            found.setdefault(row.segment, {})[row.channel] = (int(row.orders), row.net_revenue)
        return found

    def categories(
        self, since: datetime, segments: Sequence[str] | None
    ) -> dict[str, dict[str, Decimal]]:
        """Net revenue of the order lines placed since `since` per category, per segment."""
        if self.session.get_bind().dialect.name == "postgresql":
            line = func.json_array_elements(ORDERS.c.lines).table_valued("value").alias("line")
            category = func.json_extract_path_text(line.c.value, "category")
            revenue = cast(func.json_extract_path_text(line.c.value, "net_revenue"), Money())
        else:
            line = func.json_each(ORDERS.c.lines).table_valued("value").alias("line")
            category = func.json_extract(line.c.value, "$.category")
            revenue = cast(func.json_extract(line.c.value, "$.net_revenue"), Money())
        query = self._scoped(
            select(
                SEGMENT.label("segment"),
                category.label("category"),
                _money_sum(revenue).label("net_revenue"),
            )
            .select_from(
                _views()
                .join(ORDERS, ORDERS.c.customer_id == SEGMENTS.c.customer_id)
                .join(line, true())
            )
            .where(ORDERS.c.placed_at >= since)
            .group_by(SEGMENT, category),
            segments,
        )
        found: dict[str, dict[str, Decimal]] = {}
        for row in self.session.execute(query):
            if row.category is not None:
                found.setdefault(row.segment, {})[row.category] = row.net_revenue
        return found
