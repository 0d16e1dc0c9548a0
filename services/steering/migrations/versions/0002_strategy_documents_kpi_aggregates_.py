"""strategy documents, KPI aggregates, customer facts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:33:47.411746
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "closed_periods",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("closed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_closed_periods")),
    )
    op.create_table(
        "customer_facts",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("strategic_segment", sa.String(length=64), nullable=True),
        sa.Column("thrust", sa.String(length=32), nullable=True),
        sa.Column("value_tier", sa.String(length=16), nullable=True),
        sa.Column("potential_tier", sa.String(length=16), nullable=True),
        sa.Column("lifecycle_stage", sa.String(length=16), nullable=True),
        sa.Column("clv", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("share_of_wallet_gap", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("contribution_margin_3_12m", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("owner_rep", sa.String(length=100), nullable=True),
        sa.Column("first_order_day", sa.Integer(), nullable=True),
        sa.Column("assigned_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_facts")),
    )
    op.create_table(
        "customer_periods",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "period", name=op.f("pk_customer_periods")),
    )
    op.create_table(
        "document_audit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_audit")),
    )
    with op.batch_alter_table("document_audit", schema=None) as batch_op:
        batch_op.create_index("ix_document_audit_document", ["kind", "document_id"], unique=False)

    op.create_table(
        "document_versions",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("activated_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "kind", "document_id", "version", name=op.f("pk_document_versions")
        ),
    )
    op.create_table(
        "kpi_aggregates",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("member", sa.String(length=100), nullable=False),
        sa.Column("revenue", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cost_of_goods", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("discounts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("direct_costs", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("returned_revenue", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("returned_cost_of_goods", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cost_to_serve", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orders", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("target_revenue", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unprofitable_margin", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("active_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("new_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("contacted_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unprofitable_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lost_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("profitable_lost", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("csat_sum", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("csat_answers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("nps_promoters", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("nps_detractors", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("nps_answers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("journeys_converted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("journeys_abandoned", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("late_events", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("period", "dimension", "member", name=op.f("pk_kpi_aggregates")),
    )
    op.create_table(
        "kpi_state",
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("member", sa.String(length=100), nullable=False),
        sa.Column("customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("base_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clv", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("share_of_wallet_gap", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unprofitable_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("contribution_margin_3_12m", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("dimension", "member", name=op.f("pk_kpi_state")),
    )
    op.create_table(
        "kpi_state_snapshots",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("member", sa.String(length=100), nullable=False),
        sa.Column("customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("base_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clv", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("share_of_wallet_gap", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unprofitable_customers", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("contribution_margin_3_12m", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "dimension", "member", name=op.f("pk_kpi_state_snapshots")
        ),
    )
    op.create_table(
        "orders",
        sa.Column("source_system", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=8), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("event_time", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_system", "order_id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_id", ["customer_id"], unique=False)

    op.create_table(
        "document_approvals",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("approved_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["kind", "document_id", "version"],
            [
                "document_versions.kind",
                "document_versions.document_id",
                "document_versions.version",
            ],
            name=op.f("fk_document_approvals_kind_document_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "kind", "document_id", "version", "department", name=op.f("pk_document_approvals")
        ),
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_table("document_approvals")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_customer_id")

    op.drop_table("orders")
    op.drop_table("kpi_state_snapshots")
    op.drop_table("kpi_state")
    op.drop_table("kpi_aggregates")
    op.drop_table("document_versions")
    with op.batch_alter_table("document_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_document_audit_document")

    op.drop_table("document_audit")
    op.drop_table("customer_periods")
    op.drop_table("customer_facts")
    op.drop_table("closed_periods")
    # ### end Alembic commands ###
