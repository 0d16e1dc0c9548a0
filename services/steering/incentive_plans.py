"""Incentive plans: approved documents like the strategy; which one applies to which rep."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.steering.document_repository import DocumentRepository
from services.steering.documents import ApprovedDocuments
from services.steering.domain import incentives
from services.steering.incentive_schemas import PLAN_FIELDS, ComponentWrite, IncentivePlanContent

KIND = "incentive_plan"


@dataclass(frozen=True)
class ActivePlan:
    plan_id: str
    version: int
    content: IncentivePlanContent

    def components(self) -> list[incentives.Component]:
        return [_component(c) for c in self.content.components]


def incentive_plan_documents(approvers: Sequence[str]) -> ApprovedDocuments:
    return ApprovedDocuments(KIND, PLAN_FIELDS, approvers, normalize=_normalize)


def _normalize(content: dict[str, Any]) -> dict[str, Any]:
    return IncentivePlanContent.model_validate(content).model_dump(mode="json")


def active_plans(session: Session) -> list[ActivePlan]:
    """The active version of every plan, newest activation first."""
    return [
        ActivePlan(
            row["document_id"], row["version"], IncentivePlanContent.model_validate(row["content"])
        )
        for row in DocumentRepository(session, KIND).active()
    ]


def plan_for(plans: Sequence[ActivePlan], team: str | None) -> ActivePlan | None:
    """The plan naming the rep's team, else the newest plan that names no team."""
    if team is not None:
        for plan in plans:
            if team in plan.content.teams:
                return plan
    return next((plan for plan in plans if not plan.content.teams), None)


def _component(component: ComponentWrite) -> incentives.Component:
    return incentives.Component(
        key=component.key,
        name=component.name,
        metric=component.metric,
        weight=component.weight,
        target=component.target,
        threshold=component.threshold,
        cap=component.cap,
        accelerators=tuple(
            incentives.Accelerator(a.from_attainment, a.multiplier) for a in component.accelerators
        ),
        malus_per_point=component.malus_per_point,
        malus_cap=component.malus_cap,
    )
