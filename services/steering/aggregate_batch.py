"""A consumer batch's working state for the KPI aggregates: what it loaded, what it adds.

Handlers add deltas here in memory; `write` stores the whole batch before the transaction
commits, in one statement per table.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.steering import activity, aggregate_store, models
from services.steering.customer_context import Customer, StrategyTerms, load_terms
from services.steering.domain.contributions import distinct_counts
from services.steering.domain.periods import enclosing, granularity
from shared.db.buffer import buffer_of
from shared.db.lookup import one_of, pair_of

STATE = "steering_aggregates"
CHUNK = 500
Flow = dict[tuple[str, str, str], dict[str, int]]
BatchHook = Callable[[Session, "AggregateBatch"], None]


@dataclass
class AggregateBatch:
    terms: StrategyTerms
    closed: frozenset[str]
    flows: Flow = field(default_factory=dict)
    states: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    periods: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(customer, period) -> [stored flags or -1 when no row, flags now]"""
    orders: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)

    def add(self, month: str, members: dict[str, str], measures: dict[str, int]) -> None:
        """Add `measures` to the month, its quarter and year, under every member."""
        for period in enclosing(month):
            self.add_to_period(period, members, measures)

    def add_to_period(self, period: str, members: dict[str, str], measures: dict[str, int]) -> None:
        flows = self.flows
        for dimension, member in members.items():
            key = (period, dimension, member)
            totals = flows.get(key)
            if totals is None:
                flows[key] = dict(measures)
                continue
            for name, value in measures.items():
                totals[name] = totals.get(name, 0) + value

    def count_distinct(
        self,
        session: Session,
        customer_id: str,
        members: dict[str, str],
        month: str,
        *,
        wanted: int,
        first: bool = False,
    ) -> None:
        """Add the distinct counts (flags `wanted`) the customer is not yet in, per period."""
        for period in enclosing(month):
            flags = self.periods.get((customer_id, period))
            if flags is None:
                load_flags(session, self, {customer_id}, {period})
                flags = self.periods[(customer_id, period)]
            measures = distinct_counts(max(flags[1], 0), wanted, first)
            flags[1] = max(flags[1], 0) | wanted
            if measures:
                self.add_to_period(period, members, measures)

    def forget_periods(self, customer_ids: set[str]) -> None:
        """Drop the loaded period flags of these customers (written already), so that they
        are read again: a merge or unmerge changed them in the database."""
        for key in [key for key in self.periods if key[0] in customer_ids]:
            del self.periods[key]

    def add_state(self, members: dict[str, str], measures: dict[str, int]) -> None:
        for dimension, member in members.items():
            if dimension == "channel":
                continue
            totals = self.states.setdefault((dimension, member), {})
            for name, value in measures.items():
                totals[name] = totals.get(name, 0) + value


def batch_of(session: Session, finish: Callable[[Session], None]) -> AggregateBatch:
    """The batch of the session's unit of work; `finish` runs before its rows are written."""
    buffer = buffer_of(session)
    buffer.before_inserts(STATE, finish)
    return buffer.state(STATE, lambda: _new_batch(session))


def current_batch(session: Session) -> AggregateBatch:
    return buffer_of(session).state(STATE, lambda: _new_batch(session))


def _new_batch(session: Session) -> AggregateBatch:
    closed = session.scalars(select(models.closed_periods.c.period)).all()
    return AggregateBatch(terms=load_terms(session), closed=frozenset(closed))


def load_orders(session: Session, batch: AggregateBatch, keys: set[tuple[str, str]]) -> None:
    """Load the stored orders among `keys` not yet in the batch (None: never counted)."""
    table = models.orders
    wanted = sorted(key for key in keys if key not in batch.orders)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        batch.orders.update({key: None for key in chunk})
        rows = session.execute(
            select(table).where(pair_of(session, table.c.source_system, table.c.order_id, chunk))
        )
        for row in rows:
            batch.orders[(row.source_system, row.order_id)] = {**row._mapping, "stored": True}


def load_flags(
    session: Session, batch: AggregateBatch, customer_ids: set[str], periods: set[str]
) -> None:
    """Load the stored period flags of `customer_ids` x `periods` not yet in the batch."""
    wanted = sorted(
        cid for cid in customer_ids if any((cid, p) not in batch.periods for p in periods)
    )
    table = models.customer_periods
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = session.execute(
            select(table.c.customer_id, table.c.period, table.c.flags).where(
                one_of(session, table.c.customer_id, chunk),
                one_of(session, table.c.period, sorted(periods)),
            )
        )
        for customer_id, period, flags in rows:
            batch.periods.setdefault((customer_id, period), [flags, flags])
        for customer_id in chunk:
            for period in periods:
                batch.periods.setdefault((customer_id, period), [-1, 0])


def write(session: Session, batch: AggregateBatch) -> None:
    """Store what the batch added and changed; it stays loaded for further events."""
    changed = [cust for cust in batch.customers.values() if cust.changed and cust.facts]
    aggregate_store.upsert(
        session, models.customer_facts, [_fact_row(cust.facts or {}) for cust in changed]
    )
    for customer in batch.customers.values():
        customer.changed = False
    flagged = [
        (cid, period, flags[1])
        for (cid, period), flags in batch.periods.items()
        # A customer in none of a period's counts needs no row.
        if flags[1] != max(flags[0], 0)
    ]
    aggregate_store.upsert(
        session,
        models.customer_periods,
        [{"customer_id": c, "period": p, "flags": f} for c, p, f in flagged],
    )
    bits: dict[activity.Key, dict[str, int]] = {}
    for customer_id, month, month_flags in flagged:
        if granularity(month) == "month":
            activity.add_bits(bits, customer_id, month, month_flags)
    activity.store_bits(session, bits)
    for flags in batch.periods.values():
        flags[0] = flags[1]
    dirty = [o for o in batch.orders.values() if o is not None and o.get("dirty")]
    aggregate_store.upsert(session, models.orders, [_order_row(o) for o in dirty])
    for order in dirty:
        order["dirty"], order["stored"] = False, True
    # Last: every customer adds to the same aggregate rows, so they are locked only for the
    # moment before the commit, not while another worker of the group waits for the rest
    # (a merge or an erasure stores what the batch holds so far in its middle).
    aggregate_store.add_deltas(session, models.kpi_aggregates, batch.flows)
    aggregate_store.add_deltas(session, models.kpi_state, batch.states)
    batch.flows.clear()
    batch.states.clear()


FACT_COLUMNS = tuple(column.name for column in models.customer_facts.columns)
ORDER_COLUMNS = tuple(column.name for column in models.orders.columns)


def _fact_row(facts: dict[str, Any]) -> dict[str, Any]:
    return {name: facts.get(name) for name in FACT_COLUMNS} | {
        name: facts.get(name) or 0
        for name in ("clv", "share_of_wallet_gap", "contribution_margin_3_12m")
    }


def _order_row(order: dict[str, Any]) -> dict[str, Any]:
    return {name: order[name] for name in ORDER_COLUMNS}
