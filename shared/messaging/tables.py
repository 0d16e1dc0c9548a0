"""Outbox and inbox tables, added to each service's own metadata."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

from shared.db.types import BigIntId, UTCDateTime


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigIntId, primary_key=True, autoincrement=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=True),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSON, nullable=False, default=dict),
        Column("event_id", String(200), nullable=True),
        Column("event_type", String(100), nullable=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("sent_at", UTCDateTime, nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
    )
    Index(
        "ix_outbox_pending",
        outbox.c.id,
        postgresql_where=outbox.c.sent_at.is_(None),
        sqlite_where=outbox.c.sent_at.is_(None),
    )
    Index("ix_outbox_sent_at", outbox.c.sent_at)
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("source", String(200), nullable=False),
        Column("event_id", String(200), nullable=False),
        Column("outcome", String(20), nullable=False),
        Column("received_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint(*INBOX_KEY),
    )
    return MessagingTables(outbox=outbox, inbox=inbox)


# The event id leads: a batch's lookup (a list of ids, one consumer and source) descends the
# index once per id whatever the planner believes of the table. Led by consumer and source, a
# plan made on stale statistics walked every event the consumer ever handled from that
# source, a cost that grew with the inbox.
INBOX_KEY = ("event_id", "consumer", "source")


def rekey_inbox(columns: Sequence[str]) -> None:
    """Migration step: make `columns`, in this order, the primary key of the inbox."""
    from alembic import op

    with op.batch_alter_table("inbox") as batch:
        batch.drop_constraint("pk_inbox", type_="primary")
        batch.create_primary_key("pk_inbox", list(columns))
