"""Which tables the statistics keeper analyses: those whose size moved enough since their
last analysis."""

import pytest
from sqlalchemy import create_engine

from shared.db.statistics import CHANGED_SHARE, MIN_CHANGES, StatisticsKeeper, TableChanges, due


def test_a_never_analysed_table_is_due_once_it_holds_the_minimum_of_rows() -> None:
    tables = [
        TableChanges("inbox", MIN_CHANGES, 0),
        TableChanges("outbox", MIN_CHANGES - 1, 0),
    ]

    assert due(tables) == ["inbox"]


def test_a_large_table_is_due_once_it_grew_or_shrank_by_a_share() -> None:
    rows = 100_000
    threshold = int(MIN_CHANGES + CHANGED_SHARE * rows)
    tables = [
        TableChanges("customers", rows + threshold, rows),
        TableChanges("orders", rows + threshold - 1, rows),
        TableChanges("outbox", rows - threshold, rows),
        TableChanges("customer_references", rows + MIN_CHANGES, rows),
    ]

    assert due(tables) == ["customers", "outbox"]


def test_a_table_updated_in_place_is_never_due() -> None:
    # However often its rows are updated, a table of counters keeps its size.
    assert due([TableChanges("kpi_aggregates", 2_000, 2_000)]) == []


def test_names_come_sorted_so_every_worker_takes_locks_in_one_order() -> None:
    tables = [TableChanges(name, 5_000, 0) for name in ("outbox", "customers", "inbox")]

    assert due(tables) == ["customers", "inbox", "outbox"]


def test_the_keeper_refuses_sqlite() -> None:
    with pytest.raises(ValueError, match="PostgreSQL only"):
        StatisticsKeeper(create_engine("sqlite://"), ["customers"], 5.0)
