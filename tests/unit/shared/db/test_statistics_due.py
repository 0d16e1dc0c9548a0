"""Which tables the statistics keeper analyses: enough changes since the last analysis."""

import pytest
from sqlalchemy import create_engine

from shared.db.statistics import CHANGED_SHARE, MIN_CHANGES, StatisticsKeeper, TableChanges, due


def test_a_never_analysed_table_is_due_after_the_minimum_of_changes() -> None:
    tables = [
        TableChanges("inbox", MIN_CHANGES, 0),
        TableChanges("outbox", MIN_CHANGES - 1, 0),
    ]

    assert due(tables) == ["inbox"]


def test_a_large_table_is_due_once_a_share_of_it_changed() -> None:
    rows = 100_000
    threshold = MIN_CHANGES + CHANGED_SHARE * rows
    tables = [
        TableChanges("customers", int(threshold), rows),
        TableChanges("orders", int(threshold) - 1, rows),
        TableChanges("customer_references", MIN_CHANGES, rows),
    ]

    assert due(tables) == ["customers"]


def test_names_come_sorted_so_every_worker_takes_locks_in_one_order() -> None:
    tables = [TableChanges(name, 5_000, 0) for name in ("outbox", "customers", "inbox")]

    assert due(tables) == ["customers", "inbox", "outbox"]


def test_the_keeper_refuses_sqlite() -> None:
    with pytest.raises(ValueError, match="PostgreSQL only"):
        StatisticsKeeper(create_engine("sqlite://"), ["customers"], 5.0)
