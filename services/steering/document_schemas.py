"""Approved documents as the API shows them: versions, approvals, state and audit trail."""

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

C = TypeVar("C", bound=BaseModel)
VersionStatus = Literal["draft", "active", "retired", "superseded"]


class ApprovalWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=1000, description="Remark kept.")
    department: str | None = Field(
        default=None,
        max_length=50,
        description="Department the approval counts for; default the key's own. Needs "
        "approve:<department>; an admin key must name it, since it belongs to no department.",
    )


class ApprovalRead(BaseModel):
    department: str = Field(description="The department that approved.")
    approved_by: str = Field(description="Name of the API key that approved.")
    approved_at: datetime = Field(description="When (UTC).")
    comment: str | None = Field(description="Remark kept with the approval.")


class VersionRead(BaseModel, Generic[C]):
    version: int = Field(description="Version number, from 1 up.")
    status: VersionStatus = Field(
        description="draft (awaiting approvals), active, retired (replaced by a newer active "
        "version) or superseded (edited after an approval, before it became active)."
    )
    content: C = Field(description="The document as of this version.")
    created_at: datetime = Field(description="When the version was started (UTC).")
    created_by: str = Field(description="Name of the API key that started it.")
    updated_at: datetime = Field(description="When it was last edited (UTC).")
    updated_by: str = Field(description="Name of the API key that last edited it.")
    activated_at: datetime | None = Field(description="When it became active (UTC), if it did.")
    approvals: list[ApprovalRead] = Field(description="Its approvals, oldest first.")


class DocumentRead(BaseModel, Generic[C]):
    document_id: str = Field(description="Id of the document.")
    status: Literal["draft", "active", "revising"] = Field(
        description="draft (never approved), active, or revising (active with a new draft)."
    )
    active: VersionRead[C] | None = Field(description="The version in force.")
    draft: VersionRead[C] | None = Field(description="The version under review.")
    required_departments: list[str] = Field(
        description="Departments that must approve a version before it becomes active."
    )
    missing_departments: list[str] = Field(
        description="Required departments that have not approved the draft yet."
    )


class VersionList(BaseModel, Generic[C]):
    items: list[VersionRead[C]] = Field(description="Every version, oldest first.")


class AuditEntryRead(BaseModel):
    at: datetime = Field(description="When (UTC).")
    action: Literal["created", "edited", "drafted", "approved", "activated"] = Field(
        description="created (first version), edited (a draft in place), drafted (a new draft "
        "version), approved (by one department) or activated (all approvals complete)."
    )
    version: int = Field(description="The version concerned.")
    actor: str = Field(description="Name of the API key that acted.")
    department: str = Field(description="Department the key acted for.")
    changed_fields: list[str] = Field(description="Fields of the document that changed.")
    comment: str | None = Field(description="Remark given with an approval.")


class AuditTrail(BaseModel):
    items: list[AuditEntryRead] = Field(description="The entries, oldest first.")
