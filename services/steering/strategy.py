"""The sales strategy: an approved document whose activation publishes strategy.published."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from services.steering.document_repository import DocumentRepository
from services.steering.documents import ApprovedDocuments
from services.steering.strategy_schemas import CONTENT_FIELDS, StrategyContent
from shared.events import steering as contract
from shared.events.envelope import new_event
from shared.messaging.outbox import Outbox

KIND = "strategy"


def published(document_id: str, row: dict[str, Any]) -> contract.StrategyPublished:
    """The event payload of an activated strategy version."""
    content = StrategyContent.model_validate(row["content"])
    return contract.StrategyPublished(
        strategy_id=document_id,
        version=row["version"],
        published_at=row["activated_at"],
        segments=[
            contract.StrategicSegment(
                key=segment.key,
                name=segment.name,
                thrust=segment.thrust,
                target_segment=segment.target_segment,
                approach=contract.SegmentApproach(**segment.approach.model_dump()),
                treatment=contract.SegmentTreatment(**segment.treatment.model_dump()),
            )
            for segment in content.segments
        ],
        portfolio=[contract.PortfolioCell(**cell.model_dump()) for cell in content.portfolio],
        lifecycle_overrides=[
            contract.LifecycleOverride(**override.model_dump())
            for override in content.lifecycle_overrides
        ],
        cost_rates=[contract.CostRate(**rate.model_dump()) for rate in content.cost_rates],
        service_levels=[
            contract.ServiceLevel(**level.model_dump()) for level in content.service_levels
        ],
    )


def strategy_documents(outbox: Outbox, service: str, approvers: Sequence[str]) -> ApprovedDocuments:
    """Strategy documents that publish themselves through `outbox` when they become active."""

    def publish(session: Session, row: dict[str, Any]) -> None:
        payload = published(row["document_id"], row)
        event = new_event(
            source=service,
            type="strategy.published",
            subject=payload.strategy_id,
            data=payload,
            time=payload.published_at,
        )
        outbox.add(session, event)

    return ApprovedDocuments(
        KIND, CONTENT_FIELDS, approvers, normalize=_normalize, on_activate=publish
    )


def _normalize(content: dict[str, Any]) -> dict[str, Any]:
    return StrategyContent.model_validate(content).model_dump(mode="json")


def active_strategy(session: Session) -> tuple[str, int, StrategyContent] | None:
    """The strategy in force (the latest activated), as (id, version, content)."""
    active = DocumentRepository(session, KIND).active()
    if not active:
        return None
    row = active[0]
    return row["document_id"], row["version"], StrategyContent.model_validate(row["content"])
