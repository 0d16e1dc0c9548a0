"""The served profiles API the tests in this folder talk to, and assertions on its answers."""

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import delete, func, select

from services.profiles.models import Customer, CustomerReference
from shared.runtime import Runtime

MAX_BODY_BYTES = 2048
MAX_BATCH_EVENTS = 5
NOTHING_STORED = {"customers": 0, "outbox": 0, "inbox": 0}


@dataclass
class Profiles:
    """A served profiles API with its runtime, an HTTP client and the plain API keys."""

    runtime: Runtime
    http: httpx.Client
    keys: dict[str, str]

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[key]}"}

    def post(self, events: Any, key: str = "integration", **options: Any) -> httpx.Response:
        return self.http.post("/v1/events", json=events, headers=self.auth(key), **options)

    def post_raw(
        self, body: Any, content_type: str = "application/json", key: str = "integration"
    ) -> httpx.Response:
        headers = {**self.auth(key), "Content-Type": content_type}
        return self.http.post("/v1/events", content=body, headers=headers)

    def stored(self) -> dict[str, int]:
        tables = self.runtime.tables
        with self.runtime.session_factory() as session:
            return {
                name: session.scalar(select(func.count()).select_from(table)) or 0
                for name, table in (
                    ("customers", Customer.__table__),
                    ("outbox", tables.outbox),
                    ("inbox", tables.inbox),
                )
            }

    def empty_tables(self) -> None:
        tables = self.runtime.tables
        with self.runtime.session_factory() as session, session.begin():
            for table in (CustomerReference, Customer):
                session.execute(delete(table))
            session.execute(delete(tables.outbox))
            session.execute(delete(tables.inbox))


def assert_problem(response: httpx.Response, status: int, title: str, detail: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] == title
    assert detail in body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]


def assert_single_rejection(response: httpx.Response, reason: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (0, 0, 1)
    [result] = body["results"]
    assert result["index"] == 0
    assert result["status"] == "rejected"
    assert result["customer_id"] is None
    assert reason in result["reason"]
    return dict(result)
