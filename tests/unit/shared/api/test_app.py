"""The app factory's problem responses, request ids and metrics, called in process."""

import asyncio
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import create_engine

from shared.api.app import create_app
from shared.api.auth import ApiKeyStore, Principal, write_key_file
from shared.api.deps import require
from shared.api.readiness import Readiness
from shared.settings import ServiceSettings

SERVICE = "apptest"


class AppTestSettings(ServiceSettings):
    service_name: str = SERVICE
    database_url: str = "sqlite://"
    port: int = 9999


def _router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/things/{thing_id}")
    def get_thing(
        thing_id: int, _: Annotated[Principal, Depends(require("customers:read"))]
    ) -> dict[str, int]:
        """A thing, for callers with customers:read."""
        return {"thing_id": thing_id}

    @router.get("/broken")
    def broken() -> None:
        """Fails as an unforeseen bug would."""
        raise RuntimeError("boom")

    return router


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    keys_file = tmp_path / "keys.json"
    plain = write_key_file(keys_file, [Principal("reader", "sales", frozenset({"customers:read"}))])
    settings = AppTestSettings(api_keys_file=keys_file)
    app = create_app(
        settings,
        title="test",
        description="test",
        routers=[_router()],
        readiness=Readiness(SERVICE, create_engine("sqlite://"), tmp_path, "127.0.0.1:1"),
        key_store=ApiKeyStore(keys_file),
    )
    app.state.reader_key = plain["reader"]
    return app


class Client:
    """Calls the app in process over ASGI, as a reader, one request at a time."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return asyncio.run(
            self._get(path, {"X-API-Key": self._app.state.reader_key, **(headers or {})})
        )

    async def _get(self, path: str, headers: dict[str, str]) -> httpx.Response:
        transport = httpx.ASGITransport(app=self._app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers=headers)


@pytest.fixture
def client(app: FastAPI) -> Client:
    return Client(app)


def _requests(route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        f"{SERVICE}_http_requests_total", {"method": "GET", "route": route, "status": status}
    )
    return value or 0.0


def test_unknown_path_is_a_404_problem(client: Client) -> None:
    response = client.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == "/v1/nothing-here"
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_invalid_path_parameter_is_a_422_problem_with_field_errors(client: Client) -> None:
    response = client.get("/v1/things/not-a-number")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Validation failed"
    assert "path.thing_id" in body["detail"]
    assert body["errors"][0]["loc"] == ["path", "thing_id"]


def test_metrics_label_requests_with_the_route_template(client: Client) -> None:
    before = _requests("/v1/things/{thing_id}", "200")

    client.get("/v1/things/7")
    client.get("/v1/things/8")

    assert _requests("/v1/things/{thing_id}", "200") == before + 2
    assert _requests("/v1/things/7", "200") == 0


def test_unmatched_paths_share_one_metrics_label(client: Client) -> None:
    before = _requests("unmatched", "404")

    client.get("/v1/random-1")
    client.get("/v1/random-2")

    assert _requests("unmatched", "404") == before + 2


def test_unexpected_error_is_a_500_problem_without_internals(client: Client) -> None:
    response = client.get("/v1/broken")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Internal error"
    assert "boom" not in response.text


def test_unexpected_error_carries_the_request_id(client: Client) -> None:
    response = client.get("/v1/broken", headers={"X-Request-ID": "req-500"})

    assert response.headers["x-request-id"] == "req-500"
    assert response.json()["request_id"] == "req-500"
