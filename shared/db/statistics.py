"""Planner statistics kept current on PostgreSQL while a service's tables grow.

The consumers and the ingestion look rows up by arrays of keys (`key = ANY(...)`). On a
table analysed when it was small (or never), the planner takes it for nearly empty and reads
every row of the key's leading column instead of probing the primary key: each lookup then
costs time in proportion to the table. A fresh installation importing its history is exactly
that case: at 60,000 customers, looking up 1,000 e-mail addresses took 9.9 ms of the
server's time instead of 1.5 ms, and more with every batch imported. Autovacuum analyses a
database at most once a minute, and not at all where it is switched off.

So each worker analyses a table of its service once its number of rows moved away from the
number at its last analysis (by whomever) by `MIN_CHANGES` rows plus `CHANGED_SHARE` of
that number. Updates in place leave the count alone: a table of counters updated thousands
of times a second keeps its plans, and the rest is autovacuum's. A table growing from nothing
to a million rows is analysed about thirty times, early ones costing little, since ANALYZE
reads a sample of at most 30,000 rows at the default statistics target.
"""

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

MIN_CHANGES = 1000
CHANGED_SHARE = 0.2
# One worker of a service analyses at a time: the others skip their round.
_LOCK_KEY = 0x5354_4154  # "STAT"

_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")
_CHANGES = text(
    """
    SELECT s.relname AS name, s.n_live_tup AS live_rows,
           greatest(c.reltuples, 0) AS analysed_rows
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables)
    """
)


@dataclass(frozen=True)
class TableChanges:
    name: str
    live_rows: int
    """Rows the table has now, as the server counts inserts and deletes."""
    analysed_rows: float
    """Rows the table had at its last analysis (0 if never analysed)."""


def due(tables: Iterable[TableChanges]) -> list[str]:
    """The tables whose size moved enough since their last analysis, by name."""
    return sorted(
        t.name
        for t in tables
        if abs(t.live_rows - t.analysed_rows) >= MIN_CHANGES + CHANGED_SHARE * t.analysed_rows
    )


class StatisticsKeeper:
    """Analyses the service's tables that changed enough, every `interval_seconds`."""

    name = "statistics"

    def __init__(self, engine: Engine, tables: Sequence[str], interval_seconds: float) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("planner statistics are kept on PostgreSQL only")
        self._engine = engine
        self._tables = sorted(tables)
        self._interval = interval_seconds

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self._interval):
            try:
                self.analyse_due()
            except Exception as error:
                log.warning("cannot keep planner statistics", extra={"error": repr(error)})

    def analyse_due(self) -> list[str]:
        """Analyse every table that is due; return their names (none while another worker
        of the service is at it)."""
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not conn.execute(_TRY_LOCK, {"key": _LOCK_KEY}).scalar_one():
                return []
            try:
                rows = conn.execute(_CHANGES, {"tables": self._tables}).all()
                names = due(TableChanges(r.name, r.live_rows, r.analysed_rows) for r in rows)
                quote = self._engine.dialect.identifier_preparer.quote
                for name in names:
                    conn.execute(text(f"ANALYZE {quote(name)}"))
            finally:
                conn.execute(_UNLOCK, {"key": _LOCK_KEY})
        if names:
            log.info("analysed %s", ", ".join(names))
        return names
