"""Tables of steering: documents, KPI aggregates, customer facts, reps, payouts, actions,
alerts, outbox and inbox.

Amounts in the aggregates are integers in ten-thousandths of the currency unit, so sums are
exact on every database; they become Decimal with two places when read.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from shared.customer_directory import customers_table
from shared.db.metadata import new_metadata
from shared.db.types import BigIntId, UTCDateTime
from shared.messaging.tables import messaging_tables
from shared.tombstones import erased_keys_table

metadata = new_metadata()
messaging = messaging_tables(metadata)
customers = customers_table(metadata)

document_versions = Table(
    "document_versions",
    metadata,
    Column("kind", String(30), primary_key=True),
    Column("document_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("status", String(20), nullable=False),
    Column("content", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("activated_at", UTCDateTime, nullable=True),
)
"""Versions of approved documents (kind `strategy` or `incentive_plan`)."""

document_approvals = Table(
    "document_approvals",
    metadata,
    Column("kind", String(30), primary_key=True),
    Column("document_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("department", String(50), primary_key=True),
    Column("approved_by", String(200), nullable=False),
    Column("approved_at", UTCDateTime, nullable=False),
    Column("comment", String(1000), nullable=True),
    ForeignKeyConstraint(
        ["kind", "document_id", "version"],
        ["document_versions.kind", "document_versions.document_id", "document_versions.version"],
        ondelete="CASCADE",
    ),
)

document_audit = Table(
    "document_audit",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    Column("kind", String(30), nullable=False),
    Column("document_id", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("department", String(50), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("changed_fields", JSON, nullable=False),
    Column("comment", String(1000), nullable=True),
    Index("ix_document_audit_document", "kind", "document_id"),
)

FLOW_MEASURES = (
    "revenue",
    "cost_of_goods",
    "discounts",
    "direct_costs",
    "returned_revenue",
    "returned_cost_of_goods",
    "cost_to_serve",
    "orders",
    "target_revenue",
    "unprofitable_margin",
    "active_customers",
    "new_customers",
    "contacted_customers",
    "unprofitable_customers",
    "lost_customers",
    "profitable_lost",
    "csat_sum",
    "csat_answers",
    "nps_promoters",
    "nps_detractors",
    "nps_answers",
    "journeys_converted",
    "journeys_abandoned",
    "late_events",
)
"""What events add to a period of a dimension member; they add up when rows meet."""

kpi_aggregates = Table(
    "kpi_aggregates",
    metadata,
    Column("period", String(8), primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("member", String(200), primary_key=True),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in FLOW_MEASURES),
)
"""Per period (2026-11, 2026-Q4, 2026), dimension and member: the sums of FLOW_MEASURES."""

STATE_MEASURES = (
    "customers",
    "base_customers",
    "clv",
    "share_of_wallet_gap",
    "unprofitable_customers",
    "contribution_margin_3_12m",
)
"""What the current segment assignments add up to per dimension member."""

kpi_state = Table(
    "kpi_state",
    metadata,
    Column("dimension", String(16), primary_key=True),
    Column("member", String(200), primary_key=True),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in STATE_MEASURES),
)

kpi_state_snapshots = Table(
    "kpi_state_snapshots",
    metadata,
    Column("period", String(8), primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("member", String(200), primary_key=True),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in STATE_MEASURES),
)
"""kpi_state as it stood when a month was closed, so later months compare against it."""

customer_facts = Table(
    "customer_facts",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("strategic_segment", String(64), nullable=True),
    Column("thrust", String(32), nullable=True),
    Column("value_tier", String(16), nullable=True),
    Column("potential_tier", String(16), nullable=True),
    Column("lifecycle_stage", String(16), nullable=True),
    Column("clv", BigInteger, nullable=False, server_default="0"),
    Column("share_of_wallet_gap", BigInteger, nullable=False, server_default="0"),
    Column("contribution_margin_3_12m", BigInteger, nullable=False, server_default="0"),
    Column("region", String(100), nullable=True),
    Column("owner_rep", String(100), nullable=True),
    Column("first_order_day", Integer, nullable=True),
    Column("assigned_at", UTCDateTime, nullable=True),
)
"""What steering knows of a customer: its assignment, and the members it is counted under."""

customer_periods = Table(
    "customer_periods",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("period", String(8), primary_key=True),
    Column("flags", Integer, nullable=False),
)
"""Which distinct counts a customer is already in for a period (bit flags)."""

customer_activity = Table(
    "customer_activity",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("first_month", Integer, primary_key=True, autoincrement=False),
    Column("ordered", BigInteger, nullable=False, server_default="0"),
    Column("contacted", BigInteger, nullable=False, server_default="0"),
    Column("unprofitable", BigInteger, nullable=False, server_default="0"),
)
"""The monthly flags of customer_periods as bit masks over blocks of 60 months (activity.py):
the distinct counts of a range of months in one pass."""

orders = Table(
    "orders",
    metadata,
    Column("source_system", String(100), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("month", String(8), nullable=False),
    Column("members", JSON, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("event_time", UTCDateTime, nullable=False),
    Index("ix_orders_customer_id", "customer_id"),
)
"""Where each order was counted and with what, so a replacement takes exactly that back."""

merge_journal = Table(
    "merge_journal",
    metadata,
    Column("merge_id", String(64), primary_key=True),
    Column("absorbed_id", String(64), primary_key=True),
    Column("orders", JSON, nullable=False),
    Column("periods", JSON, nullable=False),
    Column("merged_at", UTCDateTime, nullable=False),
)
"""What a merge moved from an absorbed customer to the survivor (its orders, and its period
flags as they were), so that an unmerge gives exactly that back."""

closed_periods = Table(
    "closed_periods",
    metadata,
    Column("period", String(8), primary_key=True),
    Column("closed_at", UTCDateTime, nullable=False),
    Column("closed_by", String(200), nullable=False),
    Column("comment", Text, nullable=True),
)
"""Closed months: their figures no longer change; late events count in the next open month."""

reps = Table(
    "reps",
    metadata,
    Column("rep_id", String(100), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("team", String(100), nullable=True),
    Column("region", String(100), nullable=True),
    Column("source", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""Sales reps: registered through the API (`api`) or first seen as a customer's owner rep."""

