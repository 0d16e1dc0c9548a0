"""Composition root of experience: wires the runtime, API and consumer."""

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from services.experience import handlers, models
from services.experience.abandonment import AbandonmentSweep
from services.experience.analytics_api import analytics_router
from services.experience.api import experience_router
from services.experience.config_store import DefinitionsCache
from services.experience.consistency import customer_totals
from services.experience.journey_writer import JourneyWriter
from services.experience.rebuilds import JourneyRebuild
from services.experience.settings import ExperienceSettings
from shared.api.app import create_app
from shared.consistency.api import consistency_router
from shared.customer_directory import CustomerDirectory
from shared.events import topics
from shared.runtime import BackgroundLoop, Runtime, ServiceDefinition

MIGRATIONS = Path(__file__).parent / "migrations"
DIRECTORY = CustomerDirectory(models.customers)


def build_app(runtime: Runtime) -> FastAPI:
    settings = runtime.settings
    assert isinstance(settings, ExperienceSettings)
    return create_app(
        runtime.settings,
        title="Kundencockpit experience",
        description="Touchpoints, journeys and CX measures over every channel.",
        routers=[
            experience_router(DIRECTORY, runtime.session_factory, runtime.read_session_factory),
            analytics_router(runtime.read_session_factory, settings),
            consistency_router("experience", runtime.read_session_factory, customer_totals),
        ],
        readiness=runtime.readiness(),
        key_store=runtime.key_store(),
    )


def build_writer(runtime: Runtime) -> JourneyWriter:
    return JourneyWriter(runtime.outbox, runtime.service, DefinitionsCache())


def build_consumers(runtime: Runtime) -> Sequence[BackgroundLoop]:
    settings = runtime.settings
    assert isinstance(settings, ExperienceSettings)
    sweep = AbandonmentSweep(
        runtime.session_factory,
        runtime.outbox,
        runtime.service,
        settings.abandonment_sweep_seconds,
    )
    rebuild = JourneyRebuild(
        runtime.session_factory, runtime.outbox, runtime.service, settings.rebuild_poll_seconds
    )
    return [*handlers.build_consumers(runtime, DIRECTORY, build_writer(runtime)), sweep, rebuild]


DEFINITION = ServiceDefinition(
    name="experience",
    settings=ExperienceSettings,
    metadata=models.metadata,
    tables=models.messaging,
    migrations_dir=MIGRATIONS,
    build_app=build_app,
    build_consumers=build_consumers,
    topics=tuple(
        name for topic in (*handlers.TOPICS, topics.JOURNEYS) for name in (topic.name, topic.dlq)
    ),
)
