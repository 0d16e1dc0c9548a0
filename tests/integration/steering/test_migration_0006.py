"""Migration 0006 derives each customer's activity masks from the monthly flags it already
holds, so that ranges of months count the history from before the upgrade."""

from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import text

from services.steering import activity
from services.steering.bootstrap import DEFINITION as STEERING
from shared.db.engine import make_engine
from shared.db.migrations import alembic_config

pytestmark = pytest.mark.integration


def test_0006_derives_the_activity_masks_from_the_monthly_flags(
    database_factory: Callable[[str], str],
) -> None:
    url = database_factory("steering_0006")
    config = alembic_config(STEERING.name, STEERING.migrations_dir, url)
    engine = make_engine(url)
    try:
        command.upgrade(config, "0005")
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO customer_periods VALUES (:c, :p, :f)"),
                [
                    {"c": "a", "p": "2025-01", "f": 1},
                    {"c": "a", "p": "2025-03", "f": 3},
                    {"c": "a", "p": "2025-Q1", "f": 3},  # quarters and years are not months
                    {"c": "a", "p": "2025", "f": 3},
                    {"c": "a", "p": "2030-02", "f": 4},  # the next block of 60 months
                    {"c": "b", "p": "2029-12", "f": 2},
                ],
            )

        command.upgrade(config, "0006")

        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT customer_id, first_month, ordered, contacted, unprofitable "
                    "FROM customer_activity ORDER BY customer_id, first_month"
                )
            ).all()
        block = activity.month_index("2025-01")
        assert block % activity.BLOCK == 0
        assert [tuple(row) for row in rows] == [
            ("a", block, 0b101, 0b100, 0),
            ("a", block + 60, 0, 0, 0b10),
            ("b", block, 0, 1 << 59, 0),
        ]
        command.downgrade(config, "0005")
        command.upgrade(config, "head")
    finally:
        engine.dispose()
