"""orders, returns, anonymous links, provisional customers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:32:37.730047
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
        "anonymous_links",
        sa.Column("anonymous_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("linked_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("as_of_event_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_anonymous_links_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("anonymous_id", name=op.f("pk_anonymous_links")),
    )
    with op.batch_alter_table("anonymous_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_anonymous_links_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "order_returns",
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("returned_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("handling_cost", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("received_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_order_returns_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "source_system", "order_id", "event_id", name=op.f("pk_order_returns")
        ),
    )
    with op.batch_alter_table("order_returns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_returns_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "orders",
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("placed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("net_revenue", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("cost_of_goods", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("discount", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("shipping_cost", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("other_direct_costs", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("sales_rep", sa.String(length=100), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("as_of_event_id", sa.String(length=200), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_orders_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_system", "order_id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provisional", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("provisional")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_customer_id"))

    op.drop_table("orders")
    with op.batch_alter_table("order_returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_returns_customer_id"))

    op.drop_table("order_returns")
    with op.batch_alter_table("anonymous_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anonymous_links_customer_id"))

    op.drop_table("anonymous_links")
