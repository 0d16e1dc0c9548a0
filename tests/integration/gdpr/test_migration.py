"""Migration 0004 adds the GDPR tables and removes them again (SQLite and PostgreSQL)."""

from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import inspect

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.db.engine import make_engine
from shared.db.migrations import alembic_config

pytestmark = pytest.mark.integration

GDPR_TABLES = {"erasures", "erasure_completions", "suppressions"}


def test_gdpr_tables_come_with_0004_and_go_with_its_downgrade(
    database_factory: Callable[[str], str],
) -> None:
    url = database_factory("profiles_0004")
    config = alembic_config(PROFILES.name, PROFILES.migrations_dir, url)
    engine = make_engine(url)
    try:
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= GDPR_TABLES

        command.downgrade(config, "0003")

        with engine.connect() as connection:
            assert not GDPR_TABLES & set(inspect(connection).get_table_names())
        command.upgrade(config, "head")
    finally:
        engine.dispose()
