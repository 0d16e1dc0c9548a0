"""Customer activity: the monthly distinct-count flags as bit masks over blocks of 60 months,
derived from the monthly rows of customer_periods

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 15:53:21.509417
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BLOCK = 60
MASKS = {"ordered": 1, "contacted": 2, "unprofitable": 4}
CHUNK = 10_000


def upgrade() -> None:
    activity = op.create_table(
        "customer_activity",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("first_month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ordered", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("contacted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unprofitable", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "first_month", name=op.f("pk_customer_activity")),
    )
    assert activity is not None
    connection = op.get_bind()
    months = connection.execute(
        sa.text(
            "SELECT customer_id, period, flags FROM customer_periods "
            "WHERE length(period) = 7 AND period NOT LIKE '%Q%' ORDER BY customer_id"
        )
    )
    rows: dict[tuple[str, int], dict[str, int]] = {}
    for customer_id, period, flags in months:
        index = int(period[:4]) * 12 + int(period[5:]) - 1
        first = index - index % BLOCK
        row = rows.setdefault((customer_id, first), dict.fromkeys(MASKS, 0))
        for name, flag in MASKS.items():
            if flags & flag:
                row[name] |= 1 << (index - first)
        if len(rows) >= CHUNK:
            _store(connection, activity, rows, keep_last=customer_id)
    _store(connection, activity, rows, keep_last=None)


def _store(
    connection: sa.Connection,
    activity: sa.Table,
    rows: dict[tuple[str, int], dict[str, int]],
    keep_last: str | None,
) -> None:
    """Insert the finished customers' rows (all but `keep_last`'s, which may grow)."""
    done = [key for key in rows if key[0] != keep_last]
    if done:
        connection.execute(
            sa.insert(activity),
            [{"customer_id": c, "first_month": f, **rows.pop((c, f))} for c, f in done],
        )


def downgrade() -> None:
    op.drop_table("customer_activity")
