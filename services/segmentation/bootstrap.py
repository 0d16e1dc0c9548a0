"""Composition root of segmentation: wires the runtime, API, consumer and run worker."""

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from services.segmentation import handlers, models
from services.segmentation.api import segmentation_router
from services.segmentation.assignment_store import AssignmentWriter
from services.segmentation.consistency import customer_totals
from services.segmentation.ledger_writer import LedgerWriter
from services.segmentation.rescoring import ModelCache, Rescorer
from services.segmentation.runs import RunExecutor, RunWorker
from services.segmentation.settings import SegmentationSettings
from shared.api.app import create_app
from shared.consistency.api import consistency_router
from shared.customer_directory import CustomerDirectory
from shared.events import topics
from shared.runtime import BackgroundLoop, Runtime, ServiceDefinition

MIGRATIONS = Path(__file__).parent / "migrations"
DIRECTORY = CustomerDirectory(models.customers)


def build_app(runtime: Runtime) -> FastAPI:
    return create_app(
        runtime.settings,
        title="Kundencockpit segmentation",
        description="Contribution margins, CLV and churn risk, lifecycle stages, needs "
        "clusters and the value x potential portfolio of every customer.",
        routers=[
            segmentation_router(
                runtime.session_factory, runtime.read_session_factory, ModelCache()
            ),
            consistency_router("segmentation", runtime.read_session_factory, customer_totals),
        ],
        readiness=runtime.readiness(),
        key_store=runtime.key_store(),
    )


def build_consumers(runtime: Runtime) -> Sequence[BackgroundLoop]:
    settings = runtime.settings
    assert isinstance(settings, SegmentationSettings)
    cache = ModelCache()
    writer = AssignmentWriter(runtime.outbox, runtime.service)
    ledger = LedgerWriter(Rescorer(writer, cache))
    executor = RunExecutor.of(runtime, ModelCache())
    worker = RunWorker(executor, runtime.session_factory, settings.run_interval_seconds)
    return [*handlers.build_consumers(runtime, DIRECTORY, ledger), worker]


DEFINITION = ServiceDefinition(
    name="segmentation",
    settings=SegmentationSettings,
    metadata=models.metadata,
    tables=models.messaging,
    migrations_dir=MIGRATIONS,
    build_app=build_app,
    build_consumers=build_consumers,
    topics=tuple(
        name for topic in (*handlers.TOPICS, topics.SEGMENTS) for name in (topic.name, topic.dlq)
    ),
)
