"""merge journal

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:27:58.924503
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merge_journal",
        sa.Column("merge_id", sa.String(length=64), nullable=False),
        sa.Column("absorbed_id", sa.String(length=64), nullable=False),
        sa.Column("ledger", sa.JSON(), nullable=False),
        sa.Column("orders", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("merge_id", "absorbed_id", name=op.f("pk_merge_journal")),
    )


def downgrade() -> None:
    op.drop_table("merge_journal")
