"""Erasure progress and access: confirmations consumed from the customers topic, the status
of an erasure, and the export of everything profiles holds on a customer."""

import logging
from datetime import UTC, datetime

from sqlalchemy import Table
from sqlalchemy.orm import Session

from services.profiles.gdpr_domain import overall_status
from services.profiles.gdpr_repository import COMPLETIONS, GdprRepository
from services.profiles.gdpr_schemas import CustomerExport, ErasureStatus, ServiceProgress
from services.profiles.models import metadata
from shared.events.envelope import CloudEvent
from shared.events.gdpr import ERASURE_PARTICIPANTS, ErasureCompleted

log = logging.getLogger(__name__)

# Not exported as records: the customer itself (exported on its own), the erasure (exported
# as its status), and tables that hold no rows about a customer.
NOT_RECORDS = frozenset(
    {"customers", "erasures", "erasure_completions", "suppressions", "outbox", "inbox"}
)


def customer_columns(target: Table) -> list[str]:
    """Columns of `target` naming a customer: a customer_id, or a key to the customers."""
    names = {fk.parent.name for fk in target.foreign_keys if fk.column.table.name == "customers"}
    if "customer_id" in target.c:
        names.add("customer_id")
    return sorted(names)


class ErasureCompletions:
    """Records each service's erasure.completed; the first confirmation of a service counts."""

    def record(self, session: Session, event: CloudEvent, completed: ErasureCompleted) -> None:
        repo = GdprRepository(session)
        if repo.erasure(completed.erasure_id) is None:
            log.warning(
                "erasure.completed from %s for unknown erasure %s ignored",
                completed.service,
                completed.erasure_id,
            )
            return
        done = {row["service"] for row in repo.completions(completed.erasure_id)}
        if completed.service in done:
            return
        repo.add(
            COMPLETIONS,
            [
                {
                    "erasure_id": completed.erasure_id,
                    "service": completed.service,
                    "completed_at": completed.completed_at,
                    "deleted": completed.deleted,
                    "anonymised": completed.anonymised,
                    "event_id": event.id,
                    "recorded_at": datetime.now(UTC),
                }
            ],
        )


def erasure_status(session: Session, erasure_id: str) -> ErasureStatus | None:
    repo = GdprRepository(session)
    erasure = repo.erasure(erasure_id)
    if erasure is None:
        return None
    completions = {row["service"]: row for row in repo.completions(erasure_id)}
    services = list(dict.fromkeys([*ERASURE_PARTICIPANTS, *completions]))
    progress = [
        ServiceProgress(
            service=service,
            status="completed" if service in completions else "pending",
            completed_at=completions[service]["completed_at"] if service in completions else None,
            deleted=completions[service]["deleted"] if service in completions else {},
            anonymised=completions[service]["anonymised"] if service in completions else {},
        )
        for service in services
    ]
    return ErasureStatus(
        erasure_id=erasure["erasure_id"],
        customer_id=erasure["customer_id"],
        requested_at=erasure["requested_at"],
        requested_by=erasure["requested_by"],
        status=overall_status(ERASURE_PARTICIPANTS, completions),
        services=progress,
    )


def customer_export(session: Session, customer_id: str) -> CustomerExport | None:
    """Every row naming the customer or a customer merged into it, by table."""
    repo = GdprRepository(session)
    customers = repo.rows("customers", ("customer_id",), [customer_id])
    if not customers:
        return None
    cluster = repo.cluster(customer_id)
    records = {
        target.name: repo.rows(target.name, columns, cluster)
        for target in metadata.sorted_tables
        if target.name not in NOT_RECORDS and (columns := customer_columns(target))
    }
    erasure = repo.erasure_of_customer(customer_id)
    return CustomerExport(
        customer_id=customer_id,
        exported_at=datetime.now(UTC),
        customer=customers[0],
        merged_customers=repo.rows("customers", ("customer_id",), cluster[1:]),
        records=records,
        erasure=erasure_status(session, erasure["erasure_id"]) if erasure else None,
    )
