"""Features of some or all customers as of a day: the directory joined with the ledger sums."""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.segmentation import ledger_query, models
from services.segmentation.domain.features import CustomerFeatures, derive_features
from shared.cost_rates import RETURN_HANDLING
from shared.db.lookup import one_of

Progress = Callable[[int], None]


def _peer_group(kind: str | None, industry: str | None, size_class: str | None) -> str | None:
    if kind == "organization" and industry and size_class:
        return f"{industry}|{size_class}"
    return None


def return_handling_rate(session: Session) -> float:
    """The rate for a return without a reported handling cost, in ledger units."""
    channel, touchpoint_type = RETURN_HANDLING
    rate = session.scalar(
        select(models.cost_rates.c.rate).where(
            models.cost_rates.c.channel == channel,
            models.cost_rates.c.touchpoint_type == touchpoint_type,
        )
    )
    return float(rate or 0)


def _assemble(
    directory: dict[str, str | None],
    day_parts: Sequence[ledger_query.RawLedger],
    contact_parts: Sequence[ledger_query.RawLedger],
    as_of_day: int,
    return_rate: float,
) -> CustomerFeatures:
    # A customer may be known only from contacts (a visit adds no day measure) and not yet
    # from the directory: every part's customers count.
    ledger_ids = {cid for part in (*day_parts, *contact_parts) for cid in part["customer_id"]}
    ids = sorted(set(directory) | ledger_ids)
    index = {cid: i for i, cid in enumerate(ids)}
    size = len(ids)
    columns: dict[str, Any] = {
        "customer_id": np.array(ids, dtype=object),
        "peer_group": np.array([directory.get(cid) for cid in ids], dtype=object),
    }
    for names, parts in (
        (ledger_query.DAY_COLUMNS, day_parts),
        (ledger_query.CONTACT_COLUMNS, contact_parts),
    ):
        for name in names:
            columns[name] = np.zeros(size)
        for part in parts:
            rows = np.fromiter((index[c] for c in part["customer_id"]), dtype=np.int64)
            for name in names:
                columns[name][rows] = np.nan_to_num(part[name], nan=0.0)
    return derive_features(columns, as_of_day=as_of_day, return_handling_rate=return_rate)


def _directory_rows(session: Session, customer_ids: Sequence[str] | None) -> dict[str, str | None]:
    c = models.customers.c
    statement = select(c.customer_id, c.kind, c.industry, c.size_class)
    groups: dict[str, str | None] = {}
    if customer_ids is None:
        for row in session.execute(statement, execution_options={"yield_per": 50_000}):
            groups[row[0]] = _peer_group(row[1], row[2], row[3])
        return groups
    for start in range(0, len(customer_ids), 500):
        chunk = list(customer_ids[start : start + 500])
        for row in session.execute(statement.where(one_of(session, c.customer_id, chunk))):
            groups[row[0]] = _peer_group(row[1], row[2], row[3])
    return groups


def features_of(
    session: Session, customer_ids: Sequence[str], as_of_day: int, window_days: int
) -> CustomerFeatures:
    """Features of the given customers that the directory or the ledger knows."""
    directory = _directory_rows(session, customer_ids)
    days, contacts = ledger_query.ledger_of(session, customer_ids, as_of_day, window_days)
    return _assemble(directory, [days], [contacts], as_of_day, return_handling_rate(session))


def all_features(
    session: Session, as_of_day: int, window_days: int, progress: Progress | None = None
) -> CustomerFeatures:
    """Features of every customer the directory or the ledger knows."""
    directory = _directory_rows(session, None)
    day_parts: list[ledger_query.RawLedger] = []
    contact_parts: list[ledger_query.RawLedger] = []
    loaded = 0
    for kind, part in ledger_query.whole_ledger(session, as_of_day, window_days):
        (day_parts if kind == "days" else contact_parts).append(part)
        if kind == "days" and progress is not None:
            loaded += len(part["customer_id"])
            progress(loaded)
    return _assemble(directory, day_parts, contact_parts, as_of_day, return_handling_rate(session))
