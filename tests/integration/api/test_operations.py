"""Health, readiness, metrics and request ids of the profiles API."""

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.api.readiness import Readiness
from shared.broker import EmbeddedBroker
from shared.db.engine import make_engine
from shared.db.migrations import head_revision
from shared.runtime import Runtime
from tests.fixtures.events import customer_upserted
from tests.fixtures.http import serving
from tests.integration.api.support import Profiles

pytestmark = pytest.mark.integration


def test_healthz_is_ok(profiles: Profiles) -> None:
    response = profiles.http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "profiles"}


def test_readyz_reports_every_dependency_ok(profiles: Profiles) -> None:
    response = profiles.http.get("/readyz")

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "ready"
    assert {name: check["ok"] for name, check in report["checks"].items()} == {
        "database": True,
        "migrations": True,
        "broker": True,
    }


def test_metrics_count_requests_by_route_template(profiles: Profiles) -> None:
    profiles.post([customer_upserted()])
    profiles.http.get("/v1/customers/abc", headers=profiles.auth("sales"))

    metrics = profiles.http.get("/metrics").text

    assert 'profiles_http_requests_total{method="POST",route="/v1/events",status="200"}' in metrics
    assert (
        'profiles_http_requests_total{method="GET",route="/v1/customers/{customer_id}",'
        'status="404"}' in metrics
    )
    assert "/v1/customers/abc" not in metrics


def test_request_id_is_echoed(profiles: Profiles) -> None:
    response = profiles.http.get("/healthz", headers={"X-Request-ID": "req-2024.05:abc_1"})

    assert response.headers["x-request-id"] == "req-2024.05:abc_1"


@pytest.mark.parametrize("supplied", [None, "has spaces and ;", "x" * 101])
def test_request_id_is_generated_when_absent_or_unusable(
    profiles: Profiles, supplied: str | None
) -> None:
    headers = {"X-Request-ID": supplied} if supplied else {}

    response = profiles.http.get("/healthz", headers=headers)

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_readiness_is_not_ready_before_migrations(
    database_factory: Any, broker: EmbeddedBroker
) -> None:
    engine = make_engine(database_factory("unmigrated"))
    readiness = Readiness(
        service="profiles",
        engine=engine,
        migrations_dir=PROFILES.migrations_dir,
        bootstrap_servers=broker.bootstrap_servers,
    )
    try:
        report = readiness.report()
    finally:
        engine.dispose()

    assert report.status == "not_ready"
    assert report.checks["database"].ok
    assert report.checks["broker"].ok
    assert not report.checks["migrations"].ok
    head = head_revision(PROFILES.migrations_dir)
    assert report.checks["migrations"].detail == f"at None, head is {head}: run migrate"


def test_readyz_is_503_before_migrations(
    database_factory: Any, broker: EmbeddedBroker, api_keys: tuple[Path, dict[str, str]]
) -> None:
    settings = PROFILES.settings(
        database_url=database_factory("unmigrated"),
        kafka_bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=api_keys[0],
    )
    runtime = Runtime.build(settings, PROFILES.tables, PROFILES.migrations_dir)
    try:
        with serving(PROFILES.build_app(runtime)) as url:
            response = httpx.get(f"{url}/readyz")
    finally:
        runtime.engine.dispose()

    assert response.status_code == 503, response.text
    assert response.json()["status"] == "not_ready"
    assert response.json()["checks"]["migrations"]["ok"] is False
