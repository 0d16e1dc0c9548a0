"""Profiles' GDPR tables: erasure requests, each service's confirmation, the suppression list.

None of them holds personal data: customers appear by their canonical id only, identifiers
as salted hashes.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.profiles.models import Base


class Erasure(Base):
    """An erasure request; profiles' own part is done in the transaction that stores it."""

    __tablename__ = "erasures"

    erasure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # One erasure per customer: asking again answers with the first one.
    customer_id: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(200))
    erased_at: Mapped[datetime]


class ErasureCompletion(Base):
    """One service's confirmation that it erased what it held, with row counts."""

    __tablename__ = "erasure_completions"

    erasure_id: Mapped[str] = mapped_column(
        ForeignKey("erasures.erasure_id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(50), primary_key=True)
    completed_at: Mapped[datetime]
    deleted: Mapped[dict[str, Any]]
    anonymised: Mapped[dict[str, Any]]
    event_id: Mapped[str | None] = mapped_column(String(200))
    """Id of the erasure.completed event; null for profiles' own part."""
    recorded_at: Mapped[datetime]


class Suppression(Base):
    """A hashed identifier of an erased customer; inbound events carrying it are refused."""

    __tablename__ = "suppressions"

    identifier_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    erasure_id: Mapped[str] = mapped_column(ForeignKey("erasures.erasure_id"), index=True)
    suppressed_at: Mapped[datetime]
