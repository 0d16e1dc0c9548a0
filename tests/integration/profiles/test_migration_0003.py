"""Migration 0003 indexes the e-mails and phones of customers stored before it."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.db.engine import make_engine
from shared.db.migrations import alembic_config

pytestmark = pytest.mark.integration

INSERT_CUSTOMER = text(
    "INSERT INTO customers (customer_id, revision, kind, name, email, phone, consents, "
    "attributes, created_at, updated_at, source_time, as_of_event_id) VALUES "
    "(:cid, 1, 'person', 'Anna Berger', :email, :phone, '{}', '{}', :now, :now, :now, 'e-1')"
)


def test_existing_customers_get_their_identifiers_and_the_downgrade_removes_the_tables(
    database_factory: Callable[[str], str],
) -> None:
    url = database_factory("profiles_0003")
    config = alembic_config(PROFILES.name, PROFILES.migrations_dir, url)
    command.upgrade(config, "0002")
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                INSERT_CUSTOMER,
                [
                    {"cid": "c-1", "email": " Anna@Berger.AT", "phone": "0171 1234567", "now": now},
                    {"cid": "c-2", "email": None, "phone": "12345", "now": now},
                ],
            )

        command.upgrade(config, "head")

        with engine.connect() as connection:
            identifiers = connection.execute(
                text("SELECT kind, value, customer_id FROM customer_identifiers ORDER BY kind")
            ).all()
            merged_into = connection.execute(
                text("SELECT merged_into FROM customers WHERE customer_id = 'c-1'")
            ).scalar_one()
        assert [tuple(row) for row in identifiers] == [
            ("email", "anna@berger.at", "c-1"),
            ("phone", "+491711234567", "c-1"),
        ]
        assert merged_into is None

        command.downgrade(config, "0002")

        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            columns = {c["name"] for c in inspect(connection).get_columns("customers")}
        assert not {"customer_identifiers", "identity_conflicts", "customer_merges"} & tables
        assert "merged_into" not in columns
    finally:
        engine.dispose()
