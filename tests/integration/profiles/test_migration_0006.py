"""Migration 0006 adds the tables of the view's parts and of recorded segment figures, with
the indexes the customer list's filters walk, and removes them again."""

from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import inspect

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.db.engine import make_engine
from shared.db.migrations import alembic_config

pytestmark = pytest.mark.integration

TABLES = {
    "customer_segments",
    "customer_experiences",
    "customer_actions",
    "published_strategies",
    "segmentation_runs",
    "segment_profile_figures",
}


def test_parts_tables_come_with_0006_and_go_with_its_downgrade(
    database_factory: Callable[[str], str],
) -> None:
    url = database_factory("profiles_0006")
    config = alembic_config(PROFILES.name, PROFILES.migrations_dir, url)
    engine = make_engine(url)
    try:
        command.upgrade(config, "head")
        with engine.connect() as connection:
            inspector = inspect(connection)
            assert set(inspector.get_table_names()) >= TABLES
            indexed = {
                tuple(index["column_names"]) for index in inspector.get_indexes("customer_segments")
            }
        assert {
            ("strategic_segment", "customer_id"),
            ("lifecycle_stage", "customer_id"),
            ("thrust", "customer_id"),
            ("value_tier", "customer_id"),
            ("potential_tier", "customer_id"),
            ("churn_risk",),
        } <= indexed

        command.downgrade(config, "0005")

        with engine.connect() as connection:
            assert not TABLES & set(inspect(connection).get_table_names())
        command.upgrade(config, "head")
    finally:
        engine.dispose()
