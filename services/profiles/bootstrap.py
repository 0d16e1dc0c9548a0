"""Composition root of profiles: wires the runtime, ingestion, API and consumers."""

from pathlib import Path

from fastapi import FastAPI

from services.profiles import api, handlers
from services.profiles.customers import CustomerUpserts
from services.profiles.ingestion import InboundRoute, Ingestion
from services.profiles.models import messaging, metadata
from services.profiles.settings import ProfilesSettings
from shared.events import topics
from shared.events.inbound import CustomerUpserted
from shared.messaging.consumer import ConsumerLoop
from shared.runtime import Runtime, ServiceDefinition

MIGRATIONS = Path(__file__).parent / "migrations"


def ingestion(runtime: Runtime) -> Ingestion:
    upserts = CustomerUpserts(runtime.outbox)
    return Ingestion(
        session_factory=runtime.session_factory,
        inbox=runtime.tables.inbox,
        routes={
            "customer.upserted": InboundRoute(CustomerUpserted, upserts.apply, upserts.prepare)
        },
        metrics=runtime.metrics,
    )


def build_app(runtime: Runtime) -> FastAPI:
    return api.build_app(runtime, ingestion(runtime))


def build_consumers(runtime: Runtime) -> list[ConsumerLoop]:
    return handlers.build_consumers(runtime, ingestion(runtime))


DEFINITION = ServiceDefinition(
    name="profiles",
    settings=ProfilesSettings,
    metadata=metadata,
    tables=messaging,
    migrations_dir=MIGRATIONS,
    build_app=build_app,
    build_consumers=build_consumers,
    topics=(topics.INBOUND.name, topics.INBOUND.dlq, topics.CUSTOMERS.name, topics.CUSTOMERS.dlq),
)
