"""Migration 0002 on a database that already holds customers (SQLite and PostgreSQL)."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.db.engine import make_engine
from shared.db.migrations import alembic_config

pytestmark = pytest.mark.integration


def test_existing_customers_are_not_provisional_after_the_upgrade(
    database_factory: Callable[[str], str],
) -> None:
    url = database_factory("profiles_0002")
    config = alembic_config(PROFILES.name, PROFILES.migrations_dir, url)
    command.upgrade(config, "0001")
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO customers (customer_id, revision, kind, name, consents, "
                    "attributes, created_at, updated_at, source_time, as_of_event_id) VALUES "
                    "('cust-1', 1, 'person', 'Anna Berger', '{}', '{}', :now, :now, :now, 'e-1')"
                ),
                {"now": now},
            )

        command.upgrade(config, "head")

        with engine.connect() as connection:
            provisional = connection.execute(
                text("SELECT provisional FROM customers WHERE customer_id = 'cust-1'")
            ).scalar_one()
            tables = set(inspect(connection).get_table_names())
        assert provisional in (False, 0)
        assert {"orders", "order_returns", "anonymous_links"} <= tables

        command.downgrade(config, "0001")

        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            columns = {c["name"] for c in inspect(connection).get_columns("customers")}
        assert not {"orders", "order_returns", "anonymous_links"} & tables
        assert "provisional" not in columns
    finally:
        engine.dispose()
