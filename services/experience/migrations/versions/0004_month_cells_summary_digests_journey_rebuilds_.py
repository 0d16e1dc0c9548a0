"""month cells, summary digests, journey rebuilds; cells and steps filled from stored data

Revision 0003 created the day cells and journey steps empty: a database upgraded from 0002
counted only the touchpoints and journeys that arrived afterwards. This revision computes all
of them from the stored touchpoints, segments and journeys, as the consumer keeps them. The
counts of customers erased before it are gone with their touchpoints.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:11:24.100314
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from services.experience.domain.definitions import DEFAULT_DEFINITIONS, definition_from_data
from services.experience.domain.funnel import step_seconds
from shared.db.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_months",
        sa.Column("month", sa.Date(), nullable=False),
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
            "month",
            "journey_type",
            "stage",
            "channel",
            "touchpoint_type",
            "segment",
            name=op.f("pk_contact_months"),
        ),
    )
    op.create_table(
        "journey_rebuilds",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("customers_total", sa.Integer(), nullable=True),
        sa.Column("customers_done", sa.Integer(), nullable=False),
        sa.Column("last_customer_id", sa.String(length=64), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("superseded", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_journey_rebuilds")),
    )
    op.create_table(
        "summary_digests",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_summary_digests")),
    )
    with op.batch_alter_table("journey_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_steps_funnel")
        batch_op.add_column(
            sa.Column("segment", sa.String(length=100), nullable=False, server_default="")
        )
    _fill_day_cells()
    _fill_month_cells()
    _fill_journey_steps()
    # Covers what the funnel's median times read; built after the steps are filled.
    with op.batch_alter_table("journey_steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journey_steps_funnel",
            ["journey_type", "step_index", "started_at", "entry_channel", "segment", "seconds"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("journey_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_steps_funnel")
        batch_op.drop_column("segment")
        batch_op.create_index(
            "ix_journey_steps_funnel", ["journey_type", "step_index", "started_at"], unique=False
        )
    op.drop_table("summary_digests")
    op.drop_table("journey_rebuilds")
    op.drop_table("contact_months")


MEASURES = (
    "contacts",
    "csat_n",
    "csat_sum",
    "csat_sq",
    "satisfied",
    "nps_n",
    "promoters",
    "detractors",
    "effort_n",
    "effort_sum",
    "effort_sq",
    "cost_n",
    "margin_n",
    "cost_sum",
    "margin_sum",
)
KEY = "journey_type, stage, channel, touchpoint_type, segment"
# A CSAT answer of 4 or 5 counts as satisfied, as in domain.measures at this revision.
SUMS = """
    count(*), count(t.csat), coalesce(sum(t.csat), 0), coalesce(sum(t.csat * t.csat), 0),
    coalesce(sum(CASE WHEN t.csat >= 4 THEN 1 ELSE 0 END), 0),
    count(t.nps), coalesce(sum(CASE WHEN t.nps >= 9 THEN 1 ELSE 0 END), 0),
    coalesce(sum(CASE WHEN t.nps <= 6 THEN 1 ELSE 0 END), 0),
    count(t.effort), coalesce(sum(t.effort), 0), coalesce(sum(t.effort * t.effort), 0),
    count(t.cost), count(s.contribution_margin_3_12m),
    coalesce(sum(t.cost), 0), coalesce(sum(s.contribution_margin_3_12m), 0)
"""


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _fill_day_cells() -> None:
    day = (
        "(t.occurred_at AT TIME ZONE 'UTC')::date"
        if _postgresql()
        else "substr(t.occurred_at, 1, 10)"
    )
    op.execute("DELETE FROM contact_days")
    op.execute(
        f"""
        INSERT INTO contact_days (day, {KEY}, {", ".join(MEASURES)})
        SELECT {day}, coalesce(t.journey_type, ''), coalesce(t.stage, ''), t.channel,
               t.touchpoint_type, coalesce(s.strategic_segment, ''), {SUMS}
        FROM touchpoints t LEFT JOIN customer_segments s ON s.customer_id = t.customer_id
        WHERE t.customer_id IS NOT NULL
        GROUP BY {day}, coalesce(t.journey_type, ''), coalesce(t.stage, ''), t.channel,
                 t.touchpoint_type, coalesce(s.strategic_segment, '')
        """
    )


def _fill_month_cells() -> None:
    month = "date_trunc('month', day)::date" if _postgresql() else "substr(day, 1, 7) || '-01'"
    op.execute(
        f"""
        INSERT INTO contact_months (month, {KEY}, {", ".join(MEASURES)})
        SELECT {month}, {KEY}, {", ".join(f"sum({name})" for name in MEASURES)}
        FROM contact_days GROUP BY {month}, {KEY}
        """
    )


def _fill_journey_steps() -> None:
    """Each journey's seconds from stage to stage, under the definitions in force."""
    connection = op.get_bind()
    versions = sa.table(
        "journey_definition_versions", sa.column("version"), sa.column("definitions", sa.JSON())
    )
    stored = connection.execute(
        sa.select(versions.c.definitions).order_by(versions.c.version.desc()).limit(1)
    ).scalar()
    definitions = (
        DEFAULT_DEFINITIONS
        if stored is None
        else tuple(definition_from_data(data) for data in stored)
    )
    stages = {definition.journey_type: definition.stages for definition in definitions}
    journeys = sa.table(
        "journeys",
        sa.column("journey_id"),
        sa.column("customer_id"),
        sa.column("journey_type"),
        sa.column("started_at", UTCDateTime()),
        sa.column("entry_channel"),
        sa.column("stage_entries", sa.JSON()),
    )
    segments = sa.table(
        "customer_segments", sa.column("customer_id"), sa.column("strategic_segment")
    )
    steps = sa.table(
        "journey_steps",
        sa.column("journey_id"),
        sa.column("step_index"),
        sa.column("customer_id"),
        sa.column("journey_type"),
        sa.column("started_at", UTCDateTime()),
        sa.column("entry_channel"),
        sa.column("segment"),
        sa.column("seconds"),
    )
    op.execute("DELETE FROM journey_steps")
    rows = connection.execute(
        sa.select(journeys, segments.c.strategic_segment)
        .select_from(journeys.outerjoin(segments, segments.c.customer_id == journeys.c.customer_id))
        .order_by(journeys.c.journey_id)
        .execution_options(yield_per=10_000)
    )
    for part in rows.partitions():
        found = [
            {
                "journey_id": journey.journey_id,
                "step_index": index,
                "customer_id": journey.customer_id,
                "journey_type": journey.journey_type,
                "started_at": journey.started_at,
                "entry_channel": journey.entry_channel,
                "segment": journey.strategic_segment or "",
                "seconds": seconds,
            }
            for journey in part
            if journey.journey_type in stages
            for index, seconds in step_seconds(
                stages[journey.journey_type],
                [(stage, datetime.fromisoformat(at)) for stage, at in journey.stage_entries],
            ).items()
        ]
        if found:
            connection.execute(sa.insert(steps), found)
