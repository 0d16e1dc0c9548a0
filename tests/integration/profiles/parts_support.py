"""Profiles on a real database with the consumer of the view's parts, and factories of the
events segmentation, experience and steering publish for it."""

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table, select

from services.profiles import bootstrap
from services.profiles.bootstrap import DEFINITION
from services.profiles.handlers import parts_dispatcher
from services.profiles.schemas import CustomerView360
from services.profiles.view import customer_view
from services.profiles.view_repository import ViewRepository
from shared.api.auth import Principal
from shared.db.migrations import upgrade_to_head
from shared.events.envelope import CloudEvent, new_event
from shared.events.journeys import ExperienceSummaryUpdated, RecentContact
from shared.events.segments import SegmentAssigned, SegmentationRunCompleted
from shared.events.steering import ActionRecommended
from shared.messaging.dispatch import CloudEventDispatcher
from shared.messaging.handling import Decoded
from shared.runtime import Runtime
from tests.fixtures.events import customer_upserted

NOW = datetime.now(UTC).replace(microsecond=0)
SALES = Principal("sales", "sales", frozenset({"customers:read", "pii:read", "financials:read"}))
MARKETING = Principal("marketing", "marketing", frozenset({"customers:read"}))
_numbers = itertools.count(1)


def published(
    payload: BaseModel, event_type: str, subject: str, source: str, time: datetime | None = None
) -> CloudEvent:
    return new_event(source=source, type=event_type, subject=subject, data=payload, time=time)


def assigned(customer_id: str, *, as_of: datetime = NOW, **fields: Any) -> CloudEvent:
    """A segment.assigned of a loyal, high-value customer in segment `retain`."""
    time = fields.pop("time", None) or as_of
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "strategic_segment": "retain",
        "thrust": "retain",
        "value_tier": "high",
        "potential_tier": "medium",
        "lifecycle_stage": "loyal",
        "lifecycle_reason": "orders every 30 days for 3 years",
        "needs_cluster": 1,
        "needs_description": "field sales, tools, price-insensitive",
        "abc_class": "A",
        "revenue_12m": Decimal("12000.00"),
        "contribution_margin_3_12m": Decimal("3400.00"),
        "clv": Decimal("9100.00"),
        "share_of_wallet_gap": Decimal("800.00"),
        "churn_risk": 0.12,
        "p_alive": 0.93,
        "reasons": ["cm3 of the last 12 months 3,400.00: high value"],
        "changed": ["strategic_segment"],
        "model_version": "m-1",
        "run_id": "run-1",
        "as_of": as_of,
        **fields,
    }
    return published(
        SegmentAssigned(**values), "segment.assigned", customer_id, "segmentation", time
    )


def summary(customer_id: str, *, as_of: datetime = NOW, **fields: Any) -> CloudEvent:
    """An experience.summary_updated of a customer with one open complaint."""
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "journey_type": "service",
        "journey_stage": "resolution",
        "journey_status": "open",
        "csat_mean": 3.5,
        "csat_answers": 2,
        "last_nps": 9,
        "nps_answers": 1,
        "effort_mean": 2.0,
        "open_complaints": 1,
        "last_contacts": [
            RecentContact(occurred_at=as_of, channel="phone", touchpoint_type="complaint")
        ],
        "as_of": as_of,
        **fields,
    }
    payload = ExperienceSummaryUpdated(**values)
    return published(payload, "experience.summary_updated", customer_id, "experience", as_of)


def recommended(customer_id: str, *, recommended_at: datetime = NOW, **fields: Any) -> CloudEvent:
    values: dict[str, Any] = {
        "action_id": f"act-{next(_numbers)}-{uuid.uuid4().hex[:6]}",
        "customer_id": customer_id,
        "action_type": "retention_call",
        "title": "Call about the complaint",
        "reason": "loyal customer with an open complaint",
        "channel": "phone",
        "owner_rep": "rep-7",
        "due_at": recommended_at + timedelta(days=3),
        "priority": 2,
        "thrust": "retain",
        "recommended_at": recommended_at,
        **fields,
    }
    payload = ActionRecommended(**values)
    return published(payload, "action.recommended", customer_id, "steering", recommended_at)


def strategy(version: int, segments: list[dict[str, Any]], **data: Any) -> CloudEvent:
    """A strategy.published as raw data, so that it may carry fields the contract gains."""
    published_at = data.pop("published_at", NOW)
    payload = {
        "strategy_id": "sales-strategy",
        "version": version,
        "published_at": published_at.isoformat(),
        "segments": segments,
        "portfolio": [],
        **data,
    }
    return CloudEvent(
        id=str(uuid.uuid4()),
        source="steering",
        type="strategy.published",
        subject="sales-strategy",
        time=published_at,
        data=payload,
    )


def run_completed(run_id: str, completed_at: datetime = NOW) -> CloudEvent:
    payload = SegmentationRunCompleted(
        run_id=run_id,
        as_of=completed_at,
        started_at=completed_at - timedelta(minutes=2),
        completed_at=completed_at,
        customers=3,
        changed=2,
        segment_sizes={"retain": 2, "grow": 1},
        model_version="m-1",
    )
    return published(payload, "segmentation.run_completed", run_id, "segmentation", completed_at)


@dataclass
class ProfilesParts:
    """Profiles on a migrated database, fed through its parts consumer's dispatcher."""

    runtime: Runtime
    dispatcher: CloudEventDispatcher

    def customer(self, **data: Any) -> str:
        """A customer posted by the CRM; its canonical id."""
        [result] = bootstrap.ingestion(self.runtime).ingest([customer_upserted(**data)])
        assert result.status == "accepted", result
        assert result.customer_id is not None
        return result.customer_id

    def feed(self, *events: CloudEvent) -> None:
        """Handle `events` as one consumer batch, in one transaction."""
        registry = self.runtime.registry
        decoded = [Decoded(e.source, e.id, e.type, (e, registry.parse(e))) for e in events]
        with self.runtime.session_factory() as session, session.begin():
            self.dispatcher.prepare(session, decoded)
            for message in decoded:
                self.dispatcher.handle(session, message)

    def rows(self, table: Table, **where: Any) -> list[dict[str, Any]]:
        statement = select(table)
        for name, value in where.items():
            statement = statement.where(table.c[name] == value)
        with self.runtime.session_factory() as session:
            return [dict(row._mapping) for row in session.execute(statement)]

    def view(self, customer_id: str, principal: Principal = SALES) -> CustomerView360:
        with self.runtime.read_session_factory() as session:
            rows = ViewRepository(session).customer(customer_id)
            assert rows is not None
            return customer_view(session, rows, principal)


def parts_of(runtime: Runtime) -> ProfilesParts:
    """`runtime` (e.g. a served one) with its parts consumer's dispatcher."""
    return ProfilesParts(runtime, parts_dispatcher(runtime, bootstrap.parts_writer(runtime)))


def profiles_on(database_url: str, keys_file: Path, **settings: Any) -> ProfilesParts:
    upgrade_to_head("profiles", DEFINITION.migrations_dir, database_url)
    values = {
        "database_url": database_url,
        "kafka_bootstrap_servers": "127.0.0.1:9",
        "api_keys_file": keys_file,
        **settings,
    }
    settings = DEFINITION.settings(**values)
    return parts_of(Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir))
