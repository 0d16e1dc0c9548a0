"""Outbox and inbox tables, added to each service's own metadata."""

from dataclasses import dataclass

from sqlalchemy import JSON, Column, Index, Integer, LargeBinary, MetaData, String, Table

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
        Column("consumer", String(100), primary_key=True),
        Column("source", String(200), primary_key=True),
        Column("event_id", String(200), primary_key=True),
        Column("outcome", String(20), nullable=False),
        Column("received_at", UTCDateTime, nullable=False),
    )
    return MessagingTables(outbox=outbox, inbox=inbox)
