"""The app factory: every service gets health, readiness, metrics, problems and auth."""

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from shared.api.auth import ApiKeyStore
from shared.api.middleware import RequestContextMiddleware
from shared.api.problems import PROBLEM_RESPONSES, install_problem_handlers
from shared.api.readiness import Readiness, ReadinessReport
from shared.metrics import metrics_for
from shared.settings import ServiceSettings


class Health(BaseModel):
    status: str = Field(description="Always ok while the process serves requests.")
    service: str = Field(description="Service name.")


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    readiness: Readiness,
    key_store: ApiKeyStore,
) -> FastAPI:
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        responses=PROBLEM_RESPONSES,
    )
    app.state.key_store = key_store
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=metrics_for(settings.service_name),
        max_body_bytes=settings.max_body_bytes,
    )

    @app.get("/healthz", tags=["operations"])
    def healthz() -> Health:
        """The process is alive."""
        return Health(status="ok", service=settings.service_name)

    @app.get("/readyz", tags=["operations"], responses={503: {"model": ReadinessReport}})
    def readyz() -> JSONResponse:
        """Database reachable, migrations at head, broker reachable; 503 otherwise."""
        report = readiness.report()
        return JSONResponse(
            report.model_dump(), status_code=200 if report.status == "ready" else 503
        )

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def metrics() -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    return app