payout_statements = Table(
    "payout_statements",
    metadata,
    Column("period", String(8), primary_key=True),
    Column("rep_id", String(100), primary_key=True),
    Column("plan_id", String(100), nullable=False),
    Column("plan_version", Integer, nullable=False),
    Column("total", Numeric(14, 2), nullable=False),
    Column("statement", JSON, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
)
"""Payouts of closed periods as computed when the period's last month closed."""

customer_consents = Table(
    "customer_consents",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("consents", JSON, nullable=False),
)
"""Consent status per channel from the newest customer snapshot."""

actions = Table(
    "actions",
    metadata,
    Column("action_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("action_type", String(50), nullable=False),
    Column("title", String(300), nullable=False),
    Column("reason", Text, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("owner_rep", String(100), nullable=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("thrust", String(32), nullable=True),
    Column("segment", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    Column("recommended_at", UTCDateTime, nullable=False),
    Column("outcome_at", UTCDateTime, nullable=True),
    Column("outcome_by", String(200), nullable=True),
    Column("note", Text, nullable=True),
    Index("ix_actions_customer_id", "customer_id"),
    Index("ix_actions_owner_rep_status", "owner_rep", "status"),
    Index("ix_actions_status", "status"),
)
"""Next best actions recommended to customers, and their reported outcomes."""

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String(64), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("severity", String(10), nullable=False),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("dedup_key", String(300), nullable=False, unique=True),
    Index("ix_alerts_raised_at", "raised_at"),
)
"""Raised alerts; `dedup_key` makes each condition raise once (per period where it recurs)."""

kpi_status = Table(
    "kpi_status",
    metadata,
    Column("period", String(8), primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("member", String(200), primary_key=True),
    Column("kpi", String(50), primary_key=True),
    Column("status", String(10), nullable=False),
)
"""The last status band seen per KPI, so that turning red is noticed once."""

erased_keys = erased_keys_table(metadata)
"""Hashes of erased customers' ids: their orders, contacts or assignments that arrive after
the erasure (they travel on other topics) are recognised and dropped, never stored."""
