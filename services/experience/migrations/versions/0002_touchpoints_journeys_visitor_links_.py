"""touchpoints, journeys, visitor links, segments, cost rates, journey definitions, merge journal

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:32:56.144690
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
        "cost_rates",
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("touchpoint_type", sa.String(length=100), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("strategy_id", sa.String(length=100), nullable=False),
        sa.Column("strategy_version", sa.Integer(), nullable=False),
        sa.Column("published_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "touchpoint_type", name=op.f("pk_cost_rates")),
    )
    op.create_table(
        "customer_segments",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("strategic_segment", sa.String(length=100), nullable=False),
        sa.Column("lifecycle_stage", sa.String(length=30), nullable=False),
        sa.Column("value_tier", sa.String(length=20), nullable=False),
        sa.Column("contribution_margin_3_12m", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("as_of", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_segments")),
    )
    op.create_table(
        "journey_definition_versions",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definitions", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_journey_definition_versions")),
    )
    op.create_table(
        "journeys",
        sa.Column("journey_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("journey_type", sa.String(length=50), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("stage_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_contact_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("converted_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entry_channel", sa.String(length=30), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("channel_count", sa.Integer(), nullable=False),
        sa.Column("stage_entries", sa.JSON(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("touchpoints", sa.Integer(), nullable=False),
        sa.Column("contacts_to_convert", sa.Integer(), nullable=True),
        sa.Column("first_response_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_inbound", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("journey_id", name=op.f("pk_journeys")),
    )
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.create_index("ix_journeys_customer", ["customer_id"], unique=False)
        batch_op.create_index("ix_journeys_started", ["journey_type", "started_at"], unique=False)
        batch_op.create_index("ix_journeys_status", ["status", "last_contact_at"], unique=False)

    op.create_table(
        "merge_journal",
        sa.Column("merge_id", sa.String(length=64), nullable=False),
        sa.Column("absorbed_id", sa.String(length=64), nullable=False),
        sa.Column("touchpoint_keys", sa.JSON(), nullable=False),
        sa.Column("anonymous_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("merge_id", "absorbed_id", name=op.f("pk_merge_journal")),
    )
    op.create_table(
        "touchpoints",
        sa.Column("touchpoint_key", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("anonymous_id", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source_system", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("touchpoint_type", sa.String(length=100), nullable=False),
        sa.Column("reported_stage", sa.String(length=100), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("effort", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("rep", sa.String(length=100), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("revenue", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("journey_id", sa.String(length=40), nullable=True),
        sa.Column("journey_type", sa.String(length=50), nullable=True),
        sa.Column("stage", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("touchpoint_key", name=op.f("pk_touchpoints")),
    )
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.create_index("ix_touchpoints_anonymous", ["anonymous_id"], unique=False)
        batch_op.create_index(
            "ix_touchpoints_customer", ["customer_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_touchpoints_occurred_at", ["occurred_at"], unique=False)

    op.create_table(
        "visitor_links",
        sa.Column("anonymous_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("linked_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("anonymous_id", name=op.f("pk_visitor_links")),
    )
    with op.batch_alter_table("visitor_links", schema=None) as batch_op:
        batch_op.create_index("ix_visitor_links_customer", ["customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visitor_links", schema=None) as batch_op:
        batch_op.drop_index("ix_visitor_links_customer")

    op.drop_table("visitor_links")
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_touchpoints_occurred_at")
        batch_op.drop_index("ix_touchpoints_customer")
        batch_op.drop_index("ix_touchpoints_anonymous")

    op.drop_table("touchpoints")
    op.drop_table("merge_journal")
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.drop_index("ix_journeys_status")
        batch_op.drop_index("ix_journeys_started")
        batch_op.drop_index("ix_journeys_customer")

    op.drop_table("journeys")
    op.drop_table("journey_definition_versions")
    op.drop_table("customer_segments")
    op.drop_table("cost_rates")
