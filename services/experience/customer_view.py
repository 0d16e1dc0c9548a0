"""One customer's experience: its read model entry, touchpoints and journeys."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.experience import models
from services.experience.contacts import journey_of
from services.experience.domain.journeys import Journey
from services.experience.schemas import (
    CustomerExperience,
    JourneyRead,
    StageEntry,
    TouchpointRead,
)
from shared.customer_directory import CustomerDirectory

t = models.touchpoints.c
j = models.journeys.c


def customer_experience(
    session: Session,
    directory: CustomerDirectory,
    customer_id: str,
    *,
    limit: int,
    personal_data: bool,
    financials: bool,
) -> CustomerExperience | None:
    """None when the customer is not known here."""
    customer = directory.get(session, customer_id)
    if customer is None:
        return None
    if not personal_data and customer["kind"] == "person":
        customer["name"] = None
    segment = session.scalar(
        select(models.customer_segments.c.strategic_segment).where(
            models.customer_segments.c.customer_id == customer_id
        )
    )
    total = session.scalar(select(func.count()).where(t.customer_id == customer_id)) or 0
    rows = session.execute(
        select(models.touchpoints)
        .where(t.customer_id == customer_id)
        .order_by(t.occurred_at.desc(), t.touchpoint_key)
        .limit(limit)
    )
    touchpoints = []
    for row in rows:
        touchpoint = TouchpointRead.model_validate(row, from_attributes=True)
        if not financials:
            touchpoint.revenue = None
        if not personal_data:
            touchpoint.anonymous_id = None
        touchpoints.append(touchpoint)
    journeys = [
        _journey(journey_of(row))
        for row in session.execute(
            select(models.journeys)
            .where(j.customer_id == customer_id)
            .order_by(j.started_at.desc())
        )
    ]
    return CustomerExperience(
        **customer,
        strategic_segment=segment,
        touchpoints_total=total,
        touchpoints=touchpoints,
        journeys=journeys,
    )


def _journey(journey: Journey) -> JourneyRead:
    seconds = journey.seconds_per_stage()
    return JourneyRead(
        journey_id=journey.journey_id,
        journey_type=journey.journey_type,
        stage=journey.stage,
        status=journey.status,
        started_at=journey.started_at,
        last_contact_at=journey.last_contact_at,
        converted_at=journey.converted_at,
        entry_channel=journey.entry_channel,
        channels=journey.channels,
        touchpoints=journey.touchpoints,
        path=journey.path,
        stages=[
            StageEntry(stage=stage, entered_at=entered, seconds=seconds[stage])
            for stage, entered in journey.stage_entries
        ],
    )
