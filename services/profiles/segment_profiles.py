"""Segment profile documents: versioned drafts, department approvals, an audit trail.

A version becomes active once every required department approved it (and the segment's
figures are recorded with it). Editing a version that carries any approval (or the active
one) starts a new draft; the active version stays active until that draft is fully approved.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles.commands import RefusedError
from services.profiles.segment_profile_repository import Row, SegmentProfileRepository

CONTENT_FIELDS = ("name", "description", "typical_needs", "persona", "recommended_approach")


class ProfileRefusedError(RefusedError):
    """The change or approval cannot be done as asked; `status` is the HTTP answer."""


@dataclass(frozen=True)
class Actor:
    """Who acts: the API key's name and the department it acts for."""

    name: str
    department: str


def next_version(versions: Iterable[int]) -> int:
    """The number of a new version: one above the highest so far."""
    return max(versions, default=0) + 1


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """The content fields whose value differs (all of them for a new document)."""
    return [f for f in CONTENT_FIELDS if before is None or before.get(f) != after[f]]


def missing_approvals(required: Sequence[str], approved: Iterable[str]) -> list[str]:
    """The required departments that have not approved yet, in the configured order."""
    done = set(approved)
    return [department for department in required if department not in done]


def edits_in_place(draft: Row | None, draft_approvals: int) -> bool:
    """A draft nobody approved yet is edited in place; anything else starts a new draft."""
    return draft is not None and draft_approvals == 0


def approving_department(department: str, named: str | None) -> tuple[str, str]:
    """The department an approval counts for, and the scope it needs.

    A key approves for its own department unless the body names one. An admin key holds every
    scope but belongs to no department, so it counts only for the department it names.
    """
    chosen = named if named is not None else department
    return chosen, f"approve:{chosen}"


OnActivation = Callable[[Session, str, int, datetime], None]


class SegmentProfiles:
    def __init__(self, approvers: Sequence[str], on_activation: OnActivation | None = None) -> None:
        self.approvers = list(approvers)
        self._on_activation = on_activation

    def state(self, session: Session, segment: str) -> Row:
        """The segment's profile as `profile_state` describes it; 404 when there is none."""
        repo = SegmentProfileRepository(session)
        versions = repo.versions(segment)
        if not versions:
            raise ProfileRefusedError(404, f"segment {segment} has no profile")
        return profile_state(segment, versions, repo.approvals(segment), self.approvers)

    def history(self, session: Session, segment: str) -> list[Row]:
        """Every version of the segment's profile with its approvals, oldest first."""
        repo = SegmentProfileRepository(session)
        versions = repo.versions(segment)
        if not versions:
            raise ProfileRefusedError(404, f"segment {segment} has no profile")
        by_version: dict[int, list[Row]] = {}
        for approval in repo.approvals(segment):
            by_version.setdefault(approval["version"], []).append(approval)
        return [{**v, "approvals": by_version.get(v["version"], [])} for v in versions]

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
        draft = _with_status(versions, "draft")
        base = draft or _with_status(versions, "active")
        changed = changed_fields(base, content)
        if not changed:
            return
        now = datetime.now(UTC)
        approvals = repo.approvals(segment, [draft["version"]]) if draft else []
        if draft is not None and edits_in_place(draft, len(approvals)):
            version = draft["version"]
            repo.update_version(
                segment, version, {**content, "updated_at": now, "updated_by": actor.name}
            )
            repo.add_audit(_audit(segment, version, "edited", actor, at=now, changed=changed))
            return
        if draft is not None:
            repo.update_version(segment, draft["version"], {"status": "superseded"})
        version = next_version(v["version"] for v in versions)
        repo.insert_version(
            {
                "segment": segment,
                "version": version,
                "status": "draft",
                **content,
                "created_at": now,
                "created_by": actor.name,
                "updated_at": now,
                "updated_by": actor.name,
                "activated_at": None,
            }
        )
        action = "created" if not versions else "drafted"
        repo.add_audit(_audit(segment, version, action, actor, at=now, changed=changed))

    def _approve(
        self, session: Session, segment: str, version: int, actor: Actor, comment: str | None
    ) -> None:
        """Approving twice is a no-op; the last missing approval activates the version."""
        if actor.department not in self.approvers:
            raise ProfileRefusedError(
                422,
                f"{actor.department} is not among the approving departments "
                f"({', '.join(self.approvers)})",
            )
        repo = SegmentProfileRepository(session)
        versions = repo.versions(segment, lock=True)
        target = next((v for v in versions if v["version"] == version), None)
        if target is None:
            raise ProfileRefusedError(404, f"segment {segment} has no profile version {version}")
        approved = {a["department"] for a in repo.approvals(segment, [version])}
        if actor.department in approved:
            return
        if target["status"] != "draft":
            raise ProfileRefusedError(
                409, f"version {version} of {segment} is {target['status']}, not the draft"
            )
        now = datetime.now(UTC)
        repo.insert_approval(
            {
                "segment": segment,
                "version": version,
                "department": actor.department,
                "approved_by": actor.name,
                "approved_at": now,
                "comment": comment,
            }
        )
        repo.add_audit(
            _audit(segment, version, "approved", actor, at=now, changed=[], comment=comment)
        )
        if missing_approvals(self.approvers, approved | {actor.department}):
            return
        active = _with_status(versions, "active")
        if active is not None:
            repo.update_version(segment, active["version"], {"status": "retired"})
        repo.update_version(segment, version, {"status": "active", "activated_at": now})
        repo.add_audit(_audit(segment, version, "activated", actor, at=now, changed=[]))
        if self._on_activation is not None:
            self._on_activation(session, segment, version, now)


def profile_state(
    segment: str, versions: Sequence[Row], approvals: Sequence[Row], required: Sequence[str]
) -> Row:
    """The segment's active version, its draft with approvals, and who still has to approve."""
    by_version: dict[int, list[Row]] = {}
    for approval in approvals:
        by_version.setdefault(approval["version"], []).append(approval)
    active = _with_status(versions, "active")
    draft = _with_status(versions, "draft")
    status = "revising" if active and draft else "active" if active else "draft"
    approved = [a["department"] for a in by_version.get(draft["version"], [])] if draft else []
    return {
        "segment": segment,
        "status": status,
        "active": _with_approvals(active, by_version),
        "draft": _with_approvals(draft, by_version),
        "required_departments": list(required),
        "missing_departments": missing_approvals(required, approved) if draft else [],
    }


def _with_approvals(version: Row | None, by_version: dict[int, list[Row]]) -> Row | None:
    if version is None:
        return None
    return {**version, "approvals": by_version.get(version["version"], [])}


def _with_status(versions: Sequence[Row], status: str) -> Row | None:
    return next((v for v in reversed(versions) if v["status"] == status), None)


def _audit(
    segment: str,
    version: int,
    action: str,
    actor: Actor,
    *,
    at: datetime,
    changed: list[str],
    comment: str | None = None,
) -> Row:
    return {
        "segment": segment,
        "version": version,
        "action": action,
        "actor": actor.name,
        "department": actor.department,
        "at": at,
        "changed_fields": changed,
        "comment": comment,
    }
