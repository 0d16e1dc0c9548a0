"""The segment, strategy, experience and next-best-actions parts of the 360° view, from what
the other services published; pending while nothing has arrived."""

from datetime import datetime
from typing import Any

from services.profiles import parts_rules
from services.profiles.parts_schemas import (
    AsOf,
    ExperiencePart,
    NextBestAction,
    NextBestActionsPart,
    SegmentPart,
    StrategyPart,
)
from shared.api.auth import Principal

Row = dict[str, Any]
FINANCIAL_FIELDS = ("revenue_12m", "contribution_margin_3_12m", "clv", "share_of_wallet_gap")
PENDING: Row = {"status": "pending", "as_of": None}


def _as_of(row: Row) -> AsOf:
    return AsOf(time=row["event_time"], event_id=row["event_id"])


def segment_part(assignment: Row | None, principal: Principal) -> SegmentPart:
    if assignment is None:
        return SegmentPart(**PENDING, source="segmentation")
    part = SegmentPart.model_validate(
        {**assignment, "status": "current", "as_of": _as_of(assignment), "source": "segmentation"}
    )
    if principal.has("financials:read"):
        return part
    # The reasons quote the cm3 and CLV amounts.
    hidden: Row = {**dict.fromkeys(FINANCIAL_FIELDS), "reasons": []}
    return part.model_copy(update={**hidden, "masked": [*FINANCIAL_FIELDS, "reasons"]})


def strategy_part(assignment: Row | None, strategy: Row | None) -> StrategyPart:
    """The strategy's terms for the customer's segment; until steering published a strategy
    that names the segment, the thrust segmentation assigned with it."""
    if assignment is None:
        return StrategyPart(**PENDING, source="steering")
    segment = assignment["strategic_segment"]
    terms = parts_rules.strategy_for(segment, strategy)
    if strategy is None or terms is None:
        return StrategyPart(
            status="current",
            as_of=_as_of(assignment),
            source="segmentation",
            segment=segment,
            thrust=assignment["thrust"],
        )
    return StrategyPart(
        status="current",
        as_of=_as_of(strategy),
        source="steering",
        segment=segment,
        segment_name=terms["name"],
        thrust=terms["thrust"] or assignment["thrust"],
        approach=terms.get("approach"),
        service_level=terms["service_level"],
        treatment=terms["treatment"],
        strategy_id=strategy["strategy_id"],
        strategy_version=strategy["version"],
    )


def experience_part(summary: Row | None) -> ExperiencePart:
    if summary is None:
        return ExperiencePart(**PENDING, source="experience")
    return ExperiencePart(
        status="current",
        as_of=_as_of(summary),
        source="experience",
        journey_type=summary["journey_type"],
        journey_stage=summary["journey_stage"],
        journey_status=summary["journey_status"],
        last_touchpoints=summary["last_contacts"],
        csat=summary["csat_mean"],
        csat_answers=summary["csat_answers"],
        nps=summary["last_nps"],
        nps_answers=summary["nps_answers"],
        effort=summary["effort_mean"],
        open_complaints=summary["open_complaints"],
        latest_touchpoint_at=summary["latest_touchpoint_at"],
    )


def actions_part(actions: list[Row], now: datetime) -> NextBestActionsPart:
    if not actions:
        return NextBestActionsPart(**PENDING, source="steering")
    newest = max(actions, key=lambda a: parts_rules.version_of(a, "recommended_at"))
    return NextBestActionsPart(
        status="current",
        as_of=_as_of(newest),
        source="steering",
        items=[
            NextBestAction.model_validate({**action, "overdue": action["due_at"] < now})
            for action in parts_rules.best_first(actions)
        ],
    )


def delivered_parts(
    *,
    assignment: Row | None,
    experience: Row | None,
    strategy: Row | None,
    actions: list[Row],
    principal: Principal,
    now: datetime,
) -> Row:
    """The four parts of the customer, keyed as the view names them, from its stored
    assignment, experience summary and actions and the strategy in force."""
    return {
        "segment": segment_part(assignment, principal),
        "strategy": strategy_part(assignment, strategy),
        "experience": experience_part(experience),
        "next_best_actions": actions_part(actions, now),
    }
