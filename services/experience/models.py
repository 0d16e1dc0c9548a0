"""Tables of experience: touchpoints, journeys, visitor links, what it learns from others.

Touchpoints of anonymous visitors have no customer id until profiles links the visitor;
journeys are built for customers only. Segments and cost rates are copies of what
segmentation and steering publish, kept to filter and price the measures.
"""

from sqlalchemy import JSON, Column, Date, Float, Index, Integer, String, Table, Text

from services.experience.domain.contact_cells import AMOUNTS as CELL_AMOUNTS
from services.experience.domain.contact_cells import COUNTS as CELL_COUNTS
from shared.customer_directory import customers_table
from shared.db.metadata import new_metadata
from shared.db.types import Money, UTCDateTime
from shared.messaging.tables import messaging_tables
from shared.tombstones import erased_keys_table

metadata = new_metadata()
messaging = messaging_tables(metadata)
customers = customers_table(metadata)

touchpoints = Table(
    "touchpoints",
    metadata,
    Column("touchpoint_key", String(200), primary_key=True),
    Column("customer_id", String(64)),
    Column("anonymous_id", String(200)),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("source_system", String(100), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("touchpoint_type", String(100), nullable=False),
    Column("reported_stage", String(100)),
    Column("direction", String(10)),
    Column("csat", Integer),
    Column("nps", Integer),
    Column("effort", Integer),
    Column("outcome", String(100)),
    Column("duration_seconds", Integer),
    Column("rep", String(100)),
    Column("cost", Money()),
    Column("revenue", Money()),
    Column("journey_id", String(40)),
    Column("journey_type", String(50)),
    Column("stage", String(100)),
    Index("ix_touchpoints_customer", "customer_id", "occurred_at"),
    Index("ix_touchpoints_anonymous", "anonymous_id"),
    Index("ix_touchpoints_occurred_at", "occurred_at"),
    Index("ix_touchpoints_kind", "touchpoint_type", "channel", "occurred_at", "customer_id"),
)

journeys = Table(
    "journeys",
    metadata,
    Column("journey_id", String(40), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("journey_type", String(50), nullable=False),
    Column("stage", String(100), nullable=False),
    Column("stage_index", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("last_contact_at", UTCDateTime, nullable=False),
    Column("converted_at", UTCDateTime),
    Column("entry_channel", String(30), nullable=False),
    Column("channels", JSON, nullable=False),
    Column("channel_count", Integer, nullable=False),
    Column("stage_entries", JSON, nullable=False),
    Column("path", Text, nullable=False),
    Column("touchpoints", Integer, nullable=False),
    Column("contacts_to_convert", Integer),
    Column("first_response_at", UTCDateTime),
    Column("opened_inbound", Integer, nullable=False),
    Index("ix_journeys_customer", "customer_id"),
    Index("ix_journeys_status", "status", "last_contact_at"),
    Index("ix_journeys_started", "journey_type", "started_at"),
    Index(
        "ix_journeys_funnel",
        "journey_type",
        "started_at",
        "entry_channel",
        "stage_index",
        "status",
        "customer_id",
    ),
)

journey_steps = Table(
    "journey_steps",
    metadata,
    Column("journey_id", String(40), primary_key=True),
    Column("step_index", Integer, primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("journey_type", String(50), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("entry_channel", String(30), nullable=False),
    Column("segment", String(100), nullable=False),
    Column("seconds", Float, nullable=False),
    Index("ix_journey_steps_customer", "customer_id"),
    # Covers every column the funnel's median times read, so they come from the index alone.
    Index(
        "ix_journey_steps_funnel",
        "journey_type",
        "step_index",
        "started_at",
        "entry_channel",
        "segment",
        "seconds",
    ),
)
"""Per journey, the time from entering stage step_index - 1 to entering step_index.

`segment` is the customer's current strategic segment ("" without one), kept in step with
the segments like the contact cells, so the funnel by segment needs no join.
"""

contact_days = Table(
    "contact_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("journey_type", String(50), primary_key=True),
    Column("stage", String(100), primary_key=True),
    Column("channel", String(30), primary_key=True),
    Column("touchpoint_type", String(100), primary_key=True),
    Column("segment", String(100), primary_key=True),
    *(Column(name, Integer, nullable=False) for name in CELL_COUNTS),
    *(Column(name, Money(), nullable=False) for name in CELL_AMOUNTS),
)
"""Customers' touchpoints summed per UTC day and cell (see domain.contact_cells)."""

contact_months = Table(
    "contact_months",
    metadata,
    Column("month", Date, primary_key=True),
    Column("journey_type", String(50), primary_key=True),
    Column("stage", String(100), primary_key=True),
    Column("channel", String(30), primary_key=True),
    Column("touchpoint_type", String(100), primary_key=True),
    Column("segment", String(100), primary_key=True),
    *(Column(name, Integer, nullable=False) for name in CELL_COUNTS),
    *(Column(name, Money(), nullable=False) for name in CELL_AMOUNTS),
)
"""The day cells summed per UTC month (`month` is its first day), for long periods."""

journey_rebuilds = Table(
    "journey_rebuilds",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("customers_total", Integer),
    Column("customers_done", Integer, nullable=False),
    Column("last_customer_id", String(64)),
    Column("finished_at", UTCDateTime),
    Column("superseded", Integer, nullable=False),
)
"""Progress of rebuilding every customer's journeys under a version of the definitions."""

summary_digests = Table(
    "summary_digests",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("digest", String(64), nullable=False),
)
"""A digest of each customer's last published experience summary: unchanged ones are not sent."""

visitor_links = Table(
    "visitor_links",
    metadata,
    Column("anonymous_id", String(200), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("linked_at", UTCDateTime, nullable=False),
    Index("ix_visitor_links_customer", "customer_id"),
)

customer_segments = Table(
    "customer_segments",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("strategic_segment", String(100), nullable=False),
    Column("lifecycle_stage", String(30), nullable=False),
    Column("value_tier", String(20), nullable=False),
    Column("contribution_margin_3_12m", Money(), nullable=False),
    Column("as_of", UTCDateTime, nullable=False),
)

cost_rates = Table(
    "cost_rates",
    metadata,
    Column("channel", String(30), primary_key=True),
    Column("touchpoint_type", String(100), primary_key=True),
    Column("rate", Money(), nullable=False),
    Column("strategy_id", String(100), nullable=False),
    Column("strategy_version", Integer, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
)

definition_versions = Table(
    "journey_definition_versions",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("definitions", JSON, nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("comment", Text),
)

merge_journal = Table(
    "merge_journal",
    metadata,
    Column("merge_id", String(64), primary_key=True),
    Column("absorbed_id", String(64), primary_key=True),
    Column("touchpoint_keys", JSON, nullable=False),
    Column("anonymous_ids", JSON, nullable=False),
)

erased_keys = erased_keys_table(metadata)
"""Hashes of erased customers' ids and their visitors' ids: events that arrive after the
erasure (they travel on other partitions) are recognised and dropped, never stored."""
