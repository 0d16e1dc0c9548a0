"""Customer periods by period: a range of months reads its flags from an index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 15:46:06.153048
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_periods", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_periods_period", ["period", "customer_id", "flags"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_periods", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_periods_period")
