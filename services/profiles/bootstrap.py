"""Composition root of profiles: wires the runtime, ingestion, API and consumers."""

from pathlib import Path

from fastapi import FastAPI

from services.profiles import api, gdpr_api, gdpr_guard, handlers, segment_profile_api
from services.profiles.consistency import customer_totals
from services.profiles.customers import CustomerResolver, CustomerUpserts
from services.profiles.ingestion import InboundRoute, Ingestion
from services.profiles.models import messaging, metadata
from services.profiles.orders import OrderPlacements, OrderReturns
from services.profiles.parts_writer import PartsWriter
from services.profiles.settings import ProfilesSettings, profiles_settings
from services.profiles.touchpoints import Identifications, Touchpoints
from shared.consistency.api import consistency_router
from shared.events import topics
from shared.events.inbound import (
    CustomerUpserted,
    IdentifiedVisitor,
    PlacedOrder,
    RecordedTouchpoint,
    ReturnedOrder,
)
from shared.messaging.consumer import ConsumerLoop
from shared.runtime import Runtime, ServiceDefinition

MIGRATIONS = Path(__file__).parent / "migrations"


def inbound_routes(runtime: Runtime) -> dict[str, InboundRoute]:
    outbox = runtime.outbox
    customers = CustomerResolver(outbox)
    settings = runtime.settings
    rules = settings.identity_rules() if isinstance(settings, ProfilesSettings) else None
    upserts = CustomerUpserts(outbox, rules)
    placements = OrderPlacements(outbox, customers)
    returns = OrderReturns(outbox, customers)
    touchpoints = Touchpoints(outbox, customers)
    identifications = Identifications(outbox, customers)
    return {
        "customer.upserted": InboundRoute(CustomerUpserted, upserts.apply, upserts.prepare),
        "customer.identified": InboundRoute(
            IdentifiedVisitor, identifications.apply, identifications.prepare
        ),
        "order.placed": InboundRoute(PlacedOrder, placements.apply, placements.prepare),
        "order.returned": InboundRoute(ReturnedOrder, returns.apply, returns.prepare),
        "touchpoint.recorded": InboundRoute(
            RecordedTouchpoint, touchpoints.apply, touchpoints.prepare
        ),
    }


def ingestion(runtime: Runtime) -> Ingestion:
    return Ingestion(
        session_factory=runtime.session_factory,
        inbox=runtime.tables.inbox,
        routes=gdpr_guard.guarded_routes(runtime, inbound_routes(runtime)),
        metrics=runtime.metrics,
        max_event_bytes=runtime.settings.max_event_bytes,
    )


def build_app(runtime: Runtime) -> FastAPI:
    app = api.build_app(runtime, ingestion(runtime))
    app.include_router(gdpr_api.gdpr_router(runtime))
    app.include_router(segment_profile_api.segment_profiles_router(runtime))
    app.include_router(
        consistency_router("profiles", runtime.read_session_factory, customer_totals)
    )
    return app


def parts_writer(runtime: Runtime) -> PartsWriter:
    return PartsWriter(profiles_settings(runtime.settings).next_best_actions_kept)


def build_consumers(runtime: Runtime) -> list[ConsumerLoop]:
    return handlers.build_consumers(runtime, ingestion(runtime), parts_writer(runtime))


DEFINITION = ServiceDefinition(
    name="profiles",
    settings=ProfilesSettings,
    metadata=metadata,
    tables=messaging,
    migrations_dir=MIGRATIONS,
    build_app=build_app,
    build_consumers=build_consumers,
    topics=tuple(
        name
        for topic in (
            topics.INBOUND,
            topics.CUSTOMERS,
            topics.ORDERS,
            topics.TOUCHPOINTS,
            *handlers.PART_TOPICS,
        )
        for name in (topic.name, topic.dlq)
    ),
)
