"""Composition root of steering: wires the runtime, API and consumers."""

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from services.steering import handlers, models
from services.steering.action_api import actions_router
from services.steering.aggregate_writer import AggregateWriter
from services.steering.alert_api import alerts_router, register_board_gauges
from services.steering.alerts import Alerts
from services.steering.cockpit_api import cockpit_router
from services.steering.consistency import customer_totals
from services.steering.incentive_api import incentive_plans_router, payouts_router, reps_router
from services.steering.incentive_plans import incentive_plan_documents
from services.steering.settings import SteeringSettings
from services.steering.strategy import strategy_documents
from services.steering.strategy_api import strategy_router
from shared.api.app import create_app
from shared.consistency.api import consistency_router
from shared.customer_directory import CustomerDirectory, directory_router
from shared.events import topics
from shared.runtime import BackgroundLoop, Runtime, ServiceDefinition

MIGRATIONS = Path(__file__).parent / "migrations"
DIRECTORY = CustomerDirectory(models.customers)


def _settings(runtime: Runtime) -> SteeringSettings:
    settings = runtime.settings
    assert isinstance(settings, SteeringSettings)
    return settings


def build_app(runtime: Runtime) -> FastAPI:
    settings = _settings(runtime)
    register_board_gauges(runtime)
    strategies = strategy_documents(runtime.outbox, runtime.service, settings.strategy_approvers)
    return create_app(
        runtime.settings,
        title="Kundencockpit steering",
        description="Sales strategy, KPI cockpit, incentive schemes and next best actions.",
        routers=[
            directory_router(DIRECTORY, runtime.read_session_factory),
            strategy_router(runtime, strategies, settings.strategy_id),
            cockpit_router(runtime, Alerts(runtime.outbox, runtime.service, AggregateWriter())),
            reps_router(runtime),
            incentive_plans_router(runtime, incentive_plan_documents(settings.plan_approvers)),
            payouts_router(runtime),
            actions_router(runtime, AggregateWriter()),
            alerts_router(runtime),
            consistency_router("steering", runtime.read_session_factory, customer_totals),
        ],
        readiness=runtime.readiness(),
        key_store=runtime.key_store(),
    )


def build_consumers(runtime: Runtime) -> Sequence[BackgroundLoop]:
    parts = handlers.SteeringParts(alert_check_seconds=_settings(runtime).alert_check_seconds)
    return handlers.build_consumers(runtime, DIRECTORY, parts)


DEFINITION = ServiceDefinition(
    name="steering",
    settings=SteeringSettings,
    metadata=models.metadata,
    tables=models.messaging,
    migrations_dir=MIGRATIONS,
    build_app=build_app,
    build_consumers=build_consumers,
    topics=tuple(
        name for topic in (*handlers.TOPICS, topics.STEERING) for name in (topic.name, topic.dlq)
    ),
)
