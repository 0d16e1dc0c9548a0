"""gdpr erasures, completions, suppressions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 08:53:43.370221
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
        "erasures",
        sa.Column("erasure_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("erased_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("erasure_id", name=op.f("pk_erasures")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_erasures_customer_id")),
    )
    op.create_table(
        "erasure_completions",
        sa.Column("erasure_id", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=50), nullable=False),
        sa.Column("completed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted", sa.JSON(), nullable=False),
        sa.Column("anonymised", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["erasure_id"],
            ["erasures.erasure_id"],
            name=op.f("fk_erasure_completions_erasure_id_erasures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("erasure_id", "service", name=op.f("pk_erasure_completions")),
    )
    op.create_table(
        "suppressions",
        sa.Column("identifier_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("erasure_id", sa.String(length=64), nullable=False),
        sa.Column("suppressed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["erasure_id"],
            ["erasures.erasure_id"],
            name=op.f("fk_suppressions_erasure_id_erasures"),
        ),
        sa.PrimaryKeyConstraint("identifier_hash", name=op.f("pk_suppressions")),
    )
    with op.batch_alter_table("suppressions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suppressions_erasure_id"), ["erasure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("suppressions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suppressions_erasure_id"))

    op.drop_table("suppressions")
    op.drop_table("erasure_completions")
    op.drop_table("erasures")
