"""merge journal

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 13:10:03.308684
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merge_journal",
        sa.Column("merge_id", sa.String(length=64), nullable=False),
        sa.Column("absorbed_id", sa.String(length=64), nullable=False),
        sa.Column("orders", sa.JSON(), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("merged_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("merge_id", "absorbed_id", name=op.f("pk_merge_journal")),
    )


def downgrade() -> None:
    op.drop_table("merge_journal")
