"""Profiles' segment profile tables: versioned profile documents, approvals, audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.profiles.models import Base
from shared.db.types import BigIntId


class SegmentProfileVersion(Base):
    """One version of a segment's profile document: draft, active, retired or superseded."""

    __tablename__ = "segment_profile_versions"

    segment: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    typical_needs: Mapped[list[str]] = mapped_column(JSON)
    persona: Mapped[str] = mapped_column(Text)
    recommended_approach: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))
    activated_at: Mapped[datetime | None]


class SegmentProfileApproval(Base):
    """One department's approval of one version."""

    __tablename__ = "segment_profile_approvals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["segment", "version"],
            ["segment_profile_versions.segment", "segment_profile_versions.version"],
            ondelete="CASCADE",
        ),
    )

    segment: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    department: Mapped[str] = mapped_column(String(50), primary_key=True)
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(String(1000))


class SegmentProfileAudit(Base):
    """Who changed or approved which version of a segment's profile, when, and what."""

    __tablename__ = "segment_profile_audit"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    segment: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime]
    changed_fields: Mapped[list[str]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(String(1000))


class SegmentProfileFigures(Base):
    """The computed figures of a segment when a version of its profile became active."""

    __tablename__ = "segment_profile_figures"
    __table_args__ = (
        ForeignKeyConstraint(
            ["segment", "version"],
            ["segment_profile_versions.segment", "segment_profile_versions.version"],
            ondelete="CASCADE",
        ),
    )

    segment: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    computed_at: Mapped[datetime]
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
