"""parts of the view from segmentation, experience and steering; figures of segment profiles

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:38:43.400232
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_strategies",
        sa.Column("strategy_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_time", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("strategy_id", "version", name=op.f("pk_published_strategies")),
    )
    with op.batch_alter_table("published_strategies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_strategies_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "segmentation_runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("measured_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("segment_sizes", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_segmentation_runs")),
    )
    with op.batch_alter_table("segmentation_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segmentation_runs_completed_at"), ["completed_at"], unique=False
        )

    op.create_table(
        "customer_actions",
        sa.Column("action_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("action_type", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("owner_rep", sa.String(length=100), nullable=True),
        sa.Column("due_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("thrust", sa.String(length=30), nullable=True),
        sa.Column("recommended_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_time", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_customer_actions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_customer_actions")),
    )
    with op.batch_alter_table("customer_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_actions_customer_recommended",
            ["customer_id", "recommended_at"],
            unique=False,
        )

    op.create_table(
        "customer_experiences",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("journey_type", sa.String(length=100), nullable=True),
        sa.Column("journey_stage", sa.String(length=100), nullable=True),
        sa.Column("journey_status", sa.String(length=20), nullable=True),
        sa.Column("csat_mean", sa.Double(), nullable=True),
        sa.Column("csat_answers", sa.Integer(), nullable=False),
        sa.Column("last_nps", sa.Integer(), nullable=True),
        sa.Column("nps_answers", sa.Integer(), nullable=False),
        sa.Column("effort_mean", sa.Double(), nullable=True),
        sa.Column("open_complaints", sa.Integer(), nullable=False),
        sa.Column("last_contacts", sa.JSON(), nullable=False),
        sa.Column(
            "latest_touchpoint_at", shared.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_time", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_customer_experiences_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_experiences")),
    )
    op.create_table(
        "customer_segments",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("strategic_segment", sa.String(length=100), nullable=False),
        sa.Column("thrust", sa.String(length=30), nullable=False),
        sa.Column("value_tier", sa.String(length=20), nullable=False),
        sa.Column("potential_tier", sa.String(length=20), nullable=False),
        sa.Column("lifecycle_stage", sa.String(length=20), nullable=False),
        sa.Column("lifecycle_reason", sa.Text(), nullable=False),
        sa.Column("needs_cluster", sa.Integer(), nullable=True),
        sa.Column("needs_description", sa.Text(), nullable=True),
        sa.Column("abc_class", sa.String(length=1), nullable=False),
        sa.Column("revenue_12m", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("contribution_margin_3_12m", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("clv", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("share_of_wallet_gap", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("churn_risk", sa.Double(), nullable=True),
        sa.Column("p_alive", sa.Double(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("measured_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_time", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_customer_segments_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_segments")),
    )
    with op.batch_alter_table("customer_segments", schema=None) as batch_op:
        batch_op.create_index("ix_customer_segments_churn_risk", ["churn_risk"], unique=False)
        batch_op.create_index(
            "ix_customer_segments_potential_tier_customer",
            ["potential_tier", "customer_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_customer_segments_segment_customer",
            ["strategic_segment", "customer_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_customer_segments_stage_customer", ["lifecycle_stage", "customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_customer_segments_thrust_customer", ["thrust", "customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_customer_segments_value_tier_customer", ["value_tier", "customer_id"], unique=False
        )

    op.create_table(
        "segment_profile_figures",
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("computed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment", "version"],
            ["segment_profile_versions.segment", "segment_profile_versions.version"],
            name=op.f("fk_segment_profile_figures_segment_segment_profile_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("segment", "version", name=op.f("pk_segment_profile_figures")),
    )


def downgrade() -> None:
    op.drop_table("segment_profile_figures")
    with op.batch_alter_table("customer_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_segments_value_tier_customer")
        batch_op.drop_index("ix_customer_segments_thrust_customer")
        batch_op.drop_index("ix_customer_segments_stage_customer")
        batch_op.drop_index("ix_customer_segments_segment_customer")
        batch_op.drop_index("ix_customer_segments_potential_tier_customer")
        batch_op.drop_index("ix_customer_segments_churn_risk")

    op.drop_table("customer_segments")
    op.drop_table("customer_experiences")
    with op.batch_alter_table("customer_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_actions_customer_recommended")

    op.drop_table("customer_actions")
    with op.batch_alter_table("segmentation_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segmentation_runs_completed_at"))

    op.drop_table("segmentation_runs")
    with op.batch_alter_table("published_strategies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_strategies_published_at"))

    op.drop_table("published_strategies")
