"""contact day cells, journey steps, analytics indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:45:42.256988
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
        "contact_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("journey_type", sa.String(length=50), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("touchpoint_type", sa.String(length=100), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("csat_n", sa.Integer(), nullable=False),
        sa.Column("csat_sum", sa.Integer(), nullable=False),
        sa.Column("csat_sq", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("nps_n", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.Column("effort_n", sa.Integer(), nullable=False),
        sa.Column("effort_sum", sa.Integer(), nullable=False),
        sa.Column("effort_sq", sa.Integer(), nullable=False),
        sa.Column("cost_n", sa.Integer(), nullable=False),
        sa.Column("margin_n", sa.Integer(), nullable=False),
        sa.Column("cost_sum", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("margin_sum", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "journey_type",
            "stage",
            "channel",
            "touchpoint_type",
            "segment",
            name=op.f("pk_contact_days"),
        ),
    )
    op.create_table(
        "journey_steps",
        sa.Column("journey_id", sa.String(length=40), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("journey_type", sa.String(length=50), nullable=False),
        sa.Column("started_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entry_channel", sa.String(length=30), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("journey_id", "step_index", name=op.f("pk_journey_steps")),
    )
    with op.batch_alter_table("journey_steps", schema=None) as batch_op:
        batch_op.create_index("ix_journey_steps_customer", ["customer_id"], unique=False)
        batch_op.create_index(
            "ix_journey_steps_funnel", ["journey_type", "step_index", "started_at"], unique=False
        )

    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journeys_funnel",
            ["journey_type", "started_at", "entry_channel", "stage_index", "status", "customer_id"],
            unique=False,
        )

    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touchpoints_kind",
            ["touchpoint_type", "channel", "occurred_at", "customer_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_touchpoints_kind")

    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.drop_index("ix_journeys_funnel")

    with op.batch_alter_table("journey_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_steps_funnel")
        batch_op.drop_index("ix_journey_steps_customer")

    op.drop_table("journey_steps")
    op.drop_table("contact_days")
