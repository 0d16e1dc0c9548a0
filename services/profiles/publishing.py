"""Staging profiles' events in the outbox: customer snapshots and anything else it publishes."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.profiles import domain
from services.profiles.repository import Ref
from shared.events.customers import CustomerRegistered, CustomerUpdated, ExternalReference
from shared.events.envelope import new_event
from shared.messaging.outbox import Outbox

SOURCE = "/profiles"
PUBLISHED_FIELDS = tuple(f for f in domain.SNAPSHOT_FIELDS if f not in ("street", "consents"))


def stage(
    outbox: Outbox,
    session: Session,
    *,
    event_type: str,
    subject: str,
    payload: BaseModel,
    correlation_id: str,
) -> None:
    """Stage profiles' event `event_type` about `subject` in the caller's transaction."""
    outbox.add(
        session,
        new_event(
            source=SOURCE,
            type=event_type,
            subject=subject,
            data=payload,
            correlation_id=correlation_id,
        ),
    )


def publish_snapshot(
    outbox: Outbox,
    session: Session,
    row: dict[str, Any],
    *,
    references: list[Ref],
    correlation_id: str,
    changed: list[str] | None,
) -> None:
    """Stage customer.registered (`changed` None) or customer.updated for `row`."""
    common: dict[str, Any] = {
        "customer_id": row["customer_id"],
        "revision": row["revision"],
        "references": [ExternalReference(system=s, id=i) for s, i in sorted(references)],
        "merged_into": row.get("merged_into"),
        "consents": {
            channel: consent["status"]
            for channel, consent in sorted((row.get("consents") or {}).items())
            if isinstance(consent, dict) and "status" in consent
        },
        **{field: row[field] for field in PUBLISHED_FIELDS},
    }
    payload: CustomerRegistered | CustomerUpdated
    if changed is None:
        payload, event_type = CustomerRegistered(**common), "customer.registered"
    else:
        payload = CustomerUpdated(**common, changed_fields=changed)
        event_type = "customer.updated"
    stage(
        outbox,
        session,
        event_type=event_type,
        subject=row["customer_id"],
        payload=payload,
        correlation_id=correlation_id,
    )
