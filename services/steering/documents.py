"""Approved documents of steering (the sales strategy, incentive plans): edit, approve, read.

The rules are those of shared.approvals; this module loads and stores the rows in the
caller's transaction and calls `on_activate` when a version becomes active, in the same
transaction (the strategy publishes itself through the outbox there).
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.steering.document_repository import DocumentRepository, Row
from shared import approvals
from shared.approvals import Actor, ApprovalRefusedError

Activated = Callable[[Session, Row], None]
Normalize = Callable[[dict[str, Any]], dict[str, Any]]


def _flat(version: Row) -> Row:
    return {**version["content"], "version": version["version"], "status": version["status"]}


class ApprovedDocuments:
    def __init__(
        self,
        kind: str,
        fields: Sequence[str],
        approvers: Sequence[str],
        normalize: Normalize,
        on_activate: Activated | None = None,
    ) -> None:
        self.kind = kind
        self._normalize = normalize
        self.fields = list(fields)
        self.approvers = list(approvers)
        self._on_activate = on_activate

    def _versions(self, repo: DocumentRepository, document_id: str) -> list[Row]:
        versions = repo.versions(document_id)
        if not versions:
            raise ApprovalRefusedError(404, f"{self.kind} {document_id} does not exist")
        return versions

    def state(self, session: Session, document_id: str) -> dict[str, Any]:
        """The active version, the draft with its approvals and who still has to approve."""
        repo = DocumentRepository(session, self.kind)
        versions = self._versions(repo, document_id)
        state = approvals.document_state(versions, repo.approvals(document_id), self.approvers)
        return {"document_id": document_id, **state}

    def states(self, session: Session) -> list[dict[str, Any]]:
        repo = DocumentRepository(session, self.kind)
        return [self.state(session, document_id) for document_id in repo.document_ids()]

    def history(self, session: Session, document_id: str) -> list[dict[str, Any]]:
        """Every version with its approvals, oldest first."""
        repo = DocumentRepository(session, self.kind)
        versions = self._versions(repo, document_id)
        return approvals.history(versions, repo.approvals(document_id))

    def audit(self, session: Session, document_id: str) -> list[Row]:
        repo = DocumentRepository(session, self.kind)
        self._versions(repo, document_id)
        return repo.audit(document_id)

    def version(self, session: Session, document_id: str, version: int) -> Row:
        for row in self.history(session, document_id):
            if row["version"] == version:
                return row
        raise ApprovalRefusedError(404, f"{self.kind} {document_id} has no version {version}")

    def edit(
        self, session: Session, document_id: str, content: dict[str, Any], actor: Actor
    ) -> dict[str, Any]:
        """Create or change the document's draft; after any approval this starts a new one."""
        content = self._normalize(content)
        repo = DocumentRepository(session, self.kind)
        versions = repo.versions(document_id, lock=True)
        draft = approvals.with_status(versions, "draft")
        count = len(repo.approvals(document_id, [draft["version"]])) if draft else 0
        plan = approvals.plan_edit(self.fields, [_flat(v) for v in versions], count, content)
        now = datetime.now(UTC)
        if plan.action == "edited":
            repo.update_version(
                document_id,
                plan.version,
                {"content": content, "updated_at": now, "updated_by": actor.name},
            )
        elif plan.action in ("created", "drafted"):
            if plan.supersedes is not None:
                repo.update_version(document_id, plan.supersedes, {"status": "superseded"})
            started = approvals.new_draft(plan.version, actor, at=now)
            repo.insert_version({"document_id": document_id, "content": content, **started})
        if plan.action != "unchanged":
            entry = approvals.audit_entry(
                plan.version, plan.action, actor, at=now, changed=plan.changed
            )
            repo.add_audit(document_id, entry)
        return self.state(session, document_id)

    def approve(
        self,
        session: Session,
        document_id: str,
        version: int,
        actor: Actor,
        comment: str | None,
    ) -> dict[str, Any]:
        """Record the actor's department's approval; the last missing one activates."""
        repo = DocumentRepository(session, self.kind)
        versions = repo.versions(document_id, lock=True)
        approved = [a["department"] for a in repo.approvals(document_id, [version])]
        plan = approvals.plan_approval(
            f"{self.kind} {document_id}",
            versions,
            version,
            approved=approved,
            department=actor.department,
            required=self.approvers,
        )
        if not plan.record:
            return self.state(session, document_id)
        now = datetime.now(UTC)
        record = approvals.approval_record(version, actor, at=now, comment=comment)
        repo.insert_approval({"document_id": document_id, **record})
        entry = approvals.audit_entry(version, "approved", actor, at=now, comment=comment)
        repo.add_audit(document_id, entry)
        if plan.activates:
            if plan.retires is not None:
                repo.update_version(document_id, plan.retires, {"status": "retired"})
            repo.update_version(document_id, version, {"status": "active", "activated_at": now})
            repo.add_audit(document_id, approvals.audit_entry(version, "activated", actor, at=now))
            if self._on_activate is not None:
                activated = next(v for v in repo.versions(document_id) if v["version"] == version)
                self._on_activate(session, activated)
        return self.state(session, document_id)
