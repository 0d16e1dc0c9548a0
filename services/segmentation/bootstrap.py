"""Composition root of segmentation: wires the runtime, API and consumers."""

from pathlib import Path

from fastapi import FastAPI

from services.segmentation import handlers, models
from services.segmentation.settings import SegmentationSettings
from shared.api.app import create_app
from shared.customer_directory import CustomerDirectory, directory_router
from shared.events import topics
from shared.messaging.consumer import ConsumerLoop
from shared.runtime import Runtime, ServiceDefinition

MIGRATIONS = Path(__file__).parent / "migrations"
DIRECTORY = CustomerDirectory(models.customers)


def build_app(runtime: Runtime) -> FastAPI:
    return create_app(
        runtime.settings,
        title="Kundencockpit segmentation",
        description="Customer value, potential, lifecycle and needs segments.",
        routers=[directory_router(DIRECTORY, runtime.read_session_factory)],
        readiness=runtime.readiness(),
        key_store=runtime.key_store(),
    )


def build_consumers(runtime: Runtime) -> list[ConsumerLoop]:
    return handlers.build_consumers(runtime, DIRECTORY)


DEFINITION = ServiceDefinition(
    name="segmentation",
    settings=SegmentationSettings,
    metadata=models.metadata,
    tables=models.messaging,
    migrations_dir=MIGRATIONS,
    build_app=build_app,
    build_consumers=build_consumers,
    topics=(topics.CUSTOMERS.name, topics.CUSTOMERS.dlq),
)
