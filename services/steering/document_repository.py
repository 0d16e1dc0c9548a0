"""Queries and writes of approved documents' versions, approvals and audit trail."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.steering import models
from shared.db.lookup import one_of

Row = dict[str, Any]
V = models.document_versions
A = models.document_approvals
T = models.document_audit


class DocumentRepository:
    """Rows of the documents of one kind (e.g. strategy)."""

    def __init__(self, session: Session, kind: str) -> None:
        self.session = session
        self.kind = kind

    def versions(self, document_id: str, *, lock: bool = False) -> list[Row]:
        """The document's versions, oldest first; locked until commit when `lock`."""
        query = (
            select(V)
            .where(V.c.kind == self.kind, V.c.document_id == document_id)
            .order_by(V.c.version)
        )
        rows = self.session.execute(query.with_for_update() if lock else query)
        return [dict(row._mapping) for row in rows]

    def document_ids(self) -> list[str]:
        rows = self.session.execute(
            select(V.c.document_id)
            .where(V.c.kind == self.kind)
            .distinct()
            .order_by(V.c.document_id)
        )
        return [row[0] for row in rows]

    def active(self) -> list[Row]:
        """The active version of every document of the kind, newest activation first."""
        rows = self.session.execute(
            select(V)
            .where(V.c.kind == self.kind, V.c.status == "active")
            .order_by(V.c.activated_at.desc(), V.c.document_id)
        )
        return [dict(row._mapping) for row in rows]

    def insert_version(self, row: Row) -> None:
        self.session.execute(insert(V), [{"kind": self.kind, **row}])

    def update_version(self, document_id: str, version: int, values: Row) -> None:
        self.session.execute(
            update(V)
            .where(V.c.kind == self.kind, V.c.document_id == document_id, V.c.version == version)
            .values(**values)
        )

    def approvals(self, document_id: str, versions: Sequence[int] | None = None) -> list[Row]:
        """Approvals of the document (of `versions` only, when given), oldest first."""
        query = select(A).where(A.c.kind == self.kind, A.c.document_id == document_id)
        if versions is not None:
            query = query.where(one_of(self.session, A.c.version, list(versions)))
        rows = self.session.execute(query.order_by(A.c.version, A.c.approved_at, A.c.department))
        return [dict(row._mapping) for row in rows]

    def insert_approval(self, row: Row) -> None:
        self.session.execute(insert(A), [{"kind": self.kind, **row}])

    def add_audit(self, document_id: str, entry: Row) -> None:
        self.session.execute(insert(T), [{"kind": self.kind, "document_id": document_id, **entry}])

    def audit(self, document_id: str) -> list[Row]:
        """The document's audit trail, oldest first."""
        rows = self.session.execute(
            select(T).where(T.c.kind == self.kind, T.c.document_id == document_id).order_by(T.c.id)
        )
        return [dict(row._mapping) for row in rows]
