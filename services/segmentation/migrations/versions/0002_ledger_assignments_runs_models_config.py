"""ledger assignments runs models config

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:20:46.279927
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db.types
from services.segmentation.ledger import units
from shared.cost_rates import DEFAULT_COST_RATES

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("strategic_segment", sa.String(length=64), nullable=False),
        sa.Column("thrust", sa.String(length=32), nullable=False),
        sa.Column("value_tier", sa.String(length=16), nullable=False),
        sa.Column("potential_tier", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_stage", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_reason", sa.Text(), nullable=False),
        sa.Column("needs_cluster", sa.Integer(), nullable=True),
        sa.Column("abc_class", sa.String(length=1), nullable=False),
        sa.Column("contribution_margin_3_12m", sa.BigInteger(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("as_of", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_strategic_segment", ["strategic_segment"], unique=False
        )

    op.create_table(
        "config_versions",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_config_versions")),
    )
    cost_rates = op.create_table(
        "cost_rates",
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("touchpoint_type", sa.String(length=100), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "touchpoint_type", name=op.f("pk_cost_rates")),
    )
    # The built-in rates apply until steering publishes a strategy with its own.
    op.bulk_insert(
        cost_rates,
        [
            {"channel": channel, "touchpoint_type": kind, "rate": units(rate)}
            for (channel, kind), rate in sorted(DEFAULT_COST_RATES.items())
        ],
    )
    op.create_table(
        "customer_categories",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "customer_id", "day", "category", name=op.f("pk_customer_categories")
        ),
    )
    op.create_table(
        "customer_contacts",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("touchpoint_type", sa.String(length=100), nullable=False),
        sa.Column("contacts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "customer_id", "day", "channel", "touchpoint_type", name=op.f("pk_customer_contacts")
        ),
    )
    op.create_table(
        "customer_days",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("orders", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("revenue", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cost_of_goods", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("discounts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("shipping_costs", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("other_direct_costs", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("returns", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("returned_revenue", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("return_handling", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unpriced_returns", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orders_online", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orders_field", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orders_inside", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orders_store", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orders_partner", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("service_contacts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("complaints", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("csat_sum", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("csat_answers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("nps_sum", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("nps_answers", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "day", name=op.f("pk_customer_days")),
    )
    op.create_table(
        "orders",
        sa.Column("source_system", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("ordered_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.Column("cost_of_goods", sa.BigInteger(), nullable=False),
        sa.Column("discounts", sa.BigInteger(), nullable=False),
        sa.Column("shipping_costs", sa.BigInteger(), nullable=False),
        sa.Column("other_direct_costs", sa.BigInteger(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("event_time", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_system", "order_id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_id", ["customer_id"], unique=False)

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("as_of", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("live", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_requested_at", ["requested_at"], unique=False)

    op.create_table(
        "segment_models",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_segment_models")),
    )
    op.create_table(
        "strategies",
        sa.Column("strategy_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("strategy_id", name=op.f("pk_strategies")),
    )


def downgrade() -> None:
    op.drop_table("strategies")
    op.drop_table("segment_models")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_requested_at")

    op.drop_table("runs")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_customer_id")

    op.drop_table("orders")
    op.drop_table("customer_days")
    op.drop_table("customer_contacts")
    op.drop_table("customer_categories")
    op.drop_table("cost_rates")
    op.drop_table("config_versions")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_strategic_segment")

    op.drop_table("assignments")
