"""Journey definitions: ordered stages, which touchpoints belong to which stage, the gap.

A touchpoint belongs to the journey whose definition maps its type (or, failing that, names
the stage the source reported); an outcome can move it further (a `resolved` contact puts a
service case into resolution). Reaching the conversion stage converts a journey.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class JourneyDefinition:
    journey_type: str
    stages: tuple[str, ...]
    conversion_stage: str
    touchpoint_stages: dict[str, str]
    outcome_stages: dict[str, str] = field(default_factory=dict)
    gap: timedelta = timedelta(days=90)

    def __post_init__(self) -> None:
        named = {self.conversion_stage, *self.touchpoint_stages.values()}
        named |= set(self.outcome_stages.values())
        unknown = sorted(named - set(self.stages))
        if unknown:
            raise ValueError(f"{self.journey_type}: stages {unknown} are not in {self.stages}")
        if len(set(self.stages)) != len(self.stages) or not self.stages:
            raise ValueError(f"{self.journey_type}: stages must be distinct and not empty")
        if self.gap <= timedelta(0):
            raise ValueError(f"{self.journey_type}: the gap must be positive")

    def index(self, stage: str) -> int:
        return self.stages.index(stage)

    @property
    def conversion_index(self) -> int:
        return self.index(self.conversion_stage)


PURCHASE = JourneyDefinition(
    journey_type="purchase",
    stages=("awareness", "consideration", "purchase", "onboarding", "usage", "loyalty"),
    conversion_stage="purchase",
    touchpoint_stages={
        "ad_impression": "awareness",
        "ad_click": "awareness",
        "campaign_contact": "awareness",
        "newsletter_opened": "awareness",
        "social_interaction": "awareness",
        "website_visit": "awareness",
        "event_visit": "awareness",
        "product_view": "consideration",
        "catalog_request": "consideration",
        "consultation": "consideration",
        "demo": "consideration",
        "sample_requested": "consideration",
        "quote_requested": "consideration",
        "cart_created": "consideration",
        "store_visit": "consideration",
        "sales_visit": "consideration",
        "purchase": "purchase",
        "contract_signed": "purchase",
        "delivery": "onboarding",
        "installation": "onboarding",
        "onboarding_call": "onboarding",
        "training": "onboarding",
        "welcome_email": "onboarding",
        "account_review": "usage",
        "app_session": "usage",
        "login": "usage",
        "product_usage": "usage",
        "reorder_reminder": "usage",
        "loyalty_program_joined": "loyalty",
        "referral": "loyalty",
        "renewal": "loyalty",
        "review_written": "loyalty",
    },
    gap=timedelta(days=90),
)

SERVICE = JourneyDefinition(
    journey_type="service",
    stages=("contact", "diagnosis", "resolution", "feedback"),
    conversion_stage="resolution",
    touchpoint_stages={
        "complaint": "contact",
        "return": "contact",
        "service_call": "contact",
        "service_request": "contact",
        "support_chat": "contact",
        "diagnosis": "diagnosis",
        "technician_visit": "diagnosis",
        "callback": "diagnosis",
        "repair": "resolution",
        "replacement_sent": "resolution",
        "refund": "resolution",
        "case_closed": "resolution",
        "survey_response": "feedback",
        "feedback": "feedback",
    },
    outcome_stages={"resolved": "resolution"},
    gap=timedelta(days=30),
)

DEFAULT_DEFINITIONS: tuple[JourneyDefinition, ...] = (PURCHASE, SERVICE)


@dataclass(frozen=True)
class Placement:
    """Where a touchpoint goes: the journey definition and the stage it stands for."""

    definition: JourneyDefinition
    stage: str


def place(
    definitions: tuple[JourneyDefinition, ...],
    touchpoint_type: str,
    reported_stage: str | None,
    outcome: str | None,
) -> Placement | None:
    """The journey and stage of a touchpoint; None when no definition claims it."""
    placement = None
    for definition in definitions:
        if touchpoint_type in definition.touchpoint_stages:
            placement = Placement(definition, definition.touchpoint_stages[touchpoint_type])
            break
    if placement is None and reported_stage is not None:
        for definition in definitions:
            if reported_stage in definition.stages:
                placement = Placement(definition, reported_stage)
                break
    if placement is None:
        return None
    definition = placement.definition
    by_outcome = definition.outcome_stages.get(outcome or "")
    if by_outcome is not None and definition.index(by_outcome) > definition.index(placement.stage):
        return Placement(definition, by_outcome)
    return placement


def definition_data(definition: JourneyDefinition) -> dict[str, object]:
    """The definition as plain JSON data (how it is stored and shown)."""
    return {
        "journey_type": definition.journey_type,
        "stages": list(definition.stages),
        "conversion_stage": definition.conversion_stage,
        "touchpoint_stages": dict(definition.touchpoint_stages),
        "outcome_stages": dict(definition.outcome_stages),
        "gap_days": definition.gap.total_seconds() / 86_400,
    }


def definition_from_data(data: dict[str, Any]) -> JourneyDefinition:
    """A definition from its JSON data; ValueError when it contradicts itself."""
    return JourneyDefinition(
        journey_type=str(data["journey_type"]),
        stages=tuple(data["stages"]),
        conversion_stage=str(data["conversion_stage"]),
        touchpoint_stages=dict(data["touchpoint_stages"]),
        outcome_stages=dict(data.get("outcome_stages") or {}),
        gap=timedelta(days=float(data["gap_days"])),
    )


def check_definitions(definitions: tuple[JourneyDefinition, ...]) -> None:
    """Journey types are distinct and no touchpoint type belongs to two journeys."""
    types = [d.journey_type for d in definitions]
    if not definitions or len(set(types)) != len(types):
        raise ValueError("journey types must be distinct and at least one must be defined")
    seen: dict[str, str] = {}
    for definition in definitions:
        for touchpoint_type in definition.touchpoint_stages:
            if touchpoint_type in seen:
                raise ValueError(
                    f"touchpoint type {touchpoint_type!r} belongs to both "
                    f"{seen[touchpoint_type]} and {definition.journey_type}"
                )
            seen[touchpoint_type] = definition.journey_type
