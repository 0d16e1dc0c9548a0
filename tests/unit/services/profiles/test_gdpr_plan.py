"""Every profiles table that names a customer is covered by erasure and export."""

from sqlalchemy import Table

from services.profiles.gdpr import ANONYMISED, DELETED, KEPT
from services.profiles.gdpr_records import NOT_RECORDS, customer_columns
from services.profiles.models import metadata

PLAN = {**DELETED, **ANONYMISED, **KEPT}


def _naming_a_customer() -> list[Table]:
    return [table for table in metadata.sorted_tables if customer_columns(table)]


def test_every_table_naming_a_customer_says_what_erasure_does_with_it() -> None:
    unplanned = [t.name for t in _naming_a_customer() if t.name not in PLAN]

    assert unplanned == [], "add these tables to DELETED, ANONYMISED or KEPT in gdpr.py"


def test_erasure_finds_the_customer_by_every_column_that_names_one() -> None:
    for table in _naming_a_customer():
        assert set(customer_columns(table)) <= set(PLAN[table.name]), table.name


def test_every_planned_column_exists() -> None:
    for name, columns in PLAN.items():
        table = metadata.tables.get(name)
        assert table is not None, name
        assert all(column in table.c for column in columns), name


def test_export_covers_every_table_naming_a_customer() -> None:
    exported = {t.name for t in _naming_a_customer() if t.name not in NOT_RECORDS}

    assert exported | {"customers", "erasures"} == {t.name for t in _naming_a_customer()}
