"""HTTP entry points of experience's measures and analytics, filtered alike."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AwareDatetime
from sqlalchemy.orm import Session, sessionmaker

from services.experience.analytics_query import (
    UnknownJourneyTypeError,
    funnel_of,
    journey_map_of,
    paths_of,
)
from services.experience.analytics_schemas import FunnelRead, JourneyMapRead, PathsRead
from services.experience.api import PROBLEMS, READ
from services.experience.domain.moments import MIN_SAMPLE
from services.experience.domain.pain_points import Targets
from services.experience.insights_query import moments_of, pain_points_of
from services.experience.insights_schemas import MomentsRead, PainPointsRead
from services.experience.measures_query import MeasureFilter, measures_of
from services.experience.measures_schemas import MeasuresRead
from services.experience.settings import ExperienceSettings
from shared.api.auth import Principal
from shared.api.deps import require


def measure_filter(
    *,
    period_from: Annotated[
        AwareDatetime | None, Query(alias="from", description="From (inclusive), ISO 8601.")
    ] = None,
    period_to: Annotated[
        AwareDatetime | None, Query(alias="to", description="Until (exclusive), ISO 8601.")
    ] = None,
    segment: Annotated[
        str | None, Query(max_length=100, description="Strategic segment, e.g. grow.")
    ] = None,
    channel: Annotated[str | None, Query(max_length=30, description="Channel, e.g. phone.")] = None,
    touchpoint_type: Annotated[
        str | None, Query(max_length=100, description="Touchpoint type, e.g. complaint.")
    ] = None,
    stage: Annotated[
        str | None, Query(max_length=100, description="Journey stage, e.g. consideration.")
    ] = None,
) -> MeasureFilter:
    if period_from is not None and period_to is not None and period_from >= period_to:
        raise HTTPException(422, "from must be before to")
    return MeasureFilter(
        period_from=period_from,
        period_to=period_to,
        segment=segment,
        channel=channel,
        touchpoint_type=touchpoint_type,
        stage=stage,
    )


JourneyTypeQuery = Annotated[
    str, Query(min_length=1, max_length=50, description="Journey definition, e.g. service.")
]
T = TypeVar("T")
FilterDep = Annotated[MeasureFilter, Depends(measure_filter)]
Reader = Annotated[Principal, Depends(require(READ))]


def analytics_router(reads: sessionmaker[Session], settings: ExperienceSettings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["experience analytics"], responses=PROBLEMS)

    @router.get("/measures")
    def get_measures(filters: FilterDep, _: Reader) -> MeasuresRead:
        """CSAT, NPS, effort, resolution, complaints, times, cost and channels, with samples."""
        with reads() as session:
            return measures_of(session, filters)

    @router.get("/funnel")
    def get_funnel(
        filters: FilterDep,
        _: Reader,
        journey_type: JourneyTypeQuery = "purchase",
        by: Annotated[
            Literal["segment", "channel"] | None,
            Query(description="One funnel per strategic segment or per entry channel."),
        ] = None,
    ) -> FunnelRead:
        """Journeys reaching each stage, conversion between stages, median time to convert."""
        with reads() as session:
            return _known(lambda: funnel_of(session, filters, journey_type, by))

    @router.get("/paths")
    def get_paths(
        filters: FilterDep,
        _: Reader,
        journey_type: JourneyTypeQuery = "purchase",
        limit: Annotated[int, Query(ge=1, le=100, description="Paths per outcome.")] = 10,
    ) -> PathsRead:
        """The most frequent touchpoint sequences to conversion and to abandonment."""
        with reads() as session:
            return _known(lambda: paths_of(session, filters, journey_type, limit))

    @router.get("/journey-map")
    def get_journey_map(
        filters: FilterDep, _: Reader, journey_type: JourneyTypeQuery = "purchase"
    ) -> JourneyMapRead:
        """Stage x channel: contacts, CSAT, NPS and cost, with the drop-off of each stage."""
        with reads() as session:
            return _known(lambda: journey_map_of(session, filters, journey_type))

    @router.get("/pain-points")
    def get_pain_points(
        filters: FilterDep,
        principal: Reader,
        csat_target: Annotated[
            float | None, Query(gt=1, le=5, description="Target mean CSAT; default configured.")
        ] = None,
        nps_target: Annotated[
            float | None, Query(gt=-100, le=100, description="Target NPS; default configured.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=100, description="Pain points to list.")] = 10,
    ) -> PainPointsRead:
        """Touchpoint types and channels below target, ranked by the margin at stake."""
        targets = Targets(
            csat=settings.csat_target if csat_target is None else csat_target,
            nps=settings.nps_target if nps_target is None else nps_target,
        )
        with reads() as session:
            return pain_points_of(
                session, filters, targets, limit, principal.has("financials:read")
            )

    @router.get("/moments-of-truth")
    def get_moments_of_truth(
        filters: FilterDep,
        _: Reader,
        window_days: Annotated[
            int | None,
            Query(ge=1, le=730, description="A purchase within this many days counts."),
        ] = None,
        min_contacts: Annotated[
            int, Query(ge=1, le=100_000, description="Contacts a type needs to be marked.")
        ] = MIN_SAMPLE,
    ) -> MomentsRead:
        """Touchpoint types after which customers buy again or lapse markedly more often."""
        window = settings.repurchase_window_days if window_days is None else window_days
        with reads() as session:
            return moments_of(session, filters, window, min_contacts, datetime.now(UTC))

    return router


def _known(query: Callable[[], T]) -> T:
    try:
        return query()
    except UnknownJourneyTypeError as error:
        raise HTTPException(422, f"no journey definition has the type {error}") from None
