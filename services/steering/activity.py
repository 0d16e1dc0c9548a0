"""Each customer's distinct-count flags month by month, as bit masks, so that the distinct
counts of any range of months take one pass over one row per customer.

A row covers BLOCK months from `first_month` (a month index, year x 12 + month - 1, a multiple
of BLOCK); bit i of `ordered`, `contacted` and `unprofitable` is set when the customer is in
that distinct count in month first_month + i. The rows follow the monthly flags in
customer_periods: the consumer adds the bits it sets there, and a merge, unmerge or restore
rebuilds the customers it touched from those flags.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, delete, func, literal, select
from sqlalchemy.orm import Session

from services.steering import aggregate_store, models
from services.steering.domain import periods
from services.steering.domain.contributions import CONTACTED, ORDERED, UNPROFITABLE_SERVED
from shared.db.lookup import one_of

BLOCK = 60
MASKS = {"ordered": ORDERED, "contacted": CONTACTED, "unprofitable": UNPROFITABLE_SERVED}
"""Mask column -> the period flag it records."""
MEASURES = {
    "active_customers": "ordered",
    "contacted_customers": "contacted",
    "unprofitable_customers": "unprofitable",
}
"""Distinct-count flow measure -> the mask column it is counted from."""
Key = tuple[str, int]


def month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def add_bits(bits: dict[Key, dict[str, int]], customer_id: str, month: str, flags: int) -> None:
    """Note that the customer got `flags` in `month` (a calendar month)."""
    index = month_index(month)
    first = index - index % BLOCK
    row = bits.setdefault((customer_id, first), dict.fromkeys(MASKS, 0))
    for name, flag in MASKS.items():
        if flags & flag:
            row[name] |= 1 << (index - first)


def store_bits(session: Session, bits: dict[Key, dict[str, int]]) -> None:
    """Set the noted bits in the stored rows (created where missing)."""
    aggregate_store.combine_bits(session, models.customer_activity, bits)


def rebuild(session: Session, customer_ids: Iterable[str]) -> None:
    """Derive the customers' rows anew from their monthly flags."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    table, flagged = models.customer_activity, models.customer_periods
    session.execute(delete(table).where(one_of(session, table.c.customer_id, ids)))
    bits: dict[Key, dict[str, int]] = {}
    rows = session.execute(
        select(flagged.c.customer_id, flagged.c.period, flagged.c.flags).where(
            one_of(session, flagged.c.customer_id, ids)
        )
    )
    for customer_id, period, flags in rows:
        if periods.granularity(period) == "month":
            add_bits(bits, customer_id, period, flags)
    store_bits(session, bits)


def counts(
    session: Session, ranges: Sequence[Sequence[str]], dimension: str
) -> list[dict[str, dict[str, int]]]:
    """For each range of months: per member of `dimension`, the customers in each distinct
    count in any of its months, each once, under its current segment, region or owner rep.
    One pass over the masks for all ranges."""
    table = models.customer_activity
    wanted: list[dict[int, int]] = []
    for months in ranges:
        blocks: dict[int, int] = {}
        for month in months:
            index = month_index(month)
            first = index - index % BLOCK
            blocks[first] = blocks.get(first, 0) | 1 << (index - first)
        wanted.append(blocks)
    every_block = sorted({first for blocks in wanted for first in blocks})

    def hit(column: str, blocks: dict[int, int]) -> ColumnElement[int]:
        return case(
            *(
                (
                    (table.c.first_month == first)
                    & (table.c[column].op("&")(literal(mask, BigInteger)) != 0),
                    1,
                )
                for first, mask in blocks.items()
            ),
            else_=0,
        )

    hits = {
        f"{column}_{i}": hit(column, blocks) for i, blocks in enumerate(wanted) for column in MASKS
    }
    scope = table.c.first_month.in_(every_block)
    if len(every_block) == 1:
        # One row per customer in the block: no need to combine a customer's rows.
        source: Any = select(table.c.customer_id, *(e.label(n) for n, e in hits.items()))
    else:
        source = select(
            table.c.customer_id, *(func.max(e).label(n) for n, e in hits.items())
        ).group_by(table.c.customer_id)
    per_customer = source.where(scope).subquery()
    facts, directory = models.customer_facts, models.customers
    joined: Any = per_customer
    member: ColumnElement[str]
    if dimension == "segment":
        joined = per_customer.outerjoin(facts, facts.c.customer_id == per_customer.c.customer_id)
        member = func.coalesce(facts.c.strategic_segment, "unassigned")
    elif dimension in ("region", "rep"):
        joined = per_customer.outerjoin(
            directory, directory.c.customer_id == per_customer.c.customer_id
        )
        member = (
            func.coalesce(directory.c.region, "unknown")
            if dimension == "region"
            else func.coalesce(directory.c.owner_rep, "unassigned")
        )
    else:
        member = literal(dimension)
    query = (
        select(member.label("member"), *(func.sum(per_customer.c[n]).label(n) for n in hits))
        .select_from(joined)
        .group_by(member)
    )
    found: list[dict[str, dict[str, int]]] = [{} for _ in wanted]
    for row in session.execute(query):
        for i, counted in enumerate(found):
            measures = {
                measure: int(row._mapping[f"{column}_{i}"] or 0)
                for measure, column in MEASURES.items()
            }
            if any(measures.values()):
                counted[row.member] = measures
    return found
