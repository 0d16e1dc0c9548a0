"""Versioned documents that become active only once every required department approved them.

The rules shared by every approved document (segment profiles, the sales strategy, incentive
plans): how versions are numbered, when an edit changes the draft in place and when it starts
a new one, which department an approval counts for, when a version becomes active, and what
the audit trail records. Pure functions over plain rows (mappings with at least `version` and
`status`); the caller loads and stores them in its own transaction.

A version is `draft` (awaiting approvals), `active`, `retired` (replaced by a newer active
version) or `superseded` (edited after an approval, before it became active).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Row = Mapping[str, Any]
VersionStatus = Literal["draft", "active", "retired", "superseded"]
AuditAction = Literal["created", "edited", "drafted", "approved", "activated"]


class ApprovalRefusedError(Exception):
    """The change or approval cannot be done as asked; `status` is the HTTP answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Actor:
    """Who acts: the API key's name and the department it acts for."""

    name: str
    department: str


@dataclass(frozen=True)
class EditPlan:
    """What an edit does: nothing, change the draft in place, or start a new draft version."""

    action: Literal["unchanged", "edited", "created", "drafted"]
    version: int
    changed: list[str]
    supersedes: int | None = None
    """A draft that had approvals and is replaced by the new version."""


@dataclass(frozen=True)
class ApprovalPlan:
    """What an approval does: record it (or not, when repeated) and perhaps activate."""

    record: bool
    activates: bool
    retires: int | None = None
    """The version active until now, retired when this one becomes active."""


def next_version(versions: Iterable[int]) -> int:
    """The number of a new version: one above the highest so far."""
    return max(versions, default=0) + 1


def changed_fields(fields: Sequence[str], before: Row | None, after: Row) -> list[str]:
    """The content fields whose value differs (all of them for a new document)."""
    return [f for f in fields if before is None or before.get(f) != after[f]]


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


def with_status(versions: Sequence[Row], status: VersionStatus) -> Row | None:
    """The newest version with `status`, if any."""
    return next((v for v in reversed(versions) if v["status"] == status), None)


def plan_edit(
    fields: Sequence[str], versions: Sequence[Row], draft_approvals: int, content: Row
) -> EditPlan:
    """How `content` changes a document whose versions (oldest first) are `versions`."""
    draft = with_status(versions, "draft")
    base = draft or with_status(versions, "active")
    changed = changed_fields(fields, base, content)
    if not changed:
        return EditPlan("unchanged", base["version"] if base else 0, [])
    if draft is not None and edits_in_place(draft, draft_approvals):
        return EditPlan("edited", draft["version"], changed)
    version = next_version(v["version"] for v in versions)
    action: Literal["created", "drafted"] = "created" if not versions else "drafted"
    supersedes = draft["version"] if draft is not None else None
    return EditPlan(action, version, changed, supersedes)


def plan_approval(
    document: str,
    versions: Sequence[Row],
    version: int,
    *,
    approved: Iterable[str],
    department: str,
    required: Sequence[str],
    unknown_version: str | None = None,
) -> ApprovalPlan:
    """What `department` approving `version` does; refused for other departments or versions.

    Approving twice is a no-op; the last missing approval activates the version.
    `unknown_version` words the refusal of a version the document does not have.
    """
    if department not in required:
        raise ApprovalRefusedError(
            422, f"{department} is not among the approving departments ({', '.join(required)})"
        )
    target = next((v for v in versions if v["version"] == version), None)
    if target is None:
        raise ApprovalRefusedError(404, unknown_version or f"{document} has no version {version}")
    done = set(approved)
    if department in done:
        return ApprovalPlan(record=False, activates=False)
    if target["status"] != "draft":
        raise ApprovalRefusedError(
            409, f"version {version} of {document} is {target['status']}, not the draft"
        )
    if missing_approvals(required, done | {department}):
        return ApprovalPlan(record=True, activates=False)
    active = with_status(versions, "active")
    return ApprovalPlan(record=True, activates=True, retires=active["version"] if active else None)


def document_state(
    versions: Sequence[Row], approvals: Sequence[Row], required: Sequence[str]
) -> dict[str, Any]:
    """The active version, the draft with its approvals, and who still has to approve."""
    by_version = approvals_by_version(approvals)
    active = with_status(versions, "active")
    draft = with_status(versions, "draft")
    status = "revising" if active and draft else "active" if active else "draft"
    approved = [a["department"] for a in by_version.get(draft["version"], [])] if draft else []
    return {
        "status": status,
        "active": _with_approvals(active, by_version),
        "draft": _with_approvals(draft, by_version),
        "required_departments": list(required),
        "missing_departments": missing_approvals(required, approved) if draft else [],
    }


def history(versions: Sequence[Row], approvals: Sequence[Row]) -> list[dict[str, Any]]:
    """Every version with its approvals, in the order given."""
    by_version = approvals_by_version(approvals)
    return [{**v, "approvals": by_version.get(v["version"], [])} for v in versions]


def approvals_by_version(approvals: Sequence[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for approval in approvals:
        grouped.setdefault(approval["version"], []).append(approval)
    return grouped


def new_draft(version: int, actor: Actor, *, at: datetime) -> dict[str, Any]:
    """The bookkeeping of a new draft version: its number and status, who started it, when."""
    return {
        "version": version,
        "status": "draft",
        "created_at": at,
        "created_by": actor.name,
        "updated_at": at,
        "updated_by": actor.name,
        "activated_at": None,
    }


def approval_record(
    version: int, actor: Actor, *, at: datetime, comment: str | None
) -> dict[str, Any]:
    """One department's approval of a version, as it is kept."""
    return {
        "version": version,
        "department": actor.department,
        "approved_by": actor.name,
        "approved_at": at,
        "comment": comment,
    }


def audit_entry(
    version: int,
    action: AuditAction,
    actor: Actor,
    *,
    at: datetime,
    changed: Sequence[str] = (),
    comment: str | None = None,
) -> dict[str, Any]:
    """One line of the audit trail: who did what to which version, when."""
    return {
        "version": version,
        "action": action,
        "actor": actor.name,
        "department": actor.department,
        "at": at,
        "changed_fields": list(changed),
        "comment": comment,
    }


def _with_approvals(version: Row | None, by_version: dict[int, list[Row]]) -> dict[str, Any] | None:
    if version is None:
        return None
    return {**version, "approvals": by_version.get(version["version"], [])}
