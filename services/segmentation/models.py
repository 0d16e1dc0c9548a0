"""Tables of segmentation: the customer ledger, assignments, runs, models and configuration.

The ledger keeps, per customer and UTC day, what its orders, returns and contacts added up
to. Amounts are integers in ten-thousandths of the currency unit, so sums are exact on every
database and load into numpy without conversion; days are counted from 1970-01-01.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from shared.customer_directory import customers_table
from shared.db.metadata import new_metadata
from shared.db.types import UTCDateTime
from shared.messaging.tables import messaging_tables
from shared.tombstones import erased_keys_table

metadata = new_metadata()
messaging = messaging_tables(metadata)
customers = customers_table(metadata)

DAY_MEASURES = (
    "orders",
    "revenue",
    "cost_of_goods",
    "discounts",
    "shipping_costs",
    "other_direct_costs",
    "returns",
    "returned_revenue",
    "return_handling",
    "unpriced_returns",
    "orders_online",
    "orders_field",
    "orders_inside",
    "orders_store",
    "orders_partner",
    "service_contacts",
    "complaints",
    "csat_sum",
    "csat_answers",
    "nps_sum",
    "nps_answers",
)
"""Additive measures of a customer day; merging two customers adds them up."""

customer_days = Table(
    "customer_days",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in DAY_MEASURES),
)

customer_categories = Table(
    "customer_categories",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("category", String(200), primary_key=True),
    Column("revenue", BigInteger, nullable=False),
)

customer_contacts = Table(
    "customer_contacts",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("channel", String(50), primary_key=True),
    Column("touchpoint_type", String(100), primary_key=True),
    Column("contacts", BigInteger, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("source_system", String(100), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("ordered_at", UTCDateTime, nullable=False),
    Column("day", Integer, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("revenue", BigInteger, nullable=False),
    Column("cost_of_goods", BigInteger, nullable=False),
    Column("discounts", BigInteger, nullable=False),
    Column("shipping_costs", BigInteger, nullable=False),
    Column("other_direct_costs", BigInteger, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("event_time", UTCDateTime, nullable=False),
    Index("ix_orders_customer_id", "customer_id"),
)

latest_nps = Table(
    "latest_nps",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("nps", Integer, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
)
"""A customer's most recent likelihood-to-recommend answer: the newest wins, not the sum."""

merge_journal = Table(
    "merge_journal",
    metadata,
    Column("merge_id", String(64), primary_key=True),
    Column("absorbed_id", String(64), primary_key=True),
    Column("ledger", JSON, nullable=False),
    Column("orders", JSON, nullable=False),
)
"""What each merge moved from an absorbed customer to the survivor, so an unmerge returns it."""

cost_rates = Table(
    "cost_rates",
    metadata,
    Column("channel", String(50), primary_key=True),
    Column("touchpoint_type", String(100), primary_key=True),
    Column("rate", BigInteger, nullable=False),
)

strategies = Table(
    "strategies",
    metadata,
    Column("strategy_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)

config_versions = Table(
    "config_versions",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("config", JSON, nullable=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("comment", Text, nullable=True),
)

segment_models = Table(
    "segment_models",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("run_id", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("parameters", JSON, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("phase", String(20), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("as_of", UTCDateTime, nullable=False),
    Column("live", Integer, nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("heartbeat_at", UTCDateTime, nullable=True),
    Column("summary", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_runs_requested_at", "requested_at"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("strategic_segment", String(64), nullable=False),
    Column("thrust", String(32), nullable=False),
    Column("value_tier", String(16), nullable=False),
    Column("potential_tier", String(16), nullable=False),
    Column("lifecycle_stage", String(16), nullable=False),
    Column("lifecycle_reason", Text, nullable=False),
    Column("needs_cluster", Integer, nullable=True),
    Column("abc_class", String(1), nullable=False),
    Column("contribution_margin_3_12m", BigInteger, nullable=False),
    Column("clv", Float, nullable=True),
    Column("churn_risk", Float, nullable=True),
    Column("scores", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("run_id", String(64), nullable=True),
    Column("as_of", UTCDateTime, nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    Index("ix_assignments_strategic_segment", "strategic_segment"),
)

erased_keys = erased_keys_table(metadata)
"""Hashes of erased customers' ids: their orders, contacts or assignments that arrive after
the erasure (they travel on other topics) are recognised and dropped, never stored."""
