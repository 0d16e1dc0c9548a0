"""reps payouts consents actions alerts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:47:23.681743
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("action_type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("owner_rep", sa.String(length=100), nullable=True),
        sa.Column("due_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("thrust", sa.String(length=32), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recommended_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("ix_actions_owner_rep_status", ["owner_rep", "status"], unique=False)
        batch_op.create_index("ix_actions_status", ["status"], unique=False)

    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("raised_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dedup_key", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_alerts_dedup_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_raised_at", ["raised_at"], unique=False)

    op.create_table(
        "customer_consents",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_consents")),
    )
    op.create_table(
        "kpi_status",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("member", sa.String(length=200), nullable=False),
        sa.Column("kpi", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("period", "dimension", "member", "kpi", name=op.f("pk_kpi_status")),
    )
    op.create_table(
        "payout_statements",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("rep_id", sa.String(length=100), nullable=False),
        sa.Column("plan_id", sa.String(length=100), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column("computed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period", "rep_id", name=op.f("pk_payout_statements")),
    )
    op.create_table(
        "reps",
        sa.Column("rep_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("team", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rep_id", name=op.f("pk_reps")),
    )
    with op.batch_alter_table("kpi_aggregates", schema=None) as batch_op:
        batch_op.alter_column(
            "member",
            existing_type=sa.VARCHAR(length=100),
            type_=sa.String(length=200),
            existing_nullable=False,
        )

    with op.batch_alter_table("kpi_state", schema=None) as batch_op:
        batch_op.alter_column(
            "member",
            existing_type=sa.VARCHAR(length=100),
            type_=sa.String(length=200),
            existing_nullable=False,
        )

    with op.batch_alter_table("kpi_state_snapshots", schema=None) as batch_op:
        batch_op.alter_column(
            "member",
            existing_type=sa.VARCHAR(length=100),
            type_=sa.String(length=200),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("kpi_state_snapshots", schema=None) as batch_op:
        batch_op.alter_column(
            "member",
            existing_type=sa.String(length=200),
            type_=sa.VARCHAR(length=100),
            existing_nullable=False,
        )

    with op.batch_alter_table("kpi_state", schema=None) as batch_op:
        batch_op.alter_column(
            "member",
            existing_type=sa.String(length=200),
            type_=sa.VARCHAR(length=100),
            existing_nullable=False,
        )

    with op.batch_alter_table("kpi_aggregates", schema=None) as batch_op:
        batch_op.alter_column(
            "member",
            existing_type=sa.String(length=200),
            type_=sa.VARCHAR(length=100),
            existing_nullable=False,
        )

    op.drop_table("reps")
    op.drop_table("payout_statements")
    op.drop_table("kpi_status")
    op.drop_table("customer_consents")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_raised_at")

    op.drop_table("alerts")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_status")
        batch_op.drop_index("ix_actions_owner_rep_status")
        batch_op.drop_index("ix_actions_customer_id")

    op.drop_table("actions")
