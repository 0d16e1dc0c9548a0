"""Queries and writes of segment profile versions, approvals, their audit trail and the
figures recorded when a version became active."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from services.profiles.segment_profile_models import (
    SegmentProfileApproval,
    SegmentProfileAudit,
    SegmentProfileFigures,
    SegmentProfileVersion,
)
from shared.db.lookup import one_of

VERSIONS: Table = SegmentProfileVersion.__table__  # type: ignore[assignment]
APPROVALS: Table = SegmentProfileApproval.__table__  # type: ignore[assignment]
AUDIT: Table = SegmentProfileAudit.__table__  # type: ignore[assignment]
FIGURES: Table = SegmentProfileFigures.__table__  # type: ignore[assignment]

Row = dict[str, Any]


class SegmentProfileRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def versions(self, segment: str, *, lock: bool = False) -> list[Row]:
        """The segment's versions, oldest first; locked until commit when `lock`."""
        query = select(VERSIONS).where(VERSIONS.c.segment == segment).order_by(VERSIONS.c.version)
        rows = self.session.execute(query.with_for_update() if lock else query)
        return [dict(row._mapping) for row in rows]

    def current_versions(self) -> list[Row]:
        """The active and draft versions of every segment."""
        rows = self.session.execute(
            select(VERSIONS)
            .where(one_of(self.session, VERSIONS.c.status, ["active", "draft"]))
            .order_by(VERSIONS.c.segment, VERSIONS.c.version)
        )
        return [dict(row._mapping) for row in rows]

    def insert_version(self, row: Row) -> None:
        self.session.execute(insert(VERSIONS), [row])

    def update_version(self, segment: str, version: int, values: Row) -> None:
        self.session.execute(
            update(VERSIONS)
            .where(VERSIONS.c.segment == segment, VERSIONS.c.version == version)
            .values(**values)
        )

    def approvals(self, segment: str, versions: Sequence[int] | None = None) -> list[Row]:
        """Approvals of the segment (of `versions` only, when given), in the order given."""
        query = select(APPROVALS).where(APPROVALS.c.segment == segment)
        if versions is not None:
            query = query.where(one_of(self.session, APPROVALS.c.version, list(versions)))
        rows = self.session.execute(
            query.order_by(APPROVALS.c.version, APPROVALS.c.approved_at, APPROVALS.c.department)
        )
        return [dict(row._mapping) for row in rows]

    def insert_approval(self, row: Row) -> None:
        self.session.execute(insert(APPROVALS), [row])

    def add_audit(self, row: Row) -> None:
        self.session.execute(insert(AUDIT), [row])

    def audit(self, segment: str) -> list[Row]:
        """The segment's audit trail, oldest first."""
        rows = self.session.execute(
            select(AUDIT).where(AUDIT.c.segment == segment).order_by(AUDIT.c.id)
        )
        return [dict(row._mapping) for row in rows]

    def insert_figures(self, row: Row) -> None:
        self.session.execute(insert(FIGURES), [row])

    def figures_of(self, versions: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Row]:
        """The figures recorded for each (segment, version) that has them."""
        found: dict[tuple[str, int], Row] = {}
        wanted = set(versions)
        segments = sorted({segment for segment, _ in wanted})
        if not segments:
            return found
        rows = self.session.execute(
            select(FIGURES).where(one_of(self.session, FIGURES.c.segment, segments))
        )
        for row in rows:
            key = (row.segment, row.version)
            if key in wanted:
                found[key] = dict(row._mapping)
        return found
