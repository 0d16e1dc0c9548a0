"""latest nps

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:30:03.468271
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
        "latest_nps",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("nps", sa.Integer(), nullable=False),
        sa.Column("answered_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_latest_nps")),
    )


def downgrade() -> None:
    op.drop_table("latest_nps")
