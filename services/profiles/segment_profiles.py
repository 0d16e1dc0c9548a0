"""Segment profile documents: versioned drafts, department approvals, an audit trail.

A version becomes active once every required department approved it (and the segment's
figures are recorded with it). Editing a version that carries any approval (or the active
one) starts a new draft; the active version stays active until that draft is fully approved.
The rules are those of shared.approvals, which the sales strategy follows too; this module
loads and stores a segment's rows in the caller's transaction.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles.commands import RefusedError
from services.profiles.segment_profile_repository import Row, SegmentProfileRepository
from shared import approvals
from shared.approvals import (
    Actor,
    ApprovalRefusedError,
    approving_department,
    edits_in_place,
    missing_approvals,
    next_version,
)

CONTENT_FIELDS = ("name", "description", "typical_needs", "persona", "recommended_approach")


class ProfileRefusedError(RefusedError):
    """The change or approval cannot be done as asked; `status` is the HTTP answer."""


def changed_fields(before: Row | None, after: Row) -> list[str]:
    """The content fields whose value differs (all of them for a new document)."""
    return approvals.changed_fields(CONTENT_FIELDS, before, after)


OnActivation = Callable[[Session, str, int, datetime], None]


class SegmentProfiles:
    def __init__(self, approvers: Sequence[str], on_activation: OnActivation | None = None) -> None:
        self.approvers = list(approvers)
        self._on_activation = on_activation

    def state(self, session: Session, segment: str) -> Row:
        """The segment's profile as `profile_state` describes it; 404 when there is none."""
        repo = SegmentProfileRepository(session)
        versions = _versions(repo, segment)
        return profile_state(segment, versions, repo.approvals(segment), self.approvers)

    def history(self, session: Session, segment: str) -> list[Row]:
        """Every version of the segment's profile with its approvals, oldest first."""
        repo = SegmentProfileRepository(session)
        versions = _versions(repo, segment)
        return approvals.history(versions, repo.approvals(segment))

    def audit(self, session: Session, segment: str) -> list[Row]:
        """The segment's audit trail, oldest first; 404 when it has no profile."""
        entries = SegmentProfileRepository(session).audit(segment)
        if not entries:
            raise ProfileRefusedError(404, f"segment {segment} has no profile")
        return entries

    def segments(self, session: Session) -> list[Row]:
        """Every segment with a profile, by key."""
        repo = SegmentProfileRepository(session)
        grouped: dict[str, list[Row]] = {}
        for version in repo.current_versions():
            grouped.setdefault(version["segment"], []).append(version)
        return [
            profile_state(segment, versions, repo.approvals(segment), self.approvers)
            for segment, versions in grouped.items()
        ]

    def edit(self, session: Session, segment: str, content: dict[str, Any], actor: Actor) -> Row:
        """Create or change the segment's draft; return the profile's state."""
        self._edit(session, segment, content, actor)
        return self.state(session, segment)

    def approve(
        self, session: Session, segment: str, version: int, actor: Actor, comment: str | None
    ) -> Row:
        """Record the actor's department's approval; return the profile's state."""
        self._approve(session, segment, version, actor, comment)
        return self.state(session, segment)

    def _edit(self, session: Session, segment: str, content: dict[str, Any], actor: Actor) -> None:
        repo = SegmentProfileRepository(session)
        versions = repo.versions(segment, lock=True)
        draft = approvals.with_status(versions, "draft")
        count = len(repo.approvals(segment, [draft["version"]])) if draft else 0
        plan = approvals.plan_edit(CONTENT_FIELDS, versions, count, content)
        if plan.action == "unchanged":
            return
        now = datetime.now(UTC)
        if plan.action == "edited":
            edited = {**content, "updated_at": now, "updated_by": actor.name}
            repo.update_version(segment, plan.version, edited)
        else:
            if plan.supersedes is not None:
                repo.update_version(segment, plan.supersedes, {"status": "superseded"})
            started = approvals.new_draft(plan.version, actor, at=now)
            repo.insert_version({"segment": segment, **content, **started})
        entry = approvals.audit_entry(
            plan.version, plan.action, actor, at=now, changed=plan.changed
        )
        repo.add_audit({"segment": segment, **entry})

    def _approve(
        self, session: Session, segment: str, version: int, actor: Actor, comment: str | None
    ) -> None:
        repo = SegmentProfileRepository(session)
        versions = repo.versions(segment, lock=True)
        approved = [a["department"] for a in repo.approvals(segment, [version])]
        try:
            plan = approvals.plan_approval(
                segment,
                versions,
                version,
                approved=approved,
                department=actor.department,
                required=self.approvers,
                unknown_version=f"segment {segment} has no profile version {version}",
            )
        except ApprovalRefusedError as refusal:
            raise ProfileRefusedError(refusal.status, refusal.detail) from refusal
        if not plan.record:
            return
        now = datetime.now(UTC)
        record = approvals.approval_record(version, actor, at=now, comment=comment)
        repo.insert_approval({"segment": segment, **record})
        entry = approvals.audit_entry(version, "approved", actor, at=now, comment=comment)
        repo.add_audit({"segment": segment, **entry})
        if not plan.activates:
            return
        if plan.retires is not None:
            repo.update_version(segment, plan.retires, {"status": "retired"})
        repo.update_version(segment, version, {"status": "active", "activated_at": now})
        entry = approvals.audit_entry(version, "activated", actor, at=now)
        repo.add_audit({"segment": segment, **entry})
        if self._on_activation is not None:
            self._on_activation(session, segment, version, now)


def profile_state(
    segment: str, versions: Sequence[Row], approval_rows: Sequence[Row], required: Sequence[str]
) -> Row:
    """The segment's active version, its draft with approvals, and who still has to approve."""
    return {"segment": segment, **approvals.document_state(versions, approval_rows, required)}


def _versions(repo: SegmentProfileRepository, segment: str) -> list[Row]:
    versions = repo.versions(segment)
    if not versions:
        raise ProfileRefusedError(404, f"segment {segment} has no profile")
    return versions


# The shared rules stay importable under profiles' names.
__all__ = [
    "CONTENT_FIELDS",
    "OnActivation",
    "ProfileRefusedError",
    "SegmentProfiles",
    "approving_department",
    "changed_fields",
    "edits_in_place",
    "missing_approvals",
    "next_version",
    "profile_state",
]
