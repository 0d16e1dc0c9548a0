"""HTTP entry points of segment profile documents: edit, approve, read, audit, figures."""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path
from sqlalchemy.orm import Session

from services.profiles.commands import run_command
from services.profiles.segment_figure_schemas import SegmentFiguresRead
from services.profiles.segment_profile_repository import Row
from services.profiles.segment_profile_review import DriftWatch, ProfileReviews, record_figures
from services.profiles.segment_profile_schemas import (
    ApprovalWrite,
    AuditEntryRead,
    AuditTrail,
    SegmentProfileList,
    SegmentProfileRead,
    SegmentProfileVersionList,
    SegmentProfileVersionRead,
    SegmentProfileWrite,
)
from services.profiles.segment_profiles import ProfileRefusedError, SegmentProfiles
from services.profiles.settings import profiles_settings
from shared.api.auth import Principal
from shared.api.deps import CurrentPrincipal, require
from shared.api.problems import PROBLEM_CONTENT_TYPE, Problem
from shared.approvals import Actor, approving_department
from shared.runtime import Runtime

T = TypeVar("T")
EDIT_SCOPE = "strategy:write"
READ_SCOPE = "customers:read"
SegmentPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Key of the segment, e.g. grow-high-value.",
    ),
]
VersionPath = Annotated[int, Path(ge=1, description="Version number of the profile.")]
RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {PROBLEM_CONTENT_TYPE: {}}} for code in (404, 409)
}


def _read(runtime: Runtime, work: Callable[[Session], T]) -> T:
    try:
        with runtime.read_session_factory() as session:
            return work(session)
    except ProfileRefusedError as refusal:
        raise HTTPException(refusal.status, refusal.detail) from None


def segment_profiles_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/segment-profiles", tags=["segment profiles"])
    settings = profiles_settings(runtime.settings)
    profiles = SegmentProfiles(settings.profile_approvers, on_activation=record_figures)
    reviews = ProfileReviews(
        DriftWatch(settings.profile_drift_threshold, settings.profile_drift_figures)
    )

    def reviewed(states: list[Row]) -> list[SegmentProfileRead]:
        """The states with the review of their active version's figures."""
        found = _read(runtime, lambda session: reviews.reviews(session, states))
        return [
            SegmentProfileRead.model_validate({**s, "review": found[s["segment"]]}) for s in states
        ]

    @router.get("")
    def list_segment_profiles(
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> SegmentProfileList:
        """Every segment with a profile, its approval status and its review flag."""
        states = _read(runtime, profiles.segments)
        return SegmentProfileList(items=reviewed(states))

    @router.put("/{segment}", responses=RESPONSES)
    def edit_segment_profile(
        segment: SegmentPath,
        body: SegmentProfileWrite,
        principal: Annotated[Principal, Depends(require(EDIT_SCOPE))],
    ) -> SegmentProfileRead:
        """Create or change the segment's draft; after any approval this starts a new one."""
        actor = Actor(principal.name, principal.department)
        content = body.model_dump()
        state = run_command(
            runtime, lambda session: profiles.edit(session, segment, content, actor)
        )
        return reviewed([state])[0]

    @router.post("/{segment}/versions/{version}/approvals", responses=RESPONSES)
    def approve_segment_profile(
        segment: SegmentPath,
        version: VersionPath,
        body: ApprovalWrite,
        principal: CurrentPrincipal,
    ) -> SegmentProfileRead:
        """Approve a draft for the caller's department (needs approve:<department>).

        The approval that completes a version activates it and records the segment's figures,
        against which the profile is later reviewed.
        """
        department, scope = approving_department(principal.department, body.department)
        if not principal.has(scope):
            raise HTTPException(403, f"the API key lacks the scope {scope}")
        actor = Actor(principal.name, department)
        state = run_command(
            runtime,
            lambda session: profiles.approve(session, segment, version, actor, body.comment),
        )
        return reviewed([state])[0]

    @router.get("/{segment}", responses=RESPONSES)
    def get_segment_profile(
        segment: SegmentPath,
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> SegmentProfileRead:
        """The active version, the draft under review, the approvals still missing and
        whether the segment's figures drifted since the active version was approved."""
        state = _read(runtime, lambda session: profiles.state(session, segment))
        return reviewed([state])[0]

    @router.get("/{segment}/figures", responses=RESPONSES)
    def get_segment_figures(
        segment: SegmentPath,
        principal: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> SegmentFiguresRead:
        """The segment computed from the customer views now and when its active version was
        approved: size, share, revenue and cm3, value, CLV and churn risk distributions,
        lifecycle, tier and needs mixes, channels, categories, CSAT/NPS and what sets it
        apart; amounts are null without financials:read. 404 for a segment with neither a
        profile nor customers."""
        financials = principal.has("financials:read")

        def figures(session: Session) -> SegmentFiguresRead:
            try:
                state: Row | None = profiles.state(session, segment)
            except ProfileRefusedError:
                state = None
            found = reviews.figures(session, segment, state, financials)
            if state is None and found.current.size == 0:
                raise ProfileRefusedError(404, f"segment {segment} has no profile and no customers")
            return found

        return _read(runtime, figures)

    @router.get("/{segment}/versions", responses=RESPONSES)
    def list_segment_profile_versions(
        segment: SegmentPath,
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> SegmentProfileVersionList:
        """Every version of the segment's profile with its approvals, oldest first."""
        versions = _read(runtime, lambda session: profiles.history(session, segment))
        return SegmentProfileVersionList(
            items=[SegmentProfileVersionRead.model_validate(v) for v in versions]
        )

    @router.get("/{segment}/audit", responses=RESPONSES)
    def get_segment_profile_audit(
        segment: SegmentPath,
        _: Annotated[Principal, Depends(require(READ_SCOPE))],
    ) -> AuditTrail:
        """Every change and approval of the segment's profile: who, when, what."""
        entries = _read(runtime, lambda session: profiles.audit(session, segment))
        return AuditTrail(items=[AuditEntryRead.model_validate(e) for e in entries])

    return router
