"""assignment clv and churn risk

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:05:19.858484
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clv", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("churn_risk", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("churn_risk")
        batch_op.drop_column("clv")
