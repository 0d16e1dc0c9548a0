"""Request and response bodies of segment profile documents, approvals and audit trail."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.profiles.segment_figure_schemas import ReviewRead

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Need = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
VersionStatus = Literal["draft", "active", "retired", "superseded"]


class SegmentProfileWrite(BaseModel):
    """The whole profile document of a segment, as sales management writes it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = (
        Field(description="Name of the segment as the departments call it.")
    )
    description: Text = Field(description="Who the customers of the segment are.")
    typical_needs: list[Need] = Field(
        max_length=50, description="What customers of the segment typically need."
    )
    persona: Text = Field(description="A typical customer of the segment, described as a person.")
    recommended_approach: Text = Field(description="How to approach and serve the segment.")


class ApprovalWrite(BaseModel):
    """An approval of a version by the caller's department."""

    model_config = ConfigDict(extra="forbid")

    comment: Comment | None = Field(default=None, description="Remark kept with the approval.")
    department: str | None = Field(
        default=None,
        max_length=50,
        description="Department to approve for; defaults to the key's own. The key needs "
        "approve:<department>; an admin key must name it, since it belongs to no department.",
    )


class ApprovalRead(BaseModel):
    """One department's approval of a version."""

    department: str = Field(description="The department that approved.")
    approved_by: str = Field(description="Name of the API key that approved.")
    approved_at: datetime = Field(description="When (UTC).")
    comment: str | None = Field(description="Remark kept with the approval.")


class SegmentProfileVersionRead(BaseModel):
    """One version of a segment's profile document."""

    version: int = Field(description="Version number, from 1 up.")
    status: VersionStatus = Field(
        description="draft (awaiting approvals), active, retired (replaced by a newer active "
        "version) or superseded (edited after an approval, before it became active)."
    )
    name: str = Field(description="Name of the segment as the departments call it.")
    description: str = Field(description="Who the customers of the segment are.")
    typical_needs: list[str] = Field(description="What customers of the segment typically need.")
    persona: str = Field(description="A typical customer of the segment, described as a person.")
    recommended_approach: str = Field(description="How to approach and serve the segment.")
    created_at: datetime = Field(description="When the version was started (UTC).")
    created_by: str = Field(description="Name of the API key that started it.")
    updated_at: datetime = Field(description="When it was last edited (UTC).")
    updated_by: str = Field(description="Name of the API key that last edited it.")
    activated_at: datetime | None = Field(description="When it became active (UTC), if it did.")
    approvals: list[ApprovalRead] = Field(description="The approvals it has, oldest first.")


class SegmentProfileRead(BaseModel):
    """A segment's profile: the active version, the draft under review, missing approvals."""

    segment: str = Field(description="Key of the segment, e.g. grow-high-value.")
    status: Literal["draft", "active", "revising"] = Field(
        description="draft (never approved), active, or revising (active with a new draft)."
    )
    active: SegmentProfileVersionRead | None = Field(description="The version in force.")
    draft: SegmentProfileVersionRead | None = Field(description="The version under review.")
    required_departments: list[str] = Field(
        description="The departments that must approve a version before it becomes active."
    )
    missing_departments: list[str] = Field(
        description="Required departments that have not approved the draft yet."
    )
    review: ReviewRead | None = Field(
        default=None,
        description="Whether the segment's figures drifted since the active version was "
        "approved (flagged for review); null without an active version.",
    )


class SegmentProfileList(BaseModel):
    """Every segment that has a profile, by key."""

    items: list[SegmentProfileRead] = Field(description="The segments' profiles.")


class SegmentProfileVersionList(BaseModel):
    """Every version of one segment's profile, oldest first."""

    items: list[SegmentProfileVersionRead] = Field(description="The versions.")


class AuditEntryRead(BaseModel):
    """One change or approval of a segment's profile."""

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
    """A segment's audit trail, oldest first."""

    items: list[AuditEntryRead] = Field(description="The entries.")
